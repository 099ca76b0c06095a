/**
 * The Kinesis side of a local run: the `kinesis-local` emulator (etspaceman/kinesis-mock compiled to
 * JavaScript) on loopback, the stack's source streams, and a paced PutRecords sender.
 */
import * as fs from "fs";
import * as path from "path";
import {
    CreateStreamCommand,
    DescribeStreamSummaryCommand,
    KinesisClient,
    PutRecordsCommand,
    PutRecordsRequestEntry,
    RegisterStreamConsumerCommand,
    DescribeStreamConsumerCommand,
    GetRecordsCommand,
    GetShardIteratorCommand,
    ListShardsCommand,
} from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { delay, freePort, Managed, ProcessGroup, waitForPort } from "./processes";

/** Measured on this machine: about 1,500 records/s with 8 shards, i.e. roughly 190 per shard. */
export const RECORDS_PER_SHARD = 150;

/**
 * Shards for a stream: enough for its rate at ~150 records/s per shard (the emulator's measured limit
 * with headroom), at least 1, at most 32. Pure. Fewer shards also mean less read skew between shards,
 * which is what could push the watermark past an in-flight event (docs/LOCAL.md, "Determinism").
 */
export function shardsForRate(rate: number): number {
    return Math.min(32, Math.max(1, Math.ceil(rate / RECORDS_PER_SHARD)));
}

export interface Emulator {
    endpoint: string;
    process: Managed;
    client: KinesisClient;
}

export function kinesisClient(endpoint: string, region: string): KinesisClient {
    // Plain HTTP/1.1: the SDK's default HTTP/2 handler (for SubscribeToShard) cannot talk to a plain port.
    return new KinesisClient({
        endpoint,
        region,
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
        requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30000 }),
        maxAttempts: 5,
    });
}

/** Starts kinesis-local on free loopback ports; resolves once it answers. */
export async function startEmulator(group: ProcessGroup, region: string, logFile: string): Promise<Emulator> {
    const main = require.resolve("kinesis-local/main.js");
    const [plain, tls] = [await freePort(), await freePort()];
    const proc = group.spawn("kinesis-local", process.execPath, ["-r", path.join(__dirname, "loopback-only.js"), main], {
        env: {
            ...process.env,
            KINESIS_MOCK_PLAIN_PORT: String(plain),
            KINESIS_MOCK_TLS_PORT: String(tls),
            KINESIS_MOCK_CERT_PATH: path.join(path.dirname(main), "server.json"),
            AWS_REGION: region,
            LOG_LEVEL: "WARN",
            SHOULD_PERSIST_DATA: "false",
            LOAD_DATA_IF_EXISTS: "false",
            CREATE_STREAM_DURATION: "100ms",
            REGISTER_STREAM_CONSUMER_DURATION: "100ms",
            SHARD_LIMIT: "200",
        },
        logFile,
    });
    await waitForPort(plain, 30_000, () => proc.child.exitCode === null);
    const endpoint = `http://127.0.0.1:${plain}`;
    return { endpoint, process: proc, client: kinesisClient(endpoint, region) };
}

export async function createStream(client: KinesisClient, name: string, shards: number): Promise<string> {
    await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    for (let i = 0; i < 200; i++) {
        const d = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
        if (d.StreamDescriptionSummary?.StreamStatus === "ACTIVE") return d.StreamDescriptionSummary.StreamARN!;
        await delay(100);
    }
    throw new Error(`stream ${name} did not become ACTIVE`);
}

/** Registers an enhanced fan-out consumer (what Pulumi does for an attached stream); returns its ARN. */
export async function registerConsumer(client: KinesisClient, streamArn: string, name: string): Promise<string> {
    const r = await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name }));
    const arn = r.Consumer!.ConsumerARN!;
    for (let i = 0; i < 100; i++) {
        const d = await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: arn }));
        if (d.ConsumerDescription?.ConsumerStatus === "ACTIVE") return arn;
        await delay(100);
    }
    throw new Error(`consumer ${name} did not become ACTIVE`);
}

export interface OutgoingRecord {
    stream: string;
    partitionKey: string;
    data: string;
    /** Puts the record on the shard whose hash key range holds this value (as Kinesis does). */
    explicitHashKey?: string;
}

export interface SentRecord {
    shardId: string;
    sentMs: number;
}

/**
 * Puts records in PutRecords batches (≤ 500 per call), retrying throttled entries. Resolves with the
 * shard and the time each record was accepted, in input order.
 */
export async function putBatch(client: KinesisClient, stream: string, records: OutgoingRecord[]): Promise<SentRecord[]> {
    const out: SentRecord[] = new Array(records.length);
    let pending = records.map((r, i) => ({ r, i }));
    for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 20) throw new Error(`PutRecords to ${stream}: ${pending.length} records still throttled after 20 attempts`);
        if (attempt > 0) await delay(Math.min(1000, 50 * 2 ** attempt));
        const entries: PutRecordsRequestEntry[] = pending.map(({ r }) => ({
            Data: Buffer.from(r.data, "utf8"),
            PartitionKey: r.partitionKey,
            ...(r.explicitHashKey !== undefined ? { ExplicitHashKey: r.explicitHashKey } : {}),
        }));
        const res = await client.send(new PutRecordsCommand({ StreamName: stream, Records: entries }));
        const now = Date.now();
        const retry: typeof pending = [];
        res.Records!.forEach((rr, k) => {
            if (rr.ErrorCode) retry.push(pending[k]);
            else out[pending[k].i] = { shardId: rr.ShardId!, sentMs: now };
        });
        pending = retry;
    }
    return out;
}

/** Reads the `<flink.add-opens>` JVM flags from runner/pom.xml (one list for tests, bench and local runs). */
export function addOpensFromPom(pomFile: string): string[] {
    const m = /<flink\.add-opens>([^<]+)<\/flink\.add-opens>/.exec(fs.readFileSync(pomFile, "utf8"));
    return m ? m[1].trim().split(/\s+/) : [];
}

/** A record as the stream holds it: its shard, sequence number, `ApproximateArrivalTimestamp` (ms) and data. */
export interface ArrivedRecord {
    shardId: string;
    sequenceNumber: string;
    arrivalMs: number;
    data: string;
}

/**
 * Reads every record of a stream back (each shard from TRIM_HORIZON until it is caught up), with the
 * arrival time the emulator gave it: what a KA application's ROWTIME is (docs/KA-MIGRATION.md).
 */
export async function readStream(client: KinesisClient, stream: string): Promise<ArrivedRecord[]> {
    const out: ArrivedRecord[] = [];
    const shards = (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
    for (const shard of shards) {
        let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId!, ShardIteratorType: "TRIM_HORIZON" })))
            .ShardIterator;
        while (iterator) {
            const r = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
            for (const rec of r.Records ?? [])
                out.push({
                    shardId: shard.ShardId!,
                    sequenceNumber: rec.SequenceNumber!,
                    arrivalMs: rec.ApproximateArrivalTimestamp!.getTime(),
                    data: Buffer.from(rec.Data!).toString("utf8"),
                });
            if ((r.Records ?? []).length === 0 && (r.MillisBehindLatest ?? 0) === 0) break;
            iterator = r.NextShardIterator;
        }
    }
    return out;
}
