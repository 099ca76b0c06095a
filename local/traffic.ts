/**
 * The traffic of a local run: generated (or replayed) records put into the emulated Kinesis streams at
 * a steady rate, each one written to the ground truth (`ground-truth.jsonl`) with its stream, shard,
 * send time and the classification that local/classify.ts expects from the runner.
 */
import * as fs from "fs";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { classifyPayload } from "./classify";
import { ClickstreamGenerator, GeneratedRecord, SiteSpec } from "./generator";
import { putBatch } from "./kinesis";
import { delay } from "./processes";
import { SourceFirehose } from "./source-firehose";

export interface TrafficSource {
    streamName: string;
    sites: SiteSpec[];
    weight: number;
    /** Share of the source's events sent minutes late (offline devices). */
    lateRate?: number;
}

export interface TrafficOptions {
    client: KinesisClient;
    groundTruth: string;
    /** Records per wall-clock second. */
    rate: number;
    /** The records: from the generator, or a replayed list. */
    records: { next(): GeneratedRecord | undefined };
    /** Share of each stream's records pinned to its first shard (ExplicitHashKey 0): an uneven load. */
    hotShardShare?: number;
    /** `mode: firehose` sources by delivery stream name: their records go to these stand-ins, not to Kinesis. */
    sourceFirehoses?: Map<string, SourceFirehose>;
}

/** The ground truth's `shard` of a record sent to a producer's Firehose: it has no shards, only objects. */
export const OBJECTS_SHARD = "objects";

/** What the ground truth holds for one sent record. */
export function groundTruthLine(r: GeneratedRecord, stream: string, shard: string, sentMs: number): string {
    const c = classifyPayload(r.data, sentMs);
    return JSON.stringify({
        seq: r.seq,
        stream,
        shard,
        sent_ms: sentMs,
        partition_key: r.partitionKey,
        kind: r.label.kind,
        malformed: r.label.malformed,
        missing_field: r.label.missingField,
        duplicate_of: r.label.duplicateOf,
        lateness_ms: r.label.latenessMs,
        offline: r.label.offline ?? false,
        reason: c.reason,
        ...(c.event ?? {}),
        data: r.data,
    });
}

export class Traffic {
    sent = 0;
    readonly perStream = new Map<string, number>();
    private stopping = false;
    private exhausted = false;
    private running?: Promise<void>;
    private readonly gt: number;
    private hotCounter = 0;

    constructor(private readonly o: TrafficOptions) {
        this.gt = fs.openSync(o.groundTruth, "a");
    }

    /** Sends until {@link stop} or until the records run out (or `limit` more are sent). */
    start(limit = Infinity): Promise<void> {
        this.stopping = false;
        this.running = this.loop(limit);
        return this.running;
    }

    /** Stops sending after the batch in flight. */
    async stop(): Promise<void> {
        this.stopping = true;
        await this.running;
    }

    get done(): boolean {
        return this.exhausted;
    }

    close(): void {
        fs.closeSync(this.gt);
    }

    private async loop(limit: number): Promise<void> {
        const start = Date.now();
        const first = this.sent;
        while (!this.stopping && !this.exhausted && this.sent - first < limit) {
            const due = Math.min(Math.floor(((Date.now() - start) / 1000) * this.o.rate) - (this.sent - first), 500, limit - (this.sent - first));
            const batch: GeneratedRecord[] = [];
            for (let i = 0; i < due; i++) {
                const r = this.o.records.next();
                if (!r) {
                    this.exhausted = true;
                    break;
                }
                batch.push(r);
            }
            await this.send(batch);
            if (!this.stopping && !this.exhausted) await delay(100);
        }
    }

    private async send(batch: GeneratedRecord[]): Promise<void> {
        const byStream = new Map<string, GeneratedRecord[]>();
        for (const r of batch) {
            if (!byStream.has(r.source)) byStream.set(r.source, []);
            byStream.get(r.source)!.push(r);
        }
        await Promise.all(
            [...byStream.entries()].map(async ([stream, list]) => {
                const firehose = this.o.sourceFirehoses?.get(stream);
                if (firehose) {
                    const sentMs = firehose.put(list.map((r) => r.data));
                    fs.writeSync(this.gt, list.map((r) => groundTruthLine(r, stream, OBJECTS_SHARD, sentMs)).join("\n") + "\n");
                    this.perStream.set(stream, (this.perStream.get(stream) ?? 0) + list.length);
                    return;
                }
                const hot = (this.o.hotShardShare ?? 0) > 0;
                const res = await putBatch(
                    this.o.client,
                    stream,
                    list.map((r) => ({
                        stream,
                        partitionKey: r.partitionKey,
                        data: r.data,
                        // Deterministic: every n-th record of the stream goes to the first shard.
                        explicitHashKey: hot && this.hotCounter++ % 100 < (this.o.hotShardShare ?? 0) * 100 ? "0" : undefined,
                    })),
                );
                fs.writeSync(this.gt, list.map((r, k) => groundTruthLine(r, stream, res[k].shardId, res[k].sentMs)).join("\n") + "\n");
                this.perStream.set(stream, (this.perStream.get(stream) ?? 0) + list.length);
            }),
        );
        this.sent += batch.length;
    }
}

/** A generator's records as a `Traffic` source, `total` of them (or endless). */
export function generated(gen: ClickstreamGenerator, total = Infinity): { next(): GeneratedRecord | undefined; total?: number } {
    let n = 0;
    return { next: () => (n++ < total ? gen.next() : undefined), total: Number.isFinite(total) ? total : undefined };
}
