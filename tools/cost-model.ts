/**
 * The season cost model: pure functions from a region stack's config, the traffic and a price book to
 * cost lines. No file or network access here; `tools/cost.ts` reads the files and prints the table.
 * Every formula is documented in docs/COST.md.
 */
import { monitoredApps, REGION_ALARM_DEFAULTS, regionAlarmSpecs } from "../lib/alarms";
import { AppConfig, RegionConfig, SourceStreamConfig, selectedOutputs } from "../lib/config";

export const GIB = 1024 ** 3;
export const TIB = 1024 ** 4;

export interface PriceEntry {
    usd: number;
    unit: string;
    source: string;
    date: string;
}

export interface AssumptionEntry {
    value: number;
    source: string;
}

export interface PriceBook {
    currency: string;
    region: string;
    takenOn: string;
    note?: string;
    prices: Record<string, PriceEntry>;
    assumptions: Record<string, AssumptionEntry>;
}

export const PRICE_KEYS = [
    "kinesis.onDemand.streamHour",
    "kinesis.onDemand.ingestGb",
    "kinesis.onDemand.retrievalGb",
    "kinesis.onDemand.extendedRetentionGbMonth",
    "kinesis.longTermRetentionGbMonth",
    "kinesis.provisioned.shardHour",
    "kinesis.provisioned.putPayloadUnitsMillion",
    "kinesis.provisioned.extendedRetentionShardHour",
    "kinesis.efo.consumerShardHour",
    "kinesis.efo.retrievalGb",
    "flink.kpuHour",
    "flink.runningStorageGbMonth",
    "firehose.directPutIngestGb",
    "firehose.formatConversionGb",
    "s3.standardStorageGbMonth",
    "s3.putThousand",
    "s3.getThousand",
    "athena.scannedTb",
    "cloudwatch.alarmMonth",
    "cloudwatch.dashboardMonth",
    "cloudwatch.logsIngestGb",
    "kms.keyMonth",
] as const;

export const ASSUMPTION_KEYS = [
    "flink.eventsPerSecondPerKpu",
    "flink.runningStorageGbPerKpu",
    "flink.orchestrationKpusPerApp",
    "flink.targetCpuUtilization",
    "flink.logGbPerAppDay",
    "eventBytes",
    "attachedStreamShards",
    "sourceFirehose.bufferIntervalSeconds",
    "output.rowsPerMinute",
    "output.rowBytes",
    "output.rejectedShare",
    "output.rejectedExtraBytes",
    "parquet.compressionRatio",
    "athena.refreshesPerDay",
    "athena.minimumBytesPerQuery",
    "hoursPerMonth",
] as const;

export type PriceKey = (typeof PRICE_KEYS)[number];
export type AssumptionKey = (typeof ASSUMPTION_KEYS)[number];

/** Checks that a price book has every price and assumption as a non-negative number. */
export function validatePriceBook(book: PriceBook, file: string): PriceBook {
    for (const k of PRICE_KEYS) {
        const v = book.prices?.[k]?.usd;
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new Error(`${file}: prices.${k}.usd is ${JSON.stringify(v)}; expected a number >= 0`);
    }
    for (const k of ASSUMPTION_KEYS) {
        const v = book.assumptions?.[k]?.value;
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
            throw new Error(`${file}: assumptions.${k}.value is ${JSON.stringify(v)}; expected a number >= 0`);
    }
    return book;
}

/** Overlays `override` (any subset of prices and assumptions) on `base`. */
export function mergePriceBooks(base: PriceBook, override: Partial<PriceBook>): PriceBook {
    const prices: Record<string, PriceEntry> = { ...base.prices };
    for (const [k, v] of Object.entries(override.prices ?? {})) prices[k] = { ...base.prices[k], ...v };
    const assumptions: Record<string, AssumptionEntry> = { ...base.assumptions };
    for (const [k, v] of Object.entries(override.assumptions ?? {})) assumptions[k] = { ...base.assumptions[k], ...v };
    return {
        currency: override.currency ?? base.currency,
        region: override.region ?? base.region,
        takenOn: override.takenOn ?? base.takenOn,
        note: override.note ?? base.note,
        prices,
        assumptions,
    };
}

