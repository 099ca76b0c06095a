import { expect } from "chai";
import {
    firehoseDeliveryPolicy,
    firehoseTrustPolicy,
    glueArns,
    KEY_ACCOUNT_ACTIONS,
    lakeKeyPolicy,
    partitionRegistrarPolicy,
    serviceTrustPolicy,
    spectrumPolicy,
    spectrumTrustServices,
    tlsOnlyBucketPolicy,
} from "../lib/iam/lake-policies";
import { expectLeastPrivilege } from "./lake-helpers";

const scope = { partition: "aws", region: "eu-central-1", accountId: "123456789012" };
const bucketArn = "arn:aws:s3:::lake";
const keyArn = "arn:aws:kms:eu-central-1:123456789012:key/k1";
const glue = "arn:aws:glue:eu-central-1:123456789012";

describe("lake policies: pure documents", () => {
    it("Glue ARNs: catalog, database and each table", () => {
        expect(glueArns(scope, "clickstream", ["a", "b"])).to.deep.equal([
            `${glue}:catalog`,
            `${glue}:database/clickstream`,
            `${glue}:table/clickstream/a`,
            `${glue}:table/clickstream/b`,
        ]);
    });

    it("key policy: the account administers with listed actions; logs, alarms and SNS use it within this account", () => {
        const policy = lakeKeyPolicy(scope);
        expect(policy).to.deep.equal({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "AccountAdministersAndUsesKey",
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws:iam::123456789012:root" },
                    Action: KEY_ACCOUNT_ACTIONS,
                    Resource: "*",
                },
                {
                    Sid: "CloudWatchLogsEncryptLogGroups",
                    Effect: "Allow",
                    Principal: { Service: "logs.eu-central-1.amazonaws.com" },
                    Action: ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
                    Resource: "*",
                    Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-central-1:123456789012:log-group:*" } },
                },
                // CloudWatch sends no aws:SourceAccount to KMS for alarm notifications: no condition on it.
                {
                    Sid: "CloudWatchAlarmsPublishToEncryptedTopic",
                    Effect: "Allow",
                    Principal: { Service: "cloudwatch.amazonaws.com" },
                    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                    Resource: "*",
                },
                {
                    Sid: "SnsUsesKeyForAccountTopics",
                    Effect: "Allow",
                    Principal: { Service: "sns.amazonaws.com" },
                    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                    Resource: "*",
                    Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
                },
            ],
        });
        // Named actions only (no kms:*), and the key can still be administered (no lockout).
        for (const a of KEY_ACCOUNT_ACTIONS) expect(a).to.match(/^kms:[A-Za-z]+$/);
        expect(KEY_ACCOUNT_ACTIONS).to.include.members(["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:EnableKeyRotation", "kms:CreateGrant"]);
    });

    it("bucket policy denies every non-TLS request to the bucket and its objects", () => {
        expect(tlsOnlyBucketPolicy(bucketArn)).to.deep.equal({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [bucketArn, `${bucketArn}/*`],
                    Condition: { Bool: { "aws:SecureTransport": false } },
                },
            ],
        });
    });

    it("trust policies", () => {
        expect(firehoseTrustPolicy("123456789012")).to.deep.equal({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "firehose.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "sts:ExternalId": "123456789012" } },
                },
            ],
        });
        expect(serviceTrustPolicy("lambda.amazonaws.com")).to.deep.equal({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
        expect(spectrumTrustServices("cluster")).to.deep.equal(["redshift.amazonaws.com"]);
        expect(spectrumTrustServices("serverless")).to.deep.equal(["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"]);
        expect(spectrumTrustServices("create-serverless")).to.deep.equal(["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"]);
    });

    it("Firehose: its output and error prefixes, its table, the key through S3, its log stream", () => {
        const policy = firehoseDeliveryPolicy({
            ...scope,
            bucketArn,
            output: "clicks_1m",
            database: "clickstream",
            kmsKeyArn: keyArn,
            logGroupName: "/aws/kinesisfirehose/clickstream-clicks_1m",
            logStreamName: "DestinationDelivery",
        });
        expect(policy.Statement).to.deep.equal([
            { Sid: "S3Bucket", Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"], Resource: bucketArn },
            {
                Sid: "S3OutputObjects",
                Effect: "Allow",
                Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
                Resource: [`${bucketArn}/clicks_1m/*`, `${bucketArn}/errors/clicks_1m/*`],
            },
            {
                Sid: "GlueSchemaForConversion",
                Effect: "Allow",
                Action: ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
                Resource: [`${glue}:catalog`, `${glue}:database/clickstream`, `${glue}:table/clickstream/clicks_1m`],
            },
            {
                Sid: "LakeKeyThroughS3",
                Effect: "Allow",
                Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                Resource: keyArn,
                Condition: {
                    StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" },
                    StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucketArn, `${bucketArn}/clicks_1m/*`, `${bucketArn}/errors/clicks_1m/*`] },
                },
            },
            {
                Sid: "ErrorLogging",
                Effect: "Allow",
                Action: ["logs:PutLogEvents"],
                Resource: "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/kinesisfirehose/clickstream-clicks_1m:log-stream:DestinationDelivery",
            },
        ]);
        expectLeastPrivilege(policy);
    });

    it("partition registrar: create and read partitions of these tables only, and its own logs", () => {
        const policy = partitionRegistrarPolicy({ ...scope, database: "clickstream", tables: ["a", "b"], logGroupName: "/aws/lambda/reg" });
        expect(policy.Statement).to.deep.equal([
            {
                Sid: "RegisterPartitions",
                Effect: "Allow",
                Action: ["glue:BatchCreatePartition", "glue:GetPartition", "glue:GetTable"],
                Resource: [`${glue}:catalog`, `${glue}:database/clickstream`, `${glue}:table/clickstream/a`, `${glue}:table/clickstream/b`],
            },
            {
                Sid: "OwnLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/lambda/reg:log-stream:*",
            },
        ]);
        expectLeastPrivilege(policy);
    });

    it("Spectrum: this database's tables, the outputs' prefixes (listing by prefix), and decrypt via S3", () => {
        const policy = spectrumPolicy({ ...scope, database: "clickstream", bucketArn, outputs: ["a", "b"], kmsKeyArn: keyArn });
        expect(policy.Statement).to.deep.equal([
            {
                Sid: "GlueCatalogRead",
                Effect: "Allow",
                Action: ["glue:BatchGetPartition", "glue:GetDatabase", "glue:GetPartition", "glue:GetPartitions", "glue:GetTable", "glue:GetTables"],
                Resource: [`${glue}:catalog`, `${glue}:database/clickstream`, `${glue}:table/clickstream/*`],
            },
            { Sid: "BucketLocation", Effect: "Allow", Action: ["s3:GetBucketLocation"], Resource: bucketArn },
            {
                Sid: "ListOutputPrefixes",
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: bucketArn,
                Condition: { StringLike: { "s3:prefix": ["a/*", "b/*"] } },
            },
            { Sid: "ReadOutputObjects", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${bucketArn}/a/*`, `${bucketArn}/b/*`] },
            {
                Sid: "DecryptLakeObjects",
                Effect: "Allow",
                Action: ["kms:Decrypt"],
                Resource: keyArn,
                Condition: { StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } },
            },
        ]);
        expectLeastPrivilege(policy);
        // Nothing outside the outputs: not the error prefix, not Athena results.
        const resources = policy.Statement.flatMap((s) => ([] as string[]).concat(s.Resource ?? []));
        expect(resources.some((r) => r.includes("errors/") || r.includes("athena-results/"))).to.equal(false);
    });
});
