/**
 * The stand-in for a producer's own Firehose (a source with `mode: firehose`): records put into it are
 * buffered and delivered as objects into a local folder, laid out as Firehose lays out its S3 keys
 * (`<prefix>YYYY/MM/DD/HH/<delivery stream>-1-YYYY-MM-DD-HH-MM-SS-<uuid>[.gz]`, UTC), compressed as the
 * source config says. The runner reads that folder (`file://...`) exactly as it reads `s3://bucket/prefix`.
 *
 * Firehose itself adds no delimiter between records: whether they are separated depends on the producer.
 * With `recordSeparator: none`, objects alternate between the two producer styles that this setting
 * accepts: JSON values written back to back, and each record followed by a newline. With `newline`,
 * every record ends with one.
 */
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { gzipSync } from "zlib";
import { FirehoseSourceConfig } from "../lib/config";

export interface DeliveredObject {
    file: string;
    records: number;
    style: "back-to-back" | "newline";
    compression: FirehoseSourceConfig["compression"];
}

/** The object's bytes, as Firehose writes them: the records concatenated (with or without newlines), then compressed. Pure. */
export function objectBytes(records: string[], style: DeliveredObject["style"], compression: FirehoseSourceConfig["compression"]): Buffer {
    const body = Buffer.from(style === "newline" ? records.map((r) => r + "\n").join("") : records.join(""), "utf8");
    return compression === "GZIP" ? gzipSync(body) : body;
}

/** Firehose's default key below the prefix: `YYYY/MM/DD/HH/<stream>-1-YYYY-MM-DD-HH-MM-SS-<uuid>[.gz]` (UTC). Pure. */
export function objectKey(deliveryStream: string, at: Date, uuid: string, compression: FirehoseSourceConfig["compression"]): string {
    const iso = at.toISOString();
    const [y, mo, d, h, mi, s] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10), iso.slice(11, 13), iso.slice(14, 16), iso.slice(17, 19)];
    return `${y}/${mo}/${d}/${h}/${deliveryStream}-1-${y}-${mo}-${d}-${h}-${mi}-${s}-${uuid}${compression === "GZIP" ? ".gz" : ""}`;
}

export class SourceFirehose {
    private buffer: string[] = [];
    private bufferBytes = 0;
    private firstBufferedAt = 0;
    private timer?: NodeJS.Timeout;
    readonly delivered: DeliveredObject[] = [];

    /**
     * @param dir the folder standing for `s3://<bucket>/<prefix>`
     * @param bufferMs / maxBufferBytes Firehose's buffering hints (local: 5 s or 1 MiB, whichever first)
     */
    constructor(
        readonly source: FirehoseSourceConfig,
        readonly dir: string,
        private readonly bufferMs = 5_000,
        private readonly maxBufferBytes = 1024 * 1024,
    ) {
        fs.mkdirSync(dir, { recursive: true });
        this.timer = setInterval(() => {
            if (this.buffer.length > 0 && Date.now() - this.firstBufferedAt >= this.bufferMs) this.flush();
        }, 250);
    }

    /** Buffers records (PutRecordBatch); returns the time each was accepted. */
    put(records: string[]): number {
        const now = Date.now();
        if (this.buffer.length === 0) this.firstBufferedAt = now;
        for (const r of records) {
            this.buffer.push(r);
            this.bufferBytes += Buffer.byteLength(r);
            if (this.bufferBytes >= this.maxBufferBytes) this.flush();
        }
        return now;
    }

    /** Delivers what is buffered as one object: written under a hidden name, then renamed, so a reader never sees half an object. */
    flush(): DeliveredObject | undefined {
        if (this.buffer.length === 0) return undefined;
        const records = this.buffer;
        this.buffer = [];
        this.bufferBytes = 0;
        const style: DeliveredObject["style"] = this.source.recordSeparator === "newline" || this.delivered.length % 2 === 1 ? "newline" : "back-to-back";
        const key = objectKey(this.source.streamName, new Date(), randomUUID(), this.source.compression);
        const file = path.join(this.dir, key);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        // Flink's file enumeration skips names starting with '.' (and '_').
        const hidden = path.join(path.dirname(file), `.${path.basename(file)}.tmp`);
        fs.writeFileSync(hidden, objectBytes(records, style, this.source.compression));
        fs.renameSync(hidden, file);
        const object = { file, records: records.length, style, compression: this.source.compression };
        this.delivered.push(object);
        return object;
    }

    /** Delivers the rest and stops the buffer timer. */
    close(): void {
        this.flush();
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
    }

    totals(): { objects: number; records: number; backToBack: number; newline: number } {
        const n = (style: DeliveredObject["style"]) => this.delivered.filter((o) => o.style === style).length;
        return {
            objects: this.delivered.length,
            records: this.delivered.reduce((s, o) => s + o.records, 0),
            backToBack: n("back-to-back"),
            newline: n("newline"),
        };
    }
}
