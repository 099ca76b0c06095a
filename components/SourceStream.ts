import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SourceStreamConfig } from "../lib/config";
import { SourceAccess, SourceKey, sourceKeyOf } from "../lib/iam/region-policies";
import { appResourceName, StackId } from "../lib/naming";
import { currentStackId } from "../lib/pulumi-config";

export interface SourceStreamArgs {
    /** The validated source config (`clickstream:sources.<name>`). Decides which resources exist. */
    readonly source: SourceStreamConfig;
    /** Apps reading this source (config keys). For an attached stream, one EFO consumer each. */
    readonly readers: string[];
    /** KMS key (rotation on) that encrypts a created stream. Required with `mode: create`; unused for `attach`. */
    readonly kmsKey?: aws.kms.Key;
    /** Project and stack, for the consumers' names (`appResourceName`). Default the running stack's. */
    readonly stackId?: StackId;
}

/**
 * One source of a region: a Kinesis data stream this stack creates, an existing stream attached by
 * name, or the S3 objects an existing Firehose delivers. An attached stream is only looked up
 * (`aws.kinesis.getStreamOutput`); the one thing registered on it is an enhanced fan-out consumer per
 * app, so existing consumers keep their read throughput and nothing about the stream itself is
 * created, modified or deleted. For a Firehose-fed source only the bucket is looked up (its ARN and
 * region, and it must exist at preview); nothing is created, and the delivery stream, the bucket, its
 * policy and its notifications are never touched: the apps' roles get read access to the prefix.
 */
export class SourceStream extends pulumi.ComponentResource {
    /** Kinesis stream name, or the delivery stream's for `mode: firehose` (plain: it comes from config). */
    public readonly streamName: string;
    public readonly mode: SourceStreamConfig["mode"];
    /** `POLLING` for a created stream (this stack owns its throughput), `EFO` for an attached one, `OBJECTS` for a Firehose's objects. */
    public readonly readMode: "EFO" | "POLLING" | "OBJECTS";
    /** The Kinesis stream's ARN; undefined for `mode: firehose`. */
    public readonly streamArn?: pulumi.Output<string>;
    /** `mode: firehose`: the bucket the delivery stream writes to. */
    public readonly bucketArn?: pulumi.Output<string>;
    private readonly objects?: pulumi.Output<Extract<SourceAccess, { readMode: "OBJECTS" }>>;
    /** The created stream; undefined for an attached stream. */
    public readonly stream?: aws.kinesis.Stream;
    /** EFO consumers by app name (attached streams only). */
    public readonly consumers: Record<string, aws.kinesis.StreamConsumer>;
    /** How the stream's records are encrypted, for the readers' `kms:Decrypt`. */
    public readonly sourceKey: pulumi.Output<SourceKey>;

    constructor(name: string, args: SourceStreamArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clickstream:index:SourceStream", name, {}, opts);
        const { source } = args;
        const stackId = args.stackId ?? currentStackId();
        this.streamName = source.streamName;
        this.mode = source.mode;
        this.consumers = {};

        if (source.mode === "firehose") {
            this.readMode = "OBJECTS";
            const bucket = aws.s3.getBucketOutput({ bucket: source.bucket }, { parent: this });
            this.bucketArn = bucket.arn;
            this.objects = pulumi.all([bucket.arn, bucket.bucketRegion]).apply(([bucketArn, bucketRegion]) => ({
                readMode: "OBJECTS" as const,
                bucketArn,
                bucketRegion,
                prefix: source.prefix,
                ...(source.kmsKeyArn ? { kmsKeyArn: source.kmsKeyArn } : {}),
            }));
            // The objects' key, if any, is granted with the S3 statements (objectsSourceStatements).
            this.sourceKey = pulumi.output<SourceKey>({ kind: "none" });
        } else if (source.mode === "create") {
            if (!args.kmsKey) throw new pulumi.ResourceError(`source '${source.name}' (mode: create) needs kmsKey to encrypt the stream`, this);
            const provisioned = source.capacity === "provisioned";
            this.readMode = "POLLING";
            this.stream = new aws.kinesis.Stream(
                `${name}-stream`,
                {
                    name: source.streamName,
                    streamModeDetails: { streamMode: provisioned ? "PROVISIONED" : "ON_DEMAND" },
                    shardCount: provisioned ? source.shards : undefined,
                    retentionPeriod: source.retentionHours,
                    encryptionType: "KMS",
                    kmsKeyId: args.kmsKey.arn,
                    // Stream-level metrics (IncomingRecords, WriteProvisionedThroughputExceeded) are free;
                    // enhanced shard-level metrics are billed, so none.
                    shardLevelMetrics: [],
                    // `pulumi destroy` removes the stream even if someone registered an extra consumer on it.
                    enforceConsumerDeletion: true,
                },
                { parent: this },
            );
            this.streamArn = this.stream.arn;
            const keyArn = args.kmsKey.arn;
            this.sourceKey = keyArn.apply((keyArn): SourceKey => ({ kind: "key", keyArn }));
        } else {
            this.readMode = "EFO";
            const existing = aws.kinesis.getStreamOutput({ name: source.streamName }, { parent: this });
            this.streamArn = existing.arn;
            this.sourceKey = pulumi
                .all([existing.encryptionType, existing.kmsKeyId, existing.arn])
                .apply(([type, keyId, arn]) => sourceKeyOf(type, keyId, arn));
            for (const app of args.readers) {
                this.consumers[app] = new aws.kinesis.StreamConsumer(
                    `${name}-${app}-consumer`,
                    { name: appResourceName(stackId, app), streamArn: existing.arn },
                    // The name is fixed (the app's properties refer to it), so a replacement must free it first.
                    { parent: this, deleteBeforeReplace: true },
                );
            }
        }

        this.registerOutputs({ streamArn: this.streamArn, bucketArn: this.bucketArn, streamName: this.streamName, readMode: this.readMode });
    }

    /** How one of its readers reads it: polling the stream, or through the reader's own EFO consumer. */
    public accessFor(app: string): pulumi.Output<SourceAccess> {
        if (this.objects) return this.objects;
        const streamArn = this.streamArn!;
        if (this.readMode === "POLLING") return streamArn.apply((arn): SourceAccess => ({ readMode: "POLLING", streamArn: arn }));
        const consumer = this.consumers[app];
        if (!consumer) throw new pulumi.ResourceError(`app '${app}' does not read source '${this.streamName}'; list it in readers`, this);
        return pulumi.all([streamArn, consumer.arn]).apply(([arn, consumerArn]): SourceAccess => ({ readMode: "EFO", streamArn: arn, consumerArn }));
    }
}