export interface CostInput {
    config: RegionConfig;
    /** Output names in `sql/outputs/` order (what `outputs: all` expands to). */
    outputNames: string[];
    /** Events per second written to each source, by source name. */
    eventsPerSecond: Record<string, number>;
    days: number;
    /** Bytes of one event (JSON). */
    eventBytes: number;
    /** Shards of each attached stream (not known from config). */
    attachedShards: number;
    /** Measured events per second that one KPU sustains. */
    eventsPerSecondPerKpu: number;
    /** What each dashboard refresh runs: the dashboard queries of sql/athena/, with their measured scans. */
    dashboard: DashboardScans;
    /** The lake's Firehose buffering (Pulumi.lake.yaml). */
    firehose: { bufferIntervalSeconds: number; bufferSizeMiB: number };
    book: PriceBook;
}

/**
 * The dashboard queries of `sql/athena/` and what each scans, as `npm run measure:athena-scan` measured it
 * on Trino over the local lake (tools/athena-scan.json): the tables it reads and the bytes it read per row.
 */
export interface DashboardScans {
    /** The hours a dashboard query shows; it reads the partitions from the start of the hour that many hours ago until now. */
    hours: number;
    queries: { name: string; scan?: { tables: string[]; bytesPerRow: number } }[];
}

/** tools/athena-scan.json, as `npm run measure:athena-scan` writes it. */
export interface AthenaScanFile {
    measuredOn: string;
    command: string;
    engine: string;
    /** What was measured: the lake's outputs, rows and files. */
    lake: string;
    /** DASHBOARD_QUERY_HOURS when measured. */
    hours: number;
    queries: { name: string; tables: string[]; rowsRead: number; bytesRead: number }[];
}

/** The dashboard queries with their measured scans (a query without rows read has none). Pure. */
export function dashboardScans(queryNames: string[], hours: number, measured: AthenaScanFile | undefined): DashboardScans {
    return {
        hours,
        queries: queryNames.map((name) => {
            const m = measured?.queries.find((q) => q.name === name);
            return { name, scan: m && m.rowsRead > 0 ? { tables: m.tables, bytesPerRow: m.bytesRead / m.rowsRead } : undefined };
        }),
    };
}

export interface CostLine {
    /** Group: Kinesis, S3 (source), Managed Flink, Firehose (lake), S3 (lake), Athena (lake), CloudWatch, KMS. */
    group: string;
    line: string;
    quantity: number;
    unit: string;
    unitPrice: number;
    /** The unit price is per this many units (1,000 for S3 requests). */
    per: number;
    cost: number;
}

export interface KpuPlan {
    app: string;
    configuredKpus: number;
    neededKpus: number;
    kpus: number;
    underProvisioned: boolean;
}

export interface CostEstimate {
    lines: CostLine[];
    total: number;
    kpus: KpuPlan[];
    /** Cost per day while `season: paused` (streams, EFO consumers, alarms, dashboard, key). */
    pausedPerDay: number;
    /** Cost per month of the season's Parquet after the season (lake storage). */
    storagePerMonthAfter: number;
    notes: string[];
}

/** Records rounded up to `unit` bytes. */
export function roundedBytes(bytes: number, unit: number): number {
    return Math.ceil(bytes / unit) * unit;
}

/** The region stack's alarms, counted from the specs the stack creates them from. */
export function regionAlarmCount(config: Pick<RegionConfig, "apps" | "sources">): number {
    return regionAlarmSpecs({
        apps: monitoredApps(config.apps, (app) => app),
        createdStreams: config.sources.filter((s) => s.mode === "create").map((s) => s.streamName),
        lagThresholdMs: REGION_ALARM_DEFAULTS.lagThresholdMs,
    }).length;
}

