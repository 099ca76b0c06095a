/**
 * A local stand-in for Amazon Data Firehose (Direct PUT, JSON to Parquet), on loopback.
 *
 * It speaks the Firehose JSON API that the runner's Firehose sink calls (`PutRecordBatch`, `PutRecord`:
 * `X-Amz-Target: Firehose_20150804.<Operation>`, base64 `Data`), buffers per delivery stream until the
 * size or the interval is reached (whichever first, as Firehose does; locally 1 MiB / 5 s instead of the
 * lake's 128 MiB / 60 s), converts the buffer to Parquet with DuckDB using exactly the Glue schema, and
 * writes `<lake>/<output>/year=YYYY/month=MM/day=DD/hour=HH/<stream>-<seq>-<uuid>.parquet` by arrival time
 * (UTC). Records that fail conversion go to `<lake>/errors/<output>/format-conversion-failed/year=.../`
 * as JSON lines in Firehose's error-output shape, with the reason.
 */
import { randomUUID, randomBytes } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { AddressInfo } from "net";
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { GlueColumn } from "../lib/sql/glue-schema";
import { ConversionError, convertRecord, dataFileName, errorDir, glueToDuckDb, partitionDir } from "./lake";

/** Firehose's flush rule: whichever of size and interval is reached first. Pure. */
export class DeliveryBuffer<T> {
    private items: T[] = [];
    private bytes = 0;
    private firstArrivalMs = 0;

    constructor(
        readonly sizeBytes: number,
        readonly intervalMs: number,
    ) {}

    /** Adds a record; true when the buffer reached its size and must be flushed now. */
    add(item: T, size: number, nowMs: number): boolean {
        if (this.items.length === 0) this.firstArrivalMs = nowMs;
        this.items.push(item);
        this.bytes += size;
        return this.bytes >= this.sizeBytes;
    }

    /** True when the oldest buffered record has waited the buffering interval. */
    due(nowMs: number): boolean {
        return this.items.length > 0 && nowMs - this.firstArrivalMs >= this.intervalMs;
    }

    get size(): number {
        return this.bytes;
    }

    get count(): number {
        return this.items.length;
    }

    /** Empties the buffer; returns its records and the arrival time of the oldest. */
    take(): { items: T[]; firstArrivalMs: number } {
        const out = { items: this.items, firstArrivalMs: this.firstArrivalMs };
        this.items = [];
        this.bytes = 0;
        return out;
    }
}

export interface DeliveryStreamSpec {
    /** Firehose delivery stream name (the sink's `delivery-stream` option). */
    name: string;
    /** The output (Glue table, S3 prefix). */
    output: string;
    /** The Glue columns (partition keys excluded), from `glueColumns`. */
    columns: GlueColumn[];
}

export interface FirehoseStandInOptions {
    lakeDir: string;
    streams: DeliveryStreamSpec[];
    /** Buffer size, bytes. Default 1 MiB. */
    bufferSizeBytes?: number;
    /** Buffer interval, ms. Default 5000. */
    bufferIntervalMs?: number;
    /** Where each written file is logged (JSON lines), for freshness and reconciliation. */
    manifestFile?: string;
    /** Glue database name, for the error records' dataCatalogTable. */
    database?: string;
}

interface Arrived {
    data: Buffer;
    arrivalMs: number;
}

export interface StreamStats {
    received: number;
    converted: number;
    failed: number;
    files: number;
    errorFiles: number;
}

export interface LakeFileEntry {
    output: string;
    file: string;
    rows: number;
    firstArrivalMs: number;
    /** Arrival time of the newest record in the file (local/bench.ts: sink-side latency). */
    lastArrivalMs: number;
    /** When the file appeared under the lake (right after the atomic rename): the time its rows became queryable. */
    queryableMs: number;
    writtenMs: number;
}

export class FirehoseStandIn {
    readonly stats = new Map<string, StreamStats>();
    private readonly buffers = new Map<string, DeliveryBuffer<Arrived>>();
    private readonly specs = new Map<string, DeliveryStreamSpec>();
    private server?: http.Server;
    private timer?: NodeJS.Timeout;
    private db?: DuckDBConnection;
    private instance?: DuckDBInstance;
    private seq = 0;
    private writing: Promise<void> = Promise.resolve();
    private readonly opts: Required<Omit<FirehoseStandInOptions, "manifestFile">> & { manifestFile?: string };
    /** Requests seen, by operation. */
    readonly requests = new Map<string, number>();

