/**
 * Pure IAM and resource-policy documents of a region stack. They take resolved values (ARNs, account,
 * region) and return plain JSON-ready objects, so tests assert every statement exactly and the
 * components call them inside one `pulumi.all(...).apply(...)` that creates no resources.
 *
 * No statement grants `*` or `service:*` actions. The only `Resource: "*"` entries are in the KMS key
 * policy, where `*` means "this key" (a key policy cannot name its own key's ARN).
 */
import {
    AccountScope,
    alarmTopicKeyStatements,
    alarmTopicPolicy,
    logsEncryptionStatement,
    PolicyDocument,
    policyDocument as doc,
    PolicyStatement,
    tlsOnlyBucketPolicy,
} from "./documents";

export { alarmTopicPolicy, PolicyDocument, PolicyStatement, tlsOnlyBucketPolicy };

/** `arn:<partition>:kinesisanalytics:<region>:<account>:application/<name>`. */
export function flinkApplicationArn(scope: AccountScope, applicationName: string): string {
    return `arn:${scope.partition}:kinesisanalytics:${scope.region}:${scope.accountId}:application/${applicationName}`;
}

/**
 * Trust policy of a Managed Flink application's role: only the Managed Flink service, only on behalf of
 * this account and this one application (confused-deputy protection).
 */
export function flinkAssumeRolePolicy(scope: AccountScope, applicationName: string): PolicyDocument {
    return doc([
        {
            Sid: "ManagedFlinkAssumeRole",
            Effect: "Allow",
            Principal: { Service: "kinesisanalytics.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: {
                StringEquals: { "aws:SourceAccount": scope.accountId },
                ArnEquals: { "aws:SourceArn": flinkApplicationArn(scope, applicationName) },
            },
        },
    ]);
}

/** How the application reads its source. */
export type SourceAccess =
    | { readMode: "POLLING"; streamArn: string }
    | { readMode: "EFO"; streamArn: string; consumerArn: string }
    /** A Firehose's S3 objects: the bucket (ARN and region), the key prefix, and the bucket's KMS key if any. */
    | { readMode: "OBJECTS"; bucketArn: string; bucketRegion: string; prefix: string; kmsKeyArn?: string };

/**
 * How the source stream's records are encrypted, as far as the reader is concerned:
 * - `none`: not encrypted, or encrypted with the AWS managed key `alias/aws/kinesis` (its key policy
 *   already lets every principal of the account decrypt through Kinesis), so no KMS statement;
 * - `key`: a customer managed key, by ARN: `kms:Decrypt` on exactly that key;
 * - `alias`: a customer managed key known only by an alias (an attached stream configured with one):
 *   `kms:Decrypt` on the account's keys, limited to the key carrying that alias (`kms:ResourceAliases`)
 *   and to use through Kinesis for this stream (`kms:ViaService`, `kms:EncryptionContext:aws:kinesis:arn`).
 */
export type SourceKey = { kind: "none" } | { kind: "key"; keyArn: string } | { kind: "alias"; alias: string; keyAccountArnPrefix: string };

/**
 * Classifies a stream's `encryptionType`/`kmsKeyId` (as `aws.kinesis.getStream` returns them for an
 * attached stream). `kmsKeyId` may be a key ARN, a key id, an alias name or an alias ARN.
 */