/** Alarms per app reading Kinesis (downtime, failed checkpoints, restarts, lag) and per app reading objects (no lag), for the line's label. */
const alarmsPerApp = (read: AppConfig["read"]) => regionAlarmCount({ apps: [{ name: "a", streamName: "s", read } as AppConfig], sources: [] });
const ALARMS_PER_KINESIS_APP = alarmsPerApp({ readMode: "EFO" });

/** Configured KPUs of an app: ceil(parallelism / parallelismPerKpu). */

export function configuredKpus(app: AppConfig): number {
    return Math.ceil(app.parallelism / app.parallelismPerKpu);
}

export function estimateSeason(input: CostInput): CostEstimate {
    const { config, book, days } = input;
    const p = (k: PriceKey) => book.prices[k].usd;
    const a = (k: AssumptionKey) => book.assumptions[k].value;
    const hours = days * 24;
    const seconds = hours * 3600;
    const months = hours / a("hoursPerMonth");
    const lines: CostLine[] = [];
    const notes: string[] = [];
    const add = (group: string, line: string, quantity: number, unit: string, key: PriceKey, divisor = 1) => {
        const unitPrice = p(key);
        lines.push({ group, line, quantity, unit, unitPrice, per: divisor, cost: (quantity / divisor) * unitPrice });
    };
    const rate = (s: SourceStreamConfig) => input.eventsPerSecond[s.name] ?? 0;
    const readers = (s: SourceStreamConfig) => config.apps.filter((app) => app.source === s.name);
    const on = config.season === "on";
    let pausedPerHour = 0;

    // Kinesis Data Streams, and the S3 requests of reading Firehose-delivered objects.
    for (const s of config.sources) {
        if (s.mode === "firehose") {
            // The delivery stream and its bucket are owned elsewhere: only our apps' requests are ours to pay.
            const apps = readers(s);
            if (on && apps.length > 0) {
                const interval = a("sourceFirehose.bufferIntervalSeconds");
                notes.push(
                    `${s.streamName} is read from its S3 objects: the delivery stream and its bucket are not ours; one object per ${interval} s assumed`,
                );
                add(
                    "S3 (source)",
                    `${s.streamName}: LIST every ${s.discoveryIntervalSeconds} s by ${apps.length} app(s)`,
                    (apps.length * seconds) / s.discoveryIntervalSeconds,
                    "requests",
                    "s3.putThousand",
                    1000,
                );
                add(
                    "S3 (source)",
                    `${s.streamName}: GET of each delivered object by ${apps.length} app(s)`,
                    (apps.length * seconds) / interval,
                    "requests",
                    "s3.getThousand",
                    1000,
                );
            }
            continue;
        }
        const events = rate(s) * seconds;
        const rawGb = (events * input.eventBytes) / GIB;
        const gbPerHour = (rate(s) * 3600 * input.eventBytes) / GIB;
        const apps = readers(s);
        if (s.mode === "create" && s.capacity === "on-demand") {
            add("Kinesis", `${s.streamName}: on-demand stream-hours`, hours, "stream-hours", "kinesis.onDemand.streamHour");
            pausedPerHour += p("kinesis.onDemand.streamHour");
            const ingestGb = (events * roundedBytes(input.eventBytes, 1024)) / GIB;
            add("Kinesis", `${s.streamName}: data ingested (1 KB rounding)`, ingestGb, "GB", "kinesis.onDemand.ingestGb");
            if (on && apps.length > 0) {
                add("Kinesis", `${s.streamName}: data retrieved by ${apps.length} app(s)`, rawGb * apps.length, "GB", "kinesis.onDemand.retrievalGb");
            }
            const extendedHours = Math.min(s.retentionHours, 168) - 24;
            if (extendedHours > 0) {
                add(
                    "Kinesis",
                    `${s.streamName}: retention ${s.retentionHours} h, 24 h-7 d part`,
                    gbPerHour * extendedHours * months,
                    "GB-months",
                    "kinesis.onDemand.extendedRetentionGbMonth",
                );
            }
        } else if (s.mode === "create") {
            const shards = s.shards ?? 1;
            // A shard takes 1,000 records/s and 1 MiB/s of writes.
            if (rate(s) > shards * 1000 || rate(s) * input.eventBytes > shards * 1024 * 1024) {
                notes.push(
                    `${s.streamName}: ${rate(s)} events/s of ${input.eventBytes} B exceeds ${shards} shards (1,000 records/s and 1 MiB/s each); writes will be throttled`,
                );
            }
            add("Kinesis", `${s.streamName}: ${shards} shards`, shards * hours, "shard-hours", "kinesis.provisioned.shardHour");
            pausedPerHour += shards * p("kinesis.provisioned.shardHour");
            const units = events * Math.ceil(input.eventBytes / 25600);
            add("Kinesis", `${s.streamName}: PUT payload units (25 KB)`, units / 1e6, "million units", "kinesis.provisioned.putPayloadUnitsMillion");
            if (s.retentionHours > 24) {
                add(
                    "Kinesis",
                    `${s.streamName}: retention ${s.retentionHours} h`,
                    shards * hours,
                    "shard-hours",
                    "kinesis.provisioned.extendedRetentionShardHour",
                );
                pausedPerHour += shards * p("kinesis.provisioned.extendedRetentionShardHour");
            }
        } else {
            // Attached: only our enhanced fan-out consumers are ours to pay; the stream is owned elsewhere.
            const consumers = apps.length;
            notes.push(
                `${s.streamName} is attached: its own cost is not ours; EFO priced for ${input.attachedShards} shards (--attached-shards) at provisioned-mode EFO prices`,
            );
            add(
                "Kinesis",
                `${s.streamName} (attached): ${consumers} EFO consumer(s) x ${input.attachedShards} shards`,
                consumers * input.attachedShards * hours,
                "consumer-shard-hours",
                "kinesis.efo.consumerShardHour",
            );
            pausedPerHour += consumers * input.attachedShards * p("kinesis.efo.consumerShardHour");
            if (on) add("Kinesis", `${s.streamName} (attached): EFO data retrieved`, rawGb * consumers, "GB", "kinesis.efo.retrievalGb");
        }
        if (s.mode === "create" && s.retentionHours > 168) {
            add(
                "Kinesis",
                `${s.streamName}: retention beyond 7 d`,
                gbPerHour * (s.retentionHours - 168) * months,
                "GB-months",
                "kinesis.longTermRetentionGbMonth",
            );
        }
    }

    // Managed Service for Apache Flink.
    const kpus: KpuPlan[] = config.apps.map((app) => {
        const source = config.sources.find((s) => s.name === app.source)!;
        const configured = configuredKpus(app);
        const needed = Math.max(1, Math.ceil(rate(source) / input.eventsPerSecondPerKpu));
        const planned = app.autoScaling ? Math.max(configured, needed) : configured;
        return { app: app.name, configuredKpus: configured, neededKpus: needed, kpus: planned, underProvisioned: !app.autoScaling && needed > configured };
    });
    if (on) {
        for (const plan of kpus) {
            const orchestration = a("flink.orchestrationKpusPerApp");
            add(
                "Managed Flink",
                `${plan.app}: ${plan.kpus} KPU + ${orchestration} orchestration`,
                (plan.kpus + orchestration) * hours,
                "KPU-hours",
                "flink.kpuHour",
            );
            add(
                "Managed Flink",
                `${plan.app}: running storage (${a("flink.runningStorageGbPerKpu")} GB/KPU)`,
                plan.kpus * a("flink.runningStorageGbPerKpu") * months,
                "GB-months",
                "flink.runningStorageGbMonth",
            );
            if (plan.underProvisioned) {
                notes.push(
                    `${plan.app}: needs ${plan.neededKpus} KPU for the traffic but is fixed at ${plan.configuredKpus} (autoScaling: false); it will fall behind`,
                );
            }
        }
    } else {
        notes.push("season: paused: the applications are stopped, so no KPUs are billed; streams, consumers and alarms still are");
    }

    // Firehose, S3 and Athena in the lake, for the rows this region's apps write.
    let convertedGb = 0;
    let ingestedGb = 0;
    let parquetGb = 0;
    let objects = 0;
    const rowsPerHourByOutput = new Map<string, number>();
    if (on) {
        for (const app of config.apps) {
            const source = config.sources.find((s) => s.name === app.source)!;
            for (const output of selectedOutputs(
                app,
                input.outputNames.map((name) => ({ name })),
            )) {
                const rejected = output.name === "rejected_events";
                const rowsPerSecond = rejected ? rate(source) * a("output.rejectedShare") : a("output.rowsPerMinute") / 60;
                const rowBytes = rejected ? input.eventBytes + a("output.rejectedExtraBytes") : a("output.rowBytes");
                const rows = rowsPerSecond * seconds;
                const billed = (rows * roundedBytes(rowBytes, 5120)) / GIB;
                const json = (rows * rowBytes) / GIB;
                ingestedGb += billed;
                convertedGb += billed;
                parquetGb += json * a("parquet.compressionRatio");
                rowsPerHourByOutput.set(output.name, (rowsPerHourByOutput.get(output.name) ?? 0) + rowsPerSecond * 3600);
                const bySize = (rows * rowBytes) / (input.firehose.bufferSizeMiB * 1024 * 1024);
                objects += Math.max(seconds / input.firehose.bufferIntervalSeconds, bySize);
            }
        }
        add("Firehose (lake)", "Direct PUT ingestion (5 KB rounding per record)", ingestedGb, "GB", "firehose.directPutIngestGb");
        add("Firehose (lake)", "JSON to Parquet conversion", convertedGb, "GB", "firehose.formatConversionGb");
        add("S3 (lake)", "PUT requests (one object per buffer flush)", objects, "requests", "s3.putThousand", 1000);
        // The Parquet grows linearly over the season: on average half of it is stored.
        add("S3 (lake)", "Parquet storage during the season", (parquetGb / 2) * months, "GB-months", "s3.standardStorageGbMonth");

        // A dashboard query reads the partitions from the start of the hour `hours` ago until now: on
        // average hours + 0.5 hours of rows of each table it reads, at the bytes per row measured locally.
        const hoursRead = input.dashboard.hours + 0.5;
        let bytesPerRefresh = 0;
        for (const q of input.dashboard.queries) {
            if (!q.scan) {
                notes.push(
                    `${q.name}: not in tools/athena-scan.json, so counted at Athena's minimum per query; run npm start, then npm run measure:athena-scan`,
                );
            }
            const rows = (q.scan?.tables ?? []).reduce((sum, t) => sum + (rowsPerHourByOutput.get(t) ?? 0) * hoursRead, 0);
            bytesPerRefresh += Math.max(a("athena.minimumBytesPerQuery"), rows * (q.scan?.bytesPerRow ?? 0));
        }
        add(
            "Athena (lake)",
            `${input.dashboard.queries.length} dashboard queries x ${a("athena.refreshesPerDay")} refreshes/day, ${input.dashboard.hours} h each`,
            (a("athena.refreshesPerDay") * days * bytesPerRefresh) / TIB,
            "TB scanned",
            "athena.scannedTb",
        );
    }

    // CloudWatch and the region's KMS key.
    const alarms = regionAlarmCount(config);
    const objectApps = config.apps.filter((app) => app.read.readMode === "OBJECTS");
    const perObjectApp = objectApps.length ? `, ${alarmsPerApp(objectApps[0].read)} per app reading S3 objects` : "";
    add(
        "CloudWatch",
        `${alarms} alarms (${ALARMS_PER_KINESIS_APP} per app reading Kinesis${perObjectApp}, 1 per created stream)`,
        alarms * months,
        "alarm-months",
        "cloudwatch.alarmMonth",
    );
    add("CloudWatch", "1 dashboard", months, "dashboard-months", "cloudwatch.dashboardMonth");
    if (on)
        add(
            "CloudWatch",
            `application logs (${config.apps.length} apps)`,
            config.apps.length * a("flink.logGbPerAppDay") * days,
            "GB",
            "cloudwatch.logsIngestGb",
        );
    add("KMS", "region key (streams, logs, artifacts, topic)", months, "key-months", "kms.keyMonth");
    const hoursPerMonth = a("hoursPerMonth");
    pausedPerHour += (alarms * p("cloudwatch.alarmMonth") + p("cloudwatch.dashboardMonth") + p("kms.keyMonth")) / hoursPerMonth;

    const total = lines.reduce((sum, l) => sum + l.cost, 0);
    return {
        lines,
        total,
        kpus,
        pausedPerDay: pausedPerHour * 24,
        storagePerMonthAfter: parquetGb * p("s3.standardStorageGbMonth"),
        notes,
    };
}