    constructor(options: FirehoseStandInOptions) {
        this.opts = { bufferSizeBytes: 1024 * 1024, bufferIntervalMs: 5000, database: "clickstream", ...options };
        for (const s of options.streams) {
            this.specs.set(s.name, s);
            this.buffers.set(s.name, new DeliveryBuffer(this.opts.bufferSizeBytes, this.opts.bufferIntervalMs));
            this.stats.set(s.name, { received: 0, converted: 0, failed: 0, files: 0, errorFiles: 0 });
        }
    }

    /** Starts listening on 127.0.0.1 (port 0: a free port). Returns the endpoint URL. */
    async start(port = 0): Promise<string> {
        this.instance = await DuckDBInstance.create(":memory:");
        this.db = await this.instance.connect();
        this.server = http.createServer((req, res) => this.handle(req, res));
        this.server.keepAliveTimeout = 60_000;
        await new Promise<void>((resolve, reject) => {
            this.server!.once("error", reject);
            this.server!.listen(port, "127.0.0.1", () => resolve());
        });
        this.timer = setInterval(() => this.flushDue(Date.now()), 250);
        return this.endpoint;
    }

    get endpoint(): string {
        const a = this.server!.address() as AddressInfo;
        return `http://127.0.0.1:${a.port}`;
    }

    totals(): StreamStats {
        const t: StreamStats = { received: 0, converted: 0, failed: 0, files: 0, errorFiles: 0 };
        for (const s of this.stats.values()) for (const k of Object.keys(t) as (keyof StreamStats)[]) t[k] += s[k];
        return t;
    }

    /** Accepts records directly (as PutRecordBatch would): used by the HTTP handler and the tests. */
    put(streamName: string, records: Buffer[], nowMs = Date.now()): string[] {
        const buffer = this.buffers.get(streamName);
        if (!buffer) throw new Error(`ResourceNotFoundException: Firehose ${streamName} not found`);
        const stats = this.stats.get(streamName)!;
        const ids: string[] = [];
        for (const data of records) {
            stats.received++;
            ids.push(randomBytes(28).toString("hex"));
            if (buffer.add({ data, arrivalMs: nowMs }, data.length, nowMs)) this.flush(streamName);
        }
        return ids;
    }

