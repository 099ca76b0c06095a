/** The pure policy builders of the region stack, statement by statement. */
import { expect } from "chai";
import {
    alarmTopicPolicy,
    flinkAppPolicy,
    flinkAssumeRolePolicy,
    KEY_ADMIN_ACTIONS,
    regionKeyPolicy,
    sourceKeyOf,
    tlsOnlyBucketPolicy,
} from "../lib/iam/region-policies";

const SCOPE = { partition: "aws", accountId: "111122223333", region: "eu-west-1" };
const STREAM = "arn:aws:kinesis:eu-west-1:111122223333:stream/mobile-events-eu";
const CONSUMER = `${STREAM}/consumer/clickstream-eu-mobile:1700000000`;
const KEY = "arn:aws:kms:eu-west-1:111122223333:key/0f0e0d0c-0b0a-0908-0706-050403020100";
const base = {
    scope: SCOPE,
    firehoseArns: ["arn:aws:firehose:eu-central-1:111122223333:deliverystream/clicks"],
    runnerObjectArn: "arn:aws:s3:::artifacts/runner/clickstream-runner-0123456789abcdef.jar",
    artifactsKeyArn: KEY,
    logGroupArn: "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/kinesis-analytics/app",
    logStreamArn: "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/kinesis-analytics/app:log-stream:flink",
};
const common = [
    {
        Sid: "WriteLakeFirehoses",
        Effect: "Allow",
        Action: ["firehose:DescribeDeliveryStream", "firehose:PutRecord", "firehose:PutRecordBatch"],
        Resource: ["arn:aws:firehose:eu-central-1:111122223333:deliverystream/clicks"],
    },
    { Sid: "ReadRunnerJar", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: base.runnerObjectArn },
    { Sid: "ListLogGroups", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "arn:aws:logs:eu-west-1:111122223333:log-group:*" },
    { Sid: "DescribeOwnLogStreams", Effect: "Allow", Action: "logs:DescribeLogStreams", Resource: `${base.logGroupArn}:log-stream:*` },
    { Sid: "WriteOwnLogStream", Effect: "Allow", Action: "logs:PutLogEvents", Resource: base.logStreamArn },
];

function allowsNoWildcardActions(statements: { Effect: string; Action: string | string[] }[]): boolean {
    return statements.filter((s) => s.Effect === "Allow").every((s) => [s.Action].flat().every((a) => a !== "*" && !/^[a-z0-9-]+:\*$/.test(a)));
}