export interface MeasuredThroughput {
    /** Events per second. */
    eventsPerSecond: number;
    /** `stated`: a sizing figure per KPU, used as is. `cpu`: per fully used vCPU, before headroom. */
    basis: "stated" | "cpu";
    /** The text it was read from. */
    evidence: string;
}

/**
 * Reads the runner's throughput from the `## Runner throughput` section of docs/BENCHMARKS.md: a line
 * `events/s per KPU: N` (or `eventsPerSecondPerKpu: N`), used as is; else the benchmark's
 * `N CPU-s per million events` (one KPU is one vCPU: 1e6 / N events/s at 100 % CPU).
 */
export function throughputFromBenchmarks(markdown: string): MeasuredThroughput | undefined {
    const section = /^## Runner throughput\s*$([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(markdown);
    if (!section) return undefined;
    const line = /(?:events\/s|events per second|eventsPerSecond)\s*per\s*KPU\W*?(\d[\d,_]*(?:\.\d+)?)/i.exec(section[1]);
    if (line) {
        const n = Number(line[1].replace(/[,_]/g, ""));
        return Number.isFinite(n) && n > 0 ? { eventsPerSecond: n, basis: "stated", evidence: line[0].trim() } : undefined;
    }
    // runner/bench/run.sh prints "N CPU-s per million events"; one KPU is one vCPU.
    const cpu = /(\d+(?:\.\d+)?)\s*CPU-s(?:econds)? per million events/i.exec(section[1]);
    if (!cpu) return undefined;
    const seconds = Number(cpu[1]);
    return seconds > 0 ? { eventsPerSecond: Math.floor(1e6 / seconds), basis: "cpu", evidence: cpu[0] } : undefined;
}

