/**
 * Pure IAM, key and bucket policy documents of the lake stack. Components resolve their inputs and pass
 * plain strings; tests call these directly and compare whole statements.
 *
 * Rule: no `*` or `service:*` actions, and every `Resource` is an ARN of this lake. The one exception is
 * the KMS key policy, where `Resource: "*"` is how AWS spells "this key" (a key policy can name no other
 * resource), see {@link lakeKeyPolicy}.
 */
import { ERROR_PREFIX_ROOT, outputPrefix } from "../naming";
import {
    AccountScope,
    alarmTopicKeyStatements,
    logsEncryptionStatement,
    PolicyDocument,
    policyDocument,
    PolicyStatement,
    tlsOnlyBucketPolicy,
} from "./documents";

export { PolicyDocument, PolicyStatement, tlsOnlyBucketPolicy };

const doc = (...statements: PolicyStatement[]): PolicyDocument => policyDocument(statements);

/** Glue ARNs that a table-level action needs: the catalog, the database, and the tables. */
export function glueArns(scope: AccountScope, database: string, tables: string[]): string[] {
    const base = `arn:${scope.partition}:glue:${scope.region}:${scope.accountId}`;
    return [`${base}:catalog`, `${base}:database/${database}`, ...tables.map((t) => `${base}:table/${database}/${t}`)];
}

/** A CloudWatch Logs log-group ARN (without the `:*` suffix). */
export function logGroupArn(scope: AccountScope, logGroupName: string): string {
    return `arn:${scope.partition}:logs:${scope.region}:${scope.accountId}:log-group:${logGroupName}`;
}

/** Key administration and use by the account's IAM principals (what IAM policies then narrow down). */
export const KEY_ACCOUNT_ACTIONS = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
];

/**
 * The lake key's policy.
 * - The account (its IAM principals, through their own policies) administers and uses the key; the
 *   actions are listed, not `kms:*`. `Resource: "*"` in a key policy means "this key" and nothing else.
 * - CloudWatch Logs encrypts this stack's log groups (Firehose, partition registrar) with it (`logsEncryptionStatement`), limited by
 *   the `aws:logs:arn` encryption context to log groups of this account and region.
 * - CloudWatch alarms publish to the KMS-encrypted alarm topic, and SNS reads the messages to deliver
 *   them (`alarmTopicKeyStatements`, the same as the region key's).
 */
export function lakeKeyPolicy(scope: AccountScope): PolicyDocument {
    return doc(
        {
            Sid: "AccountAdministersAndUsesKey",
            Effect: "Allow",
            Principal: { AWS: `arn:${scope.partition}:iam::${scope.accountId}:root` },
            Action: KEY_ACCOUNT_ACTIONS,
            Resource: "*",
        },
        logsEncryptionStatement(scope.partition, scope.region, scope.accountId),
        ...alarmTopicKeyStatements(scope.accountId),
    );
}

/** Trust policy for a role that one AWS service assumes. */
export function serviceTrustPolicy(services: string | string[], condition?: PolicyStatement["Condition"]): PolicyDocument {
    return doc({
        Effect: "Allow",
        Principal: { Service: services },
        Action: "sts:AssumeRole",
        ...(condition ? { Condition: condition } : {}),
    });
}

/** Firehose assumes its role only on behalf of this account (the confused-deputy guard Firehose documents). */
export function firehoseTrustPolicy(accountId: string): PolicyDocument {
    return serviceTrustPolicy("firehose.amazonaws.com", { StringEquals: { "sts:ExternalId": accountId } });
}

export interface FirehoseDeliveryPolicyArgs extends AccountScope {
    bucketArn: string;
    /** The output; the role writes only under `<output>/` and `errors/<output>/`. */
    output: string;
    database: string;
    kmsKeyArn: string;
    logGroupName: string;
    logStreamName: string;
}

