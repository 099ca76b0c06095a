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
    /** Where a new app starts reading. Default `TRIM_HORIZON`, so no retained record is skipped. */
    startPosition?: "TRIM_HORIZON" | "LATEST";
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

function consumerNameFromArn(arn: string): string {
    const m = /\/consumer\/([^:]+):/.exec(arn);
    return m ? m[1] : arn;
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
        // "yyyy-MM-dd HH:mm:ss.SSS": what Firehose's Hive JSON deserializer reads as a timestamp.
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