const money = (v: number) => (v < 0.01 && v > 0 ? `$${v.toFixed(4)}` : `$${v.toFixed(2)}`);
const unitMoney = (v: number) => {
    const short = Number(v.toFixed(4)).toString();
    return `$${(short.split(".")[1] ?? "").length <= 2 ? v.toFixed(2) : short}`;
};
const qty = (v: number) => (Number.isInteger(v) ? v.toLocaleString("en-US") : v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(3));

/** The estimate as a fixed-width table. */
export function formatEstimate(estimate: CostEstimate, header: string[]): string {
    const rows = estimate.lines.map((l) => [
        `${l.group}: ${l.line}`,
        `${qty(l.quantity)} ${l.unit}`,
        l.per === 1 ? unitMoney(l.unitPrice) : `${unitMoney(l.unitPrice)}/${l.per.toLocaleString("en-US")}`,
        money(l.cost),
    ]);
    const head = ["line", "quantity", "unit price", "cost"];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
    const rule = widths.map((w) => "-".repeat(w)).join("  ");
    const out = [...header, "", fmt(head), rule, ...rows.map(fmt), rule, fmt(["total", "", "", money(estimate.total)]), ""];
    out.push(`If paused (season: paused) instead: ${money(estimate.pausedPerDay)} per day. Destroyed (pulumi destroy): $0.00 in this region.`);
    out.push(`The season's Parquet stays in the lake after the season: ${money(estimate.storagePerMonthAfter)} per month.`);
    for (const n of estimate.notes) out.push(`Note: ${n}`);
    return out.join("\n");
}