/** Least privilege for one output's Firehose: its prefixes, its Glue table, the lake key via S3, its log stream. */
export function firehoseDeliveryPolicy(a: FirehoseDeliveryPolicyArgs): PolicyDocument {
    const objects = [`${a.bucketArn}/${outputPrefix(a.output)}*`, `${a.bucketArn}/${ERROR_PREFIX_ROOT}${a.output}/*`];
    return doc(
        {
            Sid: "S3Bucket",
            Effect: "Allow",
            Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
            Resource: a.bucketArn,
        },
        {
            Sid: "S3OutputObjects",
            Effect: "Allow",
            Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
            Resource: objects,
        },
        {
            Sid: "GlueSchemaForConversion",
            Effect: "Allow",
            Action: ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
            Resource: glueArns(a, a.database, [a.output]),
        },
        {
            Sid: "LakeKeyThroughS3",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: a.kmsKeyArn,
            Condition: {
                StringEquals: { "kms:ViaService": `s3.${a.region}.amazonaws.com` },
                // With an S3 Bucket Key the context is the bucket ARN; without one, the object ARN.
                StringLike: { "kms:EncryptionContext:aws:s3:arn": [a.bucketArn, ...objects] },
            },
        },
        {
            Sid: "ErrorLogging",
            Effect: "Allow",
            Action: ["logs:PutLogEvents"],
            Resource: `${logGroupArn(a, a.logGroupName)}:log-stream:${a.logStreamName}`,
        },
    );
}

export interface PartitionRegistrarPolicyArgs extends AccountScope {
    database: string;
    tables: string[];
    logGroupName: string;
}

/** The registrar reads each table's StorageDescriptor and adds partitions; nothing else. */
export function partitionRegistrarPolicy(a: PartitionRegistrarPolicyArgs): PolicyDocument {
    return doc(
        {
            Sid: "RegisterPartitions",
            Effect: "Allow",
            Action: ["glue:BatchCreatePartition", "glue:GetPartition", "glue:GetTable"],
            Resource: glueArns(a, a.database, a.tables),
        },
        {
            Sid: "OwnLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${logGroupArn(a, a.logGroupName)}:log-stream:*`,
        },
    );
}

export interface SpectrumPolicyArgs extends AccountScope {
    database: string;
    bucketArn: string;
    outputs: string[];
    kmsKeyArn: string;
}

/** Redshift Spectrum reads this Glue database and the outputs' prefixes of this bucket, and nothing else. */
export function spectrumPolicy(a: SpectrumPolicyArgs): PolicyDocument {
    const base = `arn:${a.partition}:glue:${a.region}:${a.accountId}`;
    return doc(
        {
            Sid: "GlueCatalogRead",
            Effect: "Allow",
            Action: ["glue:BatchGetPartition", "glue:GetDatabase", "glue:GetPartition", "glue:GetPartitions", "glue:GetTable", "glue:GetTables"],
            Resource: [`${base}:catalog`, `${base}:database/${a.database}`, `${base}:table/${a.database}/*`],
        },
        {
            Sid: "BucketLocation",
            Effect: "Allow",
            Action: ["s3:GetBucketLocation"],
            Resource: a.bucketArn,
        },
        {
            Sid: "ListOutputPrefixes",
            Effect: "Allow",
            Action: ["s3:ListBucket"],
            Resource: a.bucketArn,
            Condition: { StringLike: { "s3:prefix": a.outputs.map((o) => `${outputPrefix(o)}*`) } },
        },
        {
            Sid: "ReadOutputObjects",
            Effect: "Allow",
            Action: ["s3:GetObject"],
            Resource: a.outputs.map((o) => `${a.bucketArn}/${outputPrefix(o)}*`),
        },
        {
            Sid: "DecryptLakeObjects",
            Effect: "Allow",
            Action: ["kms:Decrypt"],
            Resource: a.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `s3.${a.region}.amazonaws.com` } },
        },
    );
}

/** Services that assume the Spectrum role: Redshift, plus Redshift Serverless for serverless targets. */
export function spectrumTrustServices(mode: "none" | "cluster" | "serverless" | "create-serverless"): string[] {
    return mode === "cluster" ? ["redshift.amazonaws.com"] : ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"];
}
