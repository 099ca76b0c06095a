/**
 * The live dashboard's data: the local lake as it is at this moment, turned into one JSON model by the
 * `sql/athena/` queries (the ones the cloud dashboards run), with DuckDB. No HTTP, no HTML: the server
 * (local/dashboard-server.ts) serves this model and the page (local/dashboard-page.ts) draws it.
 *
 * An output without files yet gets an empty view with its Glue columns, so every query runs (and
 * returns no rows) from the first second of a run.
 */
import * as fs from "fs";
import * as path from "path";
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { GlueColumn, PARTITION_KEYS } from "../lib/sql/glue-schema";
import { registerLakeViews, runAthenaQueries } from "./athena";
import { BarChart, LineChart, toSeries } from "./dashboard";
import { glueToDuckDb } from "./lake";

export interface LiveOutput {
    name: string;
    /** Its Glue columns (`glueColumns(output)`), for the empty view of an output without files. */
    columns: GlueColumn[];
}

export interface LiveModelOptions {
    lakeDir: string;
    /** The Athena query files (`sql/athena/`). */
    athenaDir: string;
    outputs: LiveOutput[];
    /** The clock for freshness (epoch ms). Default: Date.now(). */
    now?: number;
    /** Rows kept per query table (the queries' own order: newest windows first). Default 100. */
    rowsPerTable?: number;
}

export interface OutputFreshness {
    output: string;
    /** Parquet files under `<lake>/<output>/`. */
    files: number;
    /** The column that says when a row's data closed: `window_end`, else `received_at` (rejected and late records). */
    timeColumn: string | null;
    /** max(timeColumn) in the lake, epoch ms (UTC); null without rows. */
    newestMs: number | null;
    /** now − newestMs, in seconds; null without rows. */
    freshnessSeconds: number | null;
    /** mtime of the newest Parquet file, epoch ms; null without files. */
    newestFileMs: number | null;
}

export interface LiveTable {
    /** The query's name (file name without .sql). */
    name: string;
    file: string;
    columns: string[];
    /** The first `rowsPerTable` rows, in the query's order. */
    rows: Record<string, unknown>[];
    totalRows: number;
    ms: number;
    error?: string;
}

export interface LiveModel {
    generatedAt: string;
    nowMs: number;
    /** Time to build this model, ms. */
    queryMs: number;
    outputs: OutputFreshness[];
    lines: LineChart[];
    bars: BarChart[];
    tables: LiveTable[];
    /** Failed queries, one line each (`<name>: <error>`). */
    errors: string[];
}

/** `2026-11-27 10:01:00` (a DuckDB TIMESTAMP as JSON, UTC) to epoch ms. Pure. */
export const timestampMs = (t: unknown): number => Date.parse(String(t).replace(" ", "T") + "Z");

/** `CREATE OR REPLACE VIEW <output>` with no rows and the output's columns and partition keys, as Glue types them. Pure. */
export function emptyViewSql(o: LiveOutput): string {
    const cols = [...o.columns, ...PARTITION_KEYS].map((c) => `CAST(NULL AS ${glueToDuckDb(c.type)}) AS "${c.name}"`);
    return `CREATE OR REPLACE VIEW ${o.name} AS SELECT ${cols.join(", ")} WHERE false`;
}

/** The Parquet files of one output (the stand-in renames each into place, so a listed file is complete). */
export function parquetFiles(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? parquetFiles(path.join(dir, e.name)) : e.name.endsWith(".parquet") ? [path.join(dir, e.name)] : []));
}

type Row = Record<string, unknown>;
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

/** Sums `value` per (x, key) over the rows of a query result, into one series per key. Pure. */
export function seriesOf(rows: Row[], x: string, key: string, value: string): LineChart["series"] {
    const sums = new Map<string, { ws: number; key: string; value: number }>();
    for (const r of rows) {
        const k = `${r[x]}\u0000${r[key]}`;
        const cur = sums.get(k) ?? { ws: timestampMs(r[x]), key: String(r[key]), value: 0 };
        cur.value += num(r[value]);
        sums.set(k, cur);
    }
    return toSeries([...sums.values()].sort((a, b) => a.ws - b.ws));
}

/** Sums `value` per `label` into bars, largest first. Pure. */
export function barsOf(rows: Row[], label: string, value: string): BarChart["bars"] {
    const sums = new Map<string, number>();
    for (const r of rows) sums.set(String(r[label]), (sums.get(String(r[label])) ?? 0) + num(r[value]));
    return [...sums.entries()]
        .map(([l, v]) => ({ label: l, value: Math.round(v * 100) / 100 }))
        .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
}

