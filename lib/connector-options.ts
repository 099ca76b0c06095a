/**
 * Connector options for the runner's tables (Flink `WITH (...)` clauses), per stack.
 * Option keys are those of flink-connector-kinesis and flink-connector-aws-kinesis-firehose 4.3.0
 * (see docs/CONTRACTS.md). A local run adds only endpoint and credential overrides.
 */

/** How an app reads its Kinesis source. */
export interface KinesisSourceArgs {
    streamName: string;
    region: string;
    /** `EFO` for attached streams (own throughput), `POLLING` for streams this stack created. */
    readMode: "EFO" | "POLLING";
    /** ARN of the enhanced fan-out consumer Pulumi registered; required with `EFO`. */
    consumerArn?: string;
    /** Where an app without state starts reading. Default `TRIM_HORIZON`, so no retained record is skipped. */
    startPosition?: "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP";
    /** With `AT_TIMESTAMP`: ISO-8601 with a zone. */
    startTimestamp?: string;
    /** Milliseconds between two GetRecords calls per shard (POLLING). Default the connector's 200 ms. */
    pollIntervalMs?: number;
}

/** Kinesis allows 5 GetRecords calls per second per shard, across every consumer that polls it. */
export const GET_RECORDS_PER_SHARD_PER_SECOND = 5;

/**
 * The polling interval of each of `pollingApps` apps that poll one stream, so that together they stay
 * within Kinesis's 5 GetRecords calls per second per shard: 200 ms for one app (the connector default),
 * 400 ms for two, 1000 ms for five. Pure.
 */
export function pollIntervalMs(pollingApps: number): number {
    return Math.ceil((1000 * Math.max(1, pollingApps)) / GET_RECORDS_PER_SHARD_PER_SECOND);
}

export function kinesisSourceOptions(args: KinesisSourceArgs): Record<string, string> {
    const options: Record<string, string> = {
        connector: "kinesis",
        stream: args.streamName,
        "aws.region": args.region,
        format: "raw",
        "scan.stream.initpos": args.startPosition ?? "TRIM_HORIZON",
        "scan.stream.recordpublisher": args.readMode,
    };
    if (args.startPosition === "AT_TIMESTAMP") {
        if (!args.startTimestamp) throw new Error(`source '${args.streamName}': AT_TIMESTAMP needs startTimestamp`);
        // The connector reads this format (ISO-8601 with an offset) as the start instant.
        options["scan.stream.initpos-timestamp"] = isoWithOffsetMillis(args.startTimestamp);
        options["scan.stream.initpos-timestamp-format"] = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX";
    }
    if (args.readMode === "POLLING" && args.pollIntervalMs !== undefined) {
        options["scan.shard.getrecords.intervalmillis"] = String(args.pollIntervalMs);
    }
    if (args.readMode === "EFO") {
        if (!args.consumerArn) throw new Error(`EFO source '${args.streamName}' needs the consumer ARN`);
        // The consumer is registered by Pulumi (aws.kinesis.StreamConsumer), so the job never registers or
        // deregisters one itself: no ListStreamConsumers/RegisterStreamConsumer calls, no shared quota.
        options["scan.stream.efo.registration"] = "NONE";
        options["scan.stream.efo.consumername"] = consumerNameFromArn(args.consumerArn);
        options[`scan.stream.efo.consumerarn.${args.streamName}`] = args.consumerArn;
    }
    return options;
}

/** `2026-11-27T10:00:00Z` -> `2026-11-27T10:00:00.000Z`: the instant with milliseconds, as UTC. Pure. */
export function isoWithOffsetMillis(iso: string): string {
    return new Date(Date.parse(iso)).toISOString();
}

function consumerNameFromArn(arn: string): string {
    const m = /\/consumer\/([^:]+):/.exec(arn);
    return m ? m[1] : arn;
}

/** How an app reads the S3 objects an existing Firehose delivers (source `mode: firehose`). */
export interface FirehoseObjectsSourceArgs {
    bucket: string;
    /** Key prefix, `''` or ending with `/`. */
    prefix: string;
    compression: "NONE" | "GZIP";
    recordSeparator: "newline" | "none";
    /** Seconds between two listings of the prefix. */
    discoveryIntervalSeconds: number;
    /** Where an app without state starts: objects delivered from its first start on (`LATEST`, the default), all of them, or from a time. */
    startPosition?: "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP";
    /** With `AT_TIMESTAMP`: ISO-8601 with a zone; objects last modified at or after it are read. */
    startTimestamp?: string;
}

/** The runner's `firehose-objects` connector (runner FirehoseObjects*, docs/CONTRACTS.md). Pure. */
export function firehoseObjectsSourceOptions(args: FirehoseObjectsSourceArgs): Record<string, string> {
    const options: Record<string, string> = {
        connector: "firehose-objects",
        path: `s3://${args.bucket}/${args.prefix}`,
        compression: args.compression.toLowerCase(),
        "record-separator": args.recordSeparator,
        start: args.startPosition ?? "LATEST",
        "discovery-interval": `${args.discoveryIntervalSeconds} s`,
    };
    if (args.startPosition === "AT_TIMESTAMP") {
        if (!args.startTimestamp) throw new Error(`source s3://${args.bucket}/${args.prefix}: AT_TIMESTAMP needs startTimestamp`);
        options["start.timestamp"] = isoWithOffsetMillis(args.startTimestamp);
    }
    return options;
}

export interface FirehoseSinkArgs {
    deliveryStreamName: string;
    /** The lake's region: Flink apps in every source region write across regions to the lake's Firehoses. */
    region: string;
}

export function firehoseSinkOptions(args: FirehoseSinkArgs): Record<string, string> {
    return {
        connector: "firehose",
        "delivery-stream": args.deliveryStreamName,
        "aws.region": args.region,
        format: "json",
        // "yyyy-MM-dd HH:mm:ss[.f...]" (no fraction when it is zero): what java.sql.Timestamp.valueOf, the Hive JSON SerDe's default, reads.
        "json.timestamp-format.standard": "SQL",
        "json.encode.decimal-as-plain-number": "true",
    };
}

/** Local-only overrides: a loopback endpoint and static fake credentials. Nothing else changes. */
export function localEndpointOverrides(endpoint: string): Record<string, string> {
    return {
        "aws.endpoint": endpoint,
        "aws.trust.all.certificates": "true",
        "aws.credentials.provider": "BASIC",
        "aws.credentials.basic.accesskeyid": "local",
        "aws.credentials.basic.secretkey": "local",
    };
}