export function sourceKeyOf(encryptionType: string | undefined, kmsKeyId: string | undefined, streamArn: string): SourceKey {
    if (encryptionType !== "KMS" || !kmsKeyId) return { kind: "none" };
    const [, partition, , region, accountId] = streamArn.split(":");
    const keyPrefix = `arn:${partition}:kms:${region}:${accountId}:key/`;
    if (/^arn:[^:]+:kms:[^:]*:\d{12}:key\//.test(kmsKeyId)) return { kind: "key", keyArn: kmsKeyId };
    if (/^(mrk-)?[0-9a-f-]{32,36}$/i.test(kmsKeyId)) return { kind: "key", keyArn: `${keyPrefix}${kmsKeyId}` };
    const alias = /(?:^|:)(alias\/.+)$/.exec(kmsKeyId)?.[1] ?? kmsKeyId;
    if (alias === "alias/aws/kinesis") return { kind: "none" };
    const aliasArn = /^arn:[^:]+:kms:([^:]*):(\d{12}):alias\//.exec(kmsKeyId);
    const prefix = aliasArn ? `arn:${partition}:kms:${aliasArn[1]}:${aliasArn[2]}:key/` : keyPrefix;
    return { kind: "alias", alias, keyAccountArnPrefix: prefix };
}

export interface FlinkAppPolicyArgs {
    /** Where the application runs (its log groups' account and region). */
    scope: AccountScope;
    source: SourceAccess;
    /** Encryption of the source stream (see `sourceKeyOf`; a stream this stack created uses its key ARN). */
    sourceKey: SourceKey;
    /** The lake's Firehose ARNs of the outputs this app fills. */
    firehoseArns: string[];
    /** `arn:aws:s3:::<artifacts bucket>/<runner object key>`. */
    runnerObjectArn: string;
    /** KMS key that encrypts the artifacts bucket. */
    artifactsKeyArn: string;
    /** The app's own log group ARN (`arn:aws:logs:<r>:<a>:log-group:<name>`, without `:*`). */
    logGroupArn: string;
    /** The app's own log stream ARN. */
    logStreamArn: string;
}

/**
 * Permissions of one Managed Flink application: its source (and consumer), the lake Firehoses of its
 * outputs, its code object, and its own logs. Nothing else.
 *
 * No `cloudwatch:PutMetricData`: Managed Flink publishes the application's metrics (including Flink
 * metric groups) to `AWS/KinesisAnalytics` itself, not through the execution role. Were it needed, it
 * would have to be `Resource: "*"` (CloudWatch offers no resource-level scoping) limited by a
 * `cloudwatch:namespace` condition.
 */
export function flinkAppPolicy(args: FlinkAppPolicyArgs): PolicyDocument {
    const statements: PolicyStatement[] = [];
    if (args.source.readMode === "OBJECTS") {
        statements.push(...objectsSourceStatements(args.source));
    } else if (args.source.readMode === "POLLING") {
        statements.push({
            Sid: "ReadSourceStream",
            Effect: "Allow",
            Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"],
            Resource: args.source.streamArn,
        });
    } else {
        statements.push(
            {
                Sid: "DescribeSourceStream",
                Effect: "Allow",
                Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards"],
                Resource: args.source.streamArn,
            },
            {
                Sid: "ReadThroughOwnConsumer",
                Effect: "Allow",
                Action: ["kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard"],
                Resource: args.source.consumerArn,
            },
        );
    }
    const keys = [...new Set([...(args.sourceKey.kind === "key" ? [args.sourceKey.keyArn] : []), args.artifactsKeyArn])];
    statements.push({ Sid: "DecryptSourceAndCode", Effect: "Allow", Action: "kms:Decrypt", Resource: keys.length === 1 ? keys[0] : keys });
    if (args.sourceKey.kind === "alias" && args.source.readMode !== "OBJECTS") {
        const region = args.source.streamArn.split(":")[3];
        statements.push({
            Sid: "DecryptSourceByAlias",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: `${args.sourceKey.keyAccountArnPrefix}*`,
            Condition: {
                "ForAnyValue:StringEquals": { "kms:ResourceAliases": args.sourceKey.alias },
                StringEquals: { "kms:ViaService": `kinesis.${region}.amazonaws.com`, "kms:EncryptionContext:aws:kinesis:arn": args.source.streamArn },
            },
        });
    }
    if (args.firehoseArns.length > 0) {
        statements.push({
            Sid: "WriteLakeFirehoses",
            Effect: "Allow",
            Action: ["firehose:DescribeDeliveryStream", "firehose:PutRecord", "firehose:PutRecordBatch"],
            Resource: [...args.firehoseArns],
        });
    }
    statements.push(
        {
            Sid: "ReadRunnerJar",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:GetObjectVersion"],
            Resource: args.runnerObjectArn,
        },
        {
            // The runner's CloudWatch logging looks its group up by listing; DescribeLogGroups has no
            // resource narrower than the account's log groups in the region (AWS's Managed Flink logging policy).
            Sid: "ListLogGroups",
            Effect: "Allow",
            Action: "logs:DescribeLogGroups",
            Resource: `arn:${args.scope.partition}:logs:${args.scope.region}:${args.scope.accountId}:log-group:*`,
        },
        {
            Sid: "DescribeOwnLogStreams",
            Effect: "Allow",
            Action: "logs:DescribeLogStreams",
            Resource: `${args.logGroupArn}:log-stream:*`,
        },
        {
            Sid: "WriteOwnLogStream",
            Effect: "Allow",
            Action: "logs:PutLogEvents",
            Resource: args.logStreamArn,
        },
    );
    return doc(statements);
}

/**
 * Reading what a Firehose delivers under `prefix`: listing only that prefix, getting only its objects
 * (and the prefix's own key, which Flink's S3 file system probes when it opens the folder), and, when
 * the bucket uses SSE-KMS, decrypting with its key through S3 of the bucket's region only. Pure.
 */
export function objectsSourceStatements(source: Extract<SourceAccess, { readMode: "OBJECTS" }>): PolicyStatement[] {
    const folder = source.prefix.replace(/\/$/, "");
    const statements: PolicyStatement[] = [
        {
            Sid: "ListSourceObjects",
            Effect: "Allow",
            Action: "s3:ListBucket",
            Resource: source.bucketArn,
            ...(source.prefix ? { Condition: { StringLike: { "s3:prefix": [folder, `${source.prefix}*`] } } } : {}),
        },
        {
            Sid: "ReadSourceObjects",
            Effect: "Allow",
            Action: "s3:GetObject",
            Resource: source.prefix ? [`${source.bucketArn}/${folder}`, `${source.bucketArn}/${source.prefix}*`] : `${source.bucketArn}/*`,
        },
    ];
    if (source.kmsKeyArn) {
        statements.push({
            Sid: "DecryptSourceObjects",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: source.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `s3.${source.bucketRegion}.amazonaws.com` } },
        });
    }
    return statements;
}