describe("region policies", () => {
    it("trusts only Managed Flink, for this account and this application", () => {
        expect(flinkAssumeRolePolicy(SCOPE, "clickstream-eu-realtime")).to.deep.equal({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ManagedFlinkAssumeRole",
                    Effect: "Allow",
                    Principal: { Service: "kinesisanalytics.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: {
                        StringEquals: { "aws:SourceAccount": "111122223333" },
                        ArnEquals: { "aws:SourceArn": "arn:aws:kinesisanalytics:eu-west-1:111122223333:application/clickstream-eu-realtime" },
                    },
                },
            ],
        });
    });

    it("POLLING: reads the stream itself; one decrypt statement when the stream and the code share the key", () => {
        const doc = flinkAppPolicy({ ...base, source: { readMode: "POLLING", streamArn: STREAM }, sourceKey: { kind: "key", keyArn: KEY } });
        expect(doc.Statement).to.deep.equal([
            {
                Sid: "ReadSourceStream",
                Effect: "Allow",
                Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"],
                Resource: STREAM,
            },
            { Sid: "DecryptSourceAndCode", Effect: "Allow", Action: "kms:Decrypt", Resource: KEY },
            ...common,
        ]);
        expect(allowsNoWildcardActions(doc.Statement)).to.equal(true);
        expect(doc.Statement.flatMap((s) => [s.Resource].flat())).to.not.include("*");
    });

    it("EFO: subscribes only through its own consumer and never gets GetRecords on a stream it does not own", () => {
        const other = "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd";
        const doc = flinkAppPolicy({
            ...base,
            source: { readMode: "EFO", streamArn: STREAM, consumerArn: CONSUMER },
            sourceKey: { kind: "key", keyArn: other },
        });
        expect(doc.Statement.slice(0, 3)).to.deep.equal([
            {
                Sid: "DescribeSourceStream",
                Effect: "Allow",
                Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards"],
                Resource: STREAM,
            },
            { Sid: "ReadThroughOwnConsumer", Effect: "Allow", Action: ["kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard"], Resource: CONSUMER },
            { Sid: "DecryptSourceAndCode", Effect: "Allow", Action: "kms:Decrypt", Resource: [other, KEY] },
        ]);
        expect(doc.Statement.slice(3)).to.deep.equal(common);
        expect(JSON.stringify(doc)).to.not.include("GetRecords");
    });

    it("an alias-keyed attached stream: decrypt limited by alias, service and the stream's encryption context", () => {
        const doc = flinkAppPolicy({
            ...base,
            source: { readMode: "EFO", streamArn: STREAM, consumerArn: CONSUMER },
            sourceKey: sourceKeyOf("KMS", "alias/mobile-stream", STREAM),
        });
        expect(doc.Statement.find((s) => s.Sid === "DecryptSourceByAlias")).to.deep.equal({
            Sid: "DecryptSourceByAlias",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: "arn:aws:kms:eu-west-1:111122223333:key/*",
            Condition: {
                "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/mobile-stream" },
                StringEquals: { "kms:ViaService": "kinesis.eu-west-1.amazonaws.com", "kms:EncryptionContext:aws:kinesis:arn": STREAM },
            },
        });
        expect(doc.Statement.find((s) => s.Sid === "DecryptSourceAndCode")!.Resource).to.equal(KEY);
    });

    it("classifies an attached stream's key: none, AWS managed, key ARN, key id, alias ARN", () => {
        expect(sourceKeyOf("NONE", undefined, STREAM)).to.deep.equal({ kind: "none" });
        expect(sourceKeyOf("KMS", "alias/aws/kinesis", STREAM)).to.deep.equal({ kind: "none" });
        expect(sourceKeyOf("KMS", "arn:aws:kms:eu-west-1:111122223333:alias/aws/kinesis", STREAM)).to.deep.equal({ kind: "none" });
        expect(sourceKeyOf("KMS", KEY, STREAM)).to.deep.equal({ kind: "key", keyArn: KEY });
        expect(sourceKeyOf("KMS", "0f0e0d0c-0b0a-0908-0706-050403020100", STREAM)).to.deep.equal({ kind: "key", keyArn: KEY });
        expect(sourceKeyOf("KMS", "arn:aws:kms:eu-west-1:444455556666:alias/shared", STREAM)).to.deep.equal({
            kind: "alias",
            alias: "alias/shared",
            keyAccountArnPrefix: "arn:aws:kms:eu-west-1:444455556666:key/",
        });
    });

    it("key policy: account administers with listed actions (no kms:*), logs/CloudWatch/SNS use it", () => {
        const doc = regionKeyPolicy(SCOPE);
        expect(doc.Statement.map((s) => [s.Sid, s.Principal])).to.deep.equal([
            ["AccountAdministersKey", { AWS: "arn:aws:iam::111122223333:root" }],
            ["CloudWatchLogsEncryptLogGroups", { Service: "logs.eu-west-1.amazonaws.com" }],
            ["CloudWatchAlarmsPublishToEncryptedTopic", { Service: "cloudwatch.amazonaws.com" }],
            ["SnsUsesKeyForAccountTopics", { Service: "sns.amazonaws.com" }],
        ]);
        expect(doc.Statement[0].Action).to.deep.equal(KEY_ADMIN_ACTIONS).and.to.include("kms:Put*");
        expect(doc.Statement[1].Action).to.deep.equal(["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"]);
        expect(doc.Statement[1].Condition).to.deep.equal({
            ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:111122223333:log-group:*" },
        });
        expect(doc.Statement[2].Action).to.deep.equal(["kms:Decrypt", "kms:GenerateDataKey*"]);
        expect(doc.Statement[3].Condition).to.deep.equal({ StringEquals: { "aws:SourceAccount": "111122223333" } });
        expect(allowsNoWildcardActions(doc.Statement)).to.equal(true);
    });

    it("bucket and topic policies", () => {
        expect(tlsOnlyBucketPolicy("arn:aws:s3:::b").Statement).to.deep.equal([
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                Condition: { Bool: { "aws:SecureTransport": false } },
            },
        ]);
        expect(alarmTopicPolicy(SCOPE, "arn:aws:sns:eu-west-1:111122223333:t").Statement).to.deep.equal([
            {
                Sid: "CloudWatchAlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: "sns:Publish",
                Resource: "arn:aws:sns:eu-west-1:111122223333:t",
                Condition: {
                    StringEquals: { "aws:SourceAccount": "111122223333" },
                    ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:*" },
                },
            },
        ]);
    });
});