/** Builds the model from query results and freshness figures. Pure. */
export function modelOf(
    results: { name: string; file: string; columns: string[]; rows: Row[]; ms: number; error?: string }[],
    late: Row[],
    outputs: OutputFreshness[],
    nowMs: number,
    queryMs: number,
    rowsPerTable = 100,
): LiveModel {
    const rows = (name: string) => results.find((r) => r.name === name)?.rows ?? [];
    const au = rows("active_users_1m_latest");
    const clicks = rows("clicks_1m_latest");
    const au5 = rows("active_users_5m_latest");
    const cart = rows("cart_value_by_campaign_latest");
    const lines: LineChart[] = [
        { id: "active-users-by-site", title: "Active users per minute by site", series: seriesOf(au, "window_start", "site", "active_users") },
        { id: "active-users-by-country", title: "Active users per minute by country", series: seriesOf(au, "window_start", "country", "active_users") },
        { id: "clicks-by-site", title: "Clicks per minute by site", series: seriesOf(clicks, "window_start", "site", "clicks") },
        { id: "clicks-by-country", title: "Clicks per minute by country", series: seriesOf(clicks, "window_start", "country", "clicks") },
        {
            id: "active-users-5m-by-site",
            title: "Active users over the last 5 minutes by site (sliding, by window end)",
            series: seriesOf(au5, "window_end", "site", "active_users"),
        },
        { id: "cart-value-by-campaign-1m", title: "Cart value per minute by campaign", series: seriesOf(cart, "window_start", "campaign", "cart_value") },
    ];
    const bars: BarChart[] = [
        { id: "campaign-revenue", title: "Cart value by campaign (all windows)", bars: barsOf(cart, "campaign", "cart_value") },
        {
            id: "rejected-by-reason",
            title: "Rejected records by reason (distinct payloads)",
            bars: barsOf(rows("rejected_events_by_reason"), "reason", "records"),
        },
        { id: "late-by-output", title: "Late records by output that closed without them", bars: barsOf(late, "output", "events") },
    ];
    return {
        generatedAt: new Date(nowMs).toISOString(),
        nowMs,
        queryMs,
        outputs,
        lines,
        bars,
        tables: results.map((r) => ({
            name: r.name,
            file: r.file,
            columns: r.columns,
            rows: r.rows.slice(0, rowsPerTable),
            totalRows: r.rows.length,
            ms: r.ms,
            error: r.error,
        })),
        errors: results.filter((r) => r.error).map((r) => `${r.name}: ${r.error}`),
    };
}

/** Registers a view per output: over its files when it has some, else empty. Returns the file count per output. */
export async function registerLiveViews(db: DuckDBConnection, lakeDir: string, outputs: LiveOutput[]): Promise<Map<string, string[]>> {
    const files = new Map(outputs.map((o) => [o.name, parquetFiles(path.join(lakeDir, o.name))]));
    const withFiles = outputs.filter((o) => files.get(o.name)!.length > 0);
    await registerLakeViews(
        db,
        lakeDir,
        withFiles.map((o) => o.name),
    );
    for (const o of outputs) if (!withFiles.includes(o)) await db.run(emptyViewSql(o));
    return files;
}

async function freshness(db: DuckDBConnection, o: LiveOutput, files: string[], nowMs: number): Promise<OutputFreshness> {
    const names = o.columns.map((c) => c.name);
    const timeColumn = names.includes("window_end") ? "window_end" : names.includes("received_at") ? "received_at" : null;
    let newestMs: number | null = null;
    if (timeColumn && files.length > 0) {
        const r = (await db.runAndReadAll(`SELECT epoch_ms(MAX("${timeColumn}")) AS newest FROM ${o.name}`)).getRowObjectsJson()[0];
        newestMs = r?.newest === null || r?.newest === undefined ? null : Number(r.newest);
    }
    const mtimes = files.map((f) => fs.statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    return {
        output: o.name,
        files: files.length,
        timeColumn,
        newestMs,
        freshnessSeconds: newestMs === null ? null : Math.round((nowMs - newestMs) / 1000),
        newestFileMs: files.length ? Math.round(Math.max(...mtimes)) : null,
    };
}

/** Late records per output that closed without them (distinct event ids; `closed_outputs` lists them). */
export const LATE_BY_OUTPUT_SQL =
    "SELECT output, COUNT(DISTINCT event_id) AS events FROM " +
    "(SELECT event_id, unnest(string_split(closed_outputs, ',')) AS output FROM late_events) GROUP BY output ORDER BY events DESC, output";

/**
 * The lake as it is now, as a model: every `sql/athena/` query, the late records, and each output's
 * freshness. Opens its own in-memory DuckDB and closes it. A failing query is reported in `errors`
 * (and in its table), not thrown.
 */
export async function liveModel(o: LiveModelOptions): Promise<LiveModel> {
    const started = Date.now();
    const nowMs = o.now ?? Date.now();
    const instance = await DuckDBInstance.create(":memory:");
    const db = await instance.connect();
    try {
        const files = await registerLiveViews(db, o.lakeDir, o.outputs);
        const results = await runAthenaQueries(db, o.athenaDir, "dashboard");
        const late = o.outputs.some((x) => x.name === "late_events")
            ? ((await db.runAndReadAll(LATE_BY_OUTPUT_SQL).catch(() => null))?.getRowObjectsJson() ?? [])
            : [];
        const outputs: OutputFreshness[] = [];
        for (const out of o.outputs) outputs.push(await freshness(db, out, files.get(out.name)!, nowMs).catch(() => emptyFreshness(out.name)));
        return modelOf(results, late as Row[], outputs, nowMs, Date.now() - started, o.rowsPerTable);
    } finally {
        db.closeSync();
        instance.closeSync?.();
    }
}

const emptyFreshness = (output: string): OutputFreshness => ({
    output,
    files: 0,
    timeColumn: null,
    newestMs: null,
    freshnessSeconds: null,
    newestFileMs: null,
});