/**
 * Administration actions of the account on the region key. Listed rather than `kms:*` so that no
 * statement of the program grants a whole service; it keeps `PutKeyPolicy` so the key can never
 * become unmanageable.
 */
export const KEY_ADMIN_ACTIONS = [
    "kms:CancelKeyDeletion",
    "kms:Create*",
    "kms:Decrypt",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:Get*",
    "kms:List*",
    "kms:Put*",
    "kms:ReEncrypt*",
    "kms:Revoke*",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
];

/**
 * Key policy of the region's KMS key (streams, artifacts bucket, log groups, alarm topic):
 * - the account administers it and grants its use through IAM (the app roles' `kms:Decrypt`, producers);
 * - CloudWatch Logs encrypts this account's log groups in this region with it;
 * - CloudWatch alarms can publish to the KMS-encrypted alarm topic (they need a data key);
 * - SNS can use it for this account's topics.
 */
export function regionKeyPolicy(scope: AccountScope): PolicyDocument {
    const { partition, accountId, region } = scope;
    return doc([
        {
            Sid: "AccountAdministersKey",
            Effect: "Allow",
            Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
            Action: KEY_ADMIN_ACTIONS,
            Resource: "*",
        },
        logsEncryptionStatement(partition, region, accountId),
        ...alarmTopicKeyStatements(accountId),
    ]);
}