    private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const target = String(req.headers["x-amz-target"] ?? "");
            const op = target.replace(/^Firehose_20150804\./, "");
            this.requests.set(op, (this.requests.get(op) ?? 0) + 1);
            const reply = (status: number, body: unknown) => {
                const text = JSON.stringify(body);
                res.writeHead(status, {
                    "Content-Type": "application/x-amz-json-1.1",
                    "Content-Length": Buffer.byteLength(text),
                    "x-amzn-RequestId": randomUUID(),
                });
                res.end(text);
            };
            const fail = (type: string, message: string) => reply(400, { __type: type, message });
            let body: { DeliveryStreamName?: string; Records?: { Data?: string }[]; Record?: { Data?: string } };
            try {
                body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
            } catch {
                return fail("SerializationException", "the request body is not JSON");
            }
            const name = body.DeliveryStreamName ?? "";
            if (!target.startsWith("Firehose_20150804.")) return fail("UnknownOperationException", `unknown target '${target}'`);
            if ((op === "PutRecordBatch" || op === "PutRecord") && !this.specs.has(name)) {
                return fail("ResourceNotFoundException", `Firehose ${name} under account 000000000000 not found.`);
            }
            if (op === "PutRecordBatch") {
                const records = body.Records ?? [];
                if (records.length === 0 || records.length > 500) return fail("InvalidArgumentException", "Records must have 1 to 500 entries");
                const ids = this.put(
                    name,
                    records.map((r) => Buffer.from(r.Data ?? "", "base64")),
                );
                return reply(200, { FailedPutCount: 0, Encrypted: false, RequestResponses: ids.map((RecordId) => ({ RecordId })) });
            }
            if (op === "PutRecord") {
                const [id] = this.put(name, [Buffer.from(body.Record?.Data ?? "", "base64")]);
                return reply(200, { RecordId: id, Encrypted: false });
            }
            if (op === "DescribeDeliveryStream" && this.specs.has(name)) {
                return reply(200, { DeliveryStreamDescription: { DeliveryStreamName: name, DeliveryStreamStatus: "ACTIVE", DeliveryStreamType: "DirectPut" } });
            }
            return fail("UnknownOperationException", `operation ${op} is not supported by the local Firehose stand-in`);
        });
    }

    private flushDue(nowMs: number): void {
        for (const [name, buffer] of this.buffers) if (buffer.due(nowMs)) this.flush(name);
    }

    /** Converts and writes one delivery stream's buffer (writes are serialised). */
    private flush(streamName: string): void {
        const { items, firstArrivalMs } = this.buffers.get(streamName)!.take();
        if (items.length === 0) return;
        this.writing = this.writing
            .then(() => this.write(streamName, items, firstArrivalMs))
            .catch((e) => {
                process.stderr.write(`firehose stand-in: writing ${streamName} failed: ${(e as Error).message}\n`);
            });
    }

    /** Flushes every buffer now and waits for all writes (at shutdown, as Firehose does on its interval). */
    async drain(): Promise<void> {
        for (const name of this.buffers.keys()) this.flush(name);
        await this.writing;
    }

    private async write(streamName: string, items: Arrived[], firstArrivalMs: number): Promise<void> {
        const spec = this.specs.get(streamName)!;
        const stats = this.stats.get(streamName)!;
        const rows: string[] = [];
        const errors: string[] = [];
        for (const item of items) {
            const text = item.data.toString("utf8");
            try {
                // A sink may send several newline-separated JSON documents in one record; Firehose reads them all.
                for (const doc of text.split("\n").filter((l) => l.trim() !== "")) rows.push(JSON.stringify(convertRecord(doc, spec.columns)));
            } catch (e) {
                if (!(e instanceof ConversionError)) throw e;
                errors.push(
                    JSON.stringify({
                        attemptsMade: 1,
                        arrivalTimestamp: item.arrivalMs,
                        errorCode: "DataFormatConversion.MalformedData",
                        errorMessage: e.message,
                        attemptEndingTimestamp: Date.now(),
                        rawData: item.data.toString("base64"),
                        dataCatalogTable: { databaseName: this.opts.database, tableName: spec.output },
                    }),
                );
            }
        }
        const arrival = new Date(firstArrivalMs);
        const seq = ++this.seq;
        if (errors.length > 0) {
            const dir = errorDir(this.opts.lakeDir, spec.output, "format-conversion-failed", arrival);
            fs.mkdirSync(dir, { recursive: true });
            fs.writeFileSync(path.join(dir, `${streamName}-${String(seq).padStart(6, "0")}-${randomUUID()}`), errors.join("\n") + "\n");
            stats.failed += errors.length;
            stats.errorFiles++;
        }
        if (rows.length === 0) return;
        const dir = partitionDir(this.opts.lakeDir, spec.output, arrival);
        fs.mkdirSync(dir, { recursive: true });
        const file = path.join(dir, dataFileName(streamName, seq, randomUUID()));
        const staging = path.join(this.opts.lakeDir, ".staging");
        fs.mkdirSync(staging, { recursive: true });
        const json = path.join(staging, `${seq}.jsonl`);
        const tmp = path.join(staging, `${seq}.parquet`);
        fs.writeFileSync(json, rows.join("\n") + "\n");
        const columns = spec.columns.map((c) => `'${c.name}': '${glueToDuckDb(c.type)}'`).join(", ");
        const select = spec.columns.map((c) => `"${c.name}"`).join(", ");
        await this.db!.run(
            `COPY (SELECT ${select} FROM read_json('${json}', format = 'newline_delimited', columns = {${columns}})) ` +
                `TO '${tmp}' (FORMAT parquet, COMPRESSION snappy)`,
        );
        fs.renameSync(tmp, file); // atomic: a query never sees a partial object
        const queryableMs = Date.now();
        fs.rmSync(json);
        stats.converted += rows.length;
        stats.files++;
        if (this.opts.manifestFile) {
            const lastArrivalMs = items.reduce((m, i) => Math.max(m, i.arrivalMs), firstArrivalMs);
            const entry: LakeFileEntry = { output: spec.output, file, rows: rows.length, firstArrivalMs, lastArrivalMs, queryableMs, writtenMs: Date.now() };
            fs.appendFileSync(this.opts.manifestFile, JSON.stringify(entry) + "\n");
        }
    }

    async stop(): Promise<void> {
        if (this.timer) clearInterval(this.timer);
        if (this.server) {
            this.server.closeAllConnections?.();
            await new Promise<void>((resolve) => this.server!.close(() => resolve()));
        }
        await this.drain();
        this.db?.closeSync();
        this.instance?.closeSync?.();
    }
}
