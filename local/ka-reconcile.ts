/**
 * Reconciliation of a KA application (sql/ka/<app>/, docs/KA-MIGRATION.md) in a local run: its outputs
 * recomputed from the records as the stream holds them, read back after the run with their
 * `ApproximateArrivalTimestamp` (KA's ROWTIME), independently of the translated Flink SQL:
 *
 * - `application.json`'s `RecordColumns` are applied here by their JSONPath (`kaParse`): a record that is
 *   not one JSON object is rejected `ka:<app>:not_json`; a missing value is NULL, as in KA.
 * - Each output's rows are what KA emits (`KA_METRICS`): windows of arrival time, no de-duplication.
 * - Late records (the runner's lateness split writes them to rejected_events as `ka:<app>:late:<outputs>`)
 *   are taken from the lake, each checked to be a valid record of the stream, and left out of every
 *   output (as the translation leaves them out of its input stream); then every window is compared.
 *
 * Pure functions over read-back records, then `reconcileKa` (DuckDB over the lake) compares and accounts.
 */
import { DuckDBConnection } from "@duckdb/node-api";
import { RunnerCounts } from "./accounting";
import { sqlLiteral as q } from "./athena";
import { ArrivedRecord } from "./kinesis";
import { AppAccounting, diffRows, Mismatch, ReconciliationResult } from "./reconcile";

/** One `RecordColumns` entry of application.json. */
export interface KaInputColumn {
    name: string;
    sqlType: string;
    mapping: string;
}

/** A record's column values (text, or null) as KA's input stream holds them, with its arrival time. */
export interface KaRow {
    arrivalMs: number;
    payload: string;
    columns: Record<string, string | null>;
}

/** The column types recomputed here: KA's character types (values are kept as text). */
const TEXT_TYPE = /^\s*(VARCHAR|CHAR|CHARACTER)\b/i;

/** `RecordColumns` of an application.json; refuses what this recomputation does not cover, naming it. Pure. */
export function kaInputColumns(applicationJson: string, file: string): KaInputColumn[] {
    const doc = JSON.parse(applicationJson) as {
        input?: { InputSchema?: { RecordFormat?: { RecordFormatType?: string; MappingParameters?: unknown }; RecordColumns?: unknown[] } };
    };
    const schema = doc.input?.InputSchema;
    if (schema?.RecordFormat?.RecordFormatType !== "JSON") throw new Error(`${file}: only JSON records are recomputed locally`);
    return (schema.RecordColumns ?? []).map((c) => {
        const { Name, SqlType, Mapping } = c as { Name: string; SqlType: string; Mapping: string };
        if (!TEXT_TYPE.test(SqlType))
            throw new Error(
                `${file}: column ${Name} (${SqlType}): local/ka-reconcile.ts recomputes VARCHAR and CHAR columns only; this app cannot be reconciled locally`,
            );
        return { name: Name, sqlType: SqlType, mapping: Mapping };
    });
}

type Segment = { name: string } | { index: number };

function segments(mapping: string): Segment[] {
    const m = /^\$((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\['[^']+'\]|\["[^"]+"\])+)$/.exec(mapping.trim());
    if (!m) throw new Error(`mapping ${mapping}: not a JSONPath of names and indexes`);
    return [...m[1].matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['([^']+)'\]|\["([^"]+)"\]/g)].map((s) =>
        s[2] !== undefined ? { index: Number(s[2]) } : { name: s[1] ?? s[3] ?? s[4] },
    );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const scalarText = (v: unknown): string | null => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : null);

/**
 * The value of a text column at `mapping` in a parsed object, by KA's JSON mapping: a scalar is its text;
 * a top-level object or array is its JSON text; a nested object or array, JSON null or a missing value is
 * null. Pure.
 */
export function columnValue(doc: Record<string, unknown>, mapping: string): string | null {
    const path = segments(mapping);
    let v: unknown = doc;
    for (const s of path) {
        if ("name" in s) v = isObject(v) && Object.prototype.hasOwnProperty.call(v, s.name) ? v[s.name] : undefined;
        else v = Array.isArray(v) ? v[s.index] : undefined;
        if (v === undefined) return null;
    }
    if (typeof v === "object" && v !== null) return path.length === 1 ? JSON.stringify(v) : null;
    return scalarText(v);
}

/** A record through the input schema: its reject reason (`ka:<app>:not_json`), or its columns. Pure. */
export function kaParse(app: string, columns: KaInputColumn[], record: ArrivedRecord): { reason: string } | KaRow {
    let doc: unknown;
    try {
        doc = JSON.parse(record.data);
    } catch {
        doc = undefined;
    }
    if (!isObject(doc)) return { reason: `ka:${app}:not_json` };
    return { arrivalMs: record.arrivalMs, payload: record.data, columns: Object.fromEntries(columns.map((c) => [c.name, columnValue(doc, c.mapping)])) };
}

/** How KA computes one output from its input rows: key and value columns (timestamps as epoch ms). */
export interface KaMetric {
    keys: string[];
    values: string[];
    rows(input: KaRow[], region: string): Record<string, unknown>[];
}

const MINUTE = 60_000;
const minuteOf = (ms: number) => Math.floor(ms / MINUTE) * MINUTE;
const lower = (v: string | null) => (v === null ? null : v.toLowerCase());
const upper = (v: string | null) => (v === null ? null : v.toUpperCase());

/** Groups rows by a key; `key` returns the key's columns. */
function groupBy(input: KaRow[], key: (r: KaRow) => Record<string, unknown>): Map<string, { key: Record<string, unknown>; rows: KaRow[] }> {
    const groups = new Map<string, { key: Record<string, unknown>; rows: KaRow[] }>();
    for (const r of input) {
        const k = key(r);
        const id = JSON.stringify(Object.values(k));
        const g = groups.get(id) ?? { key: k, rows: [] };
        g.rows.push(r);
        groups.set(id, g);
    }
    return groups;
}

/**
 * What KA emits for each output of `sql/ka/web_metrics/` (kept in step with its application.sql; see
 * docs/LOCAL.md): one row per minute of arrival time (STEP / FLOOR of ROWTIME) and key; `rowtime` is the
 * row's ROWTIME in the lake, the window's last millisecond.
 */
export const KA_METRICS: Record<string, KaMetric> = {
    ka_active_users_1m: {
        keys: ["window_start", "region", "site", "country"],
        values: ["active_users", "rowtime"],
        rows: (input, region) =>
            [
                ...groupBy(input, (r) => ({
                    window_start: minuteOf(r.arrivalMs),
                    region,
                    site: lower(r.columns.site),
                    country: upper(r.columns.country),
                })).values(),
            ].map((g) => ({
                ...g.key,
                active_users: new Set(g.rows.map((r) => r.columns.user_id).filter((u) => u !== null)).size,
                rowtime: Number(g.key.window_start) + MINUTE - 1,
            })),
    },
    ka_clicks_1m: {
        keys: ["window_start", "region", "site", "country", "page_type"],
        values: ["clicks", "rowtime"],
        rows: (input, region) =>
            [
                ...groupBy(
                    input.filter((r) => r.columns.event_type === "click"),
                    (r) => ({
                        window_start: minuteOf(r.arrivalMs),
                        region,
                        site: lower(r.columns.site),
                        country: upper(r.columns.country),
                        page_type: r.columns.page_type ?? "unknown",
                    }),
                ).values(),
            ].map((g) => ({ ...g.key, clicks: g.rows.length, rowtime: Number(g.key.window_start) + MINUTE - 1 })),
    },
};

/** What a KA app's records give, before any comparison: rejected, late, and the input rows of its windows. */
export interface KaExpected {
    /** Records rejected by the input schema, by reason. */
    rejected: Map<string, string[]>;
    /** Valid records the runner recorded as late: left out of every window. */
    late: KaRow[];
    /** Late payloads of the lake that match no valid record of the stream (each a mismatch). */
    phantomLate: string[];
    /** The on-time rows: what KA's input stream holds. */
    onTime: KaRow[];
}

/**
 * Splits the read-back records: rejected by the schema, late (the lake's late payloads, `latePayloads`
 * with their multiplicity; when a payload arrived more than once, its earliest arrivals are the late
 * ones, as a record behind the watermark is the older one) and on time. Pure.
 */
export function kaExpected(app: string, columns: KaInputColumn[], records: ArrivedRecord[], latePayloads: string[]): KaExpected {
    const rejected = new Map<string, string[]>();
    const valid: KaRow[] = [];
    for (const r of records) {
        const p = kaParse(app, columns, r);
        if ("reason" in p) rejected.set(p.reason, [...(rejected.get(p.reason) ?? []), r.data]);
        else valid.push(p);
    }
    const lateLeft = new Map<string, number>();
    for (const p of latePayloads) lateLeft.set(p, (lateLeft.get(p) ?? 0) + 1);
    const late: KaRow[] = [];
    const onTime: KaRow[] = [];
    for (const r of [...valid].sort((a, b) => a.arrivalMs - b.arrivalMs)) {
        const n = lateLeft.get(r.payload) ?? 0;
        if (n > 0) {
            late.push(r);
            lateLeft.set(r.payload, n - 1);
        } else onTime.push(r);
    }
    const phantomLate = [...lateLeft].flatMap(([p, n]) => Array<string>(n).fill(p));
    return { rejected, late, phantomLate, onTime };
}

/** One KA app of the run: its records read back from its stream, and the runner's totals. */
export interface KaScope {
    app: string;
    /** The folder under sql/ka/. */
    ka: string;
    stream: string;
    outputs: string[];
    columns: KaInputColumn[];
    records: ArrivedRecord[];
    /** Records the traffic put into the stream. */
    sent: number;
    counts?: RunnerCounts;
}

export interface KaReconciliation {
    windows: number;
    mismatches: Mismatch[];
    perOutput: ReconciliationResult["perOutput"];
    skipped: string[];
    late: number;
    accounting: AppAccounting;
}

async function rows(db: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
    return (await db.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

async function exists(db: DuckDBConnection, glob: string): Promise<boolean> {
    return Number((await rows(db, `SELECT COUNT(*) AS n FROM glob(${q(glob)})`))[0].n) > 0;
}

/** Compares a KA app's outputs, window by window, and its rejections by reason with the lake; then its accounting. */
export async function reconcileKa(db: DuckDBConnection, lakeDir: string, region: string, s: KaScope): Promise<KaReconciliation> {
    const prefix = `ka:${s.app}:`;
    const rejectedFiles = `${lakeDir}/rejected_events/**/*.parquet`;
    const lakeRejected = (await exists(db, rejectedFiles))
        ? await rows(
              db,
              `SELECT DISTINCT reason, payload, received_at FROM read_parquet(${q(rejectedFiles)}, hive_partitioning = false) WHERE starts_with(reason, ${q(prefix)})`,
          )
        : [];
    const lateRows = lakeRejected.filter((r) => String(r.reason).startsWith(`${prefix}late:`));
    const exp = kaExpected(
        s.app,
        s.columns,
        s.records,
        lateRows.map((r) => String(r.payload)),
    );
    const result: KaReconciliation = { windows: 0, mismatches: [], perOutput: {}, skipped: [], late: exp.late.length, accounting: undefined! };
    for (const p of exp.phantomLate)
        result.mismatches.push({
            output: "rejected_events",
            key: { app: s.app, reason: `${prefix}late:*`, payload: p.slice(0, 200) },
            expected: null,
            actual: { late: 1 },
        });

    // Every output, window by window (after drain every window is closed).
    for (const output of s.outputs.filter((o) => o !== "rejected_events")) {
        const def = KA_METRICS[output];
        if (!def) {
            result.skipped.push(output);
            continue;
        }
        const files = `${lakeDir}/${output}/**/*.parquet`;
        let actual: Record<string, unknown>[] = [];
        if (await exists(db, files)) {
            const all = await rows(
                db,
                `SELECT * EXCLUDE (filename) REPLACE (epoch_ms(window_start) AS window_start, epoch_ms(rowtime) AS rowtime), filename AS file
                 FROM read_parquet(${q(files)}, hive_partitioning = false, filename = true)`,
            );
            // At-least-once: a window key may appear more than once; the final row (newest file) wins.
            const latest = new Map<string, Record<string, unknown>>();
            for (const row of all.sort((a, b) => String(a.file).localeCompare(String(b.file))))
                latest.set(JSON.stringify(def.keys.map((k) => row[k] ?? null)), row);
            actual = [...latest.values()];
        }
        const d = diffRows(output, def.keys, def.values, def.rows(exp.onTime, region), actual, () => true);
        result.windows += d.compared;
        result.mismatches.push(...d.mismatches);
        result.perOutput[output] = { compared: d.compared, mismatches: d.mismatches.length };
    }

    // Its rejections, by reason: distinct payloads, as sql/athena/rejected_events_by_reason.sql counts them.
    const byReason = (list: { reason: string; payload: string }[]) => {
        const m = new Map<string, Set<string>>();
        for (const r of list) m.set(r.reason, (m.get(r.reason) ?? new Set()).add(r.payload));
        return [...m].map(([reason, payloads]) => ({ region, reason, records: payloads.size }));
    };
    const lakeSchemaRejected = lakeRejected
        .filter((r) => !String(r.reason).startsWith(`${prefix}late:`))
        .map((r) => ({ reason: String(r.reason), payload: String(r.payload) }));
    const expectedRejected = [...exp.rejected].flatMap(([reason, payloads]) => payloads.map((payload) => ({ reason, payload })));
    const rej = diffRows("rejected_events", ["region", "reason"], ["records"], byReason(expectedRejected), byReason(lakeSchemaRejected), () => true);
    result.windows += rej.compared;
    result.mismatches.push(...rej.mismatches);
    result.perOutput[`rejected_events ${prefix}*`] = { compared: rej.compared, mismatches: rej.mismatches.length };

    // Accounting: read (runner) = rejected (lake, by the schema) + late (lake) + counted (runner); no duplicates in KA.
    const inLake = new Set(lakeSchemaRejected.map((r) => `${r.reason}\n${r.payload}`));
    const c = s.counts;
    const a: AppAccounting = {
        app: s.app,
        stream: s.stream,
        read: c?.read ?? 0,
        sent: s.sent,
        rejected: expectedRejected.filter((r) => inLake.has(`${r.reason}\n${r.payload}`)).length,
        rejectedExpected: expectedRejected.length,
        duplicates: 0,
        late: exp.late.length,
        lateByRunner: c?.late ?? 0,
        counted: c?.onTime ?? 0,
        lost: 0,
        ok: false,
        line: "",
    };
    a.lost = a.read - a.rejected - a.late - a.counted;
    const problems = [
        c ? undefined : "no accounting from the runner",
        a.read !== a.sent ? `read ${a.read} of ${a.sent} records sent` : undefined,
        s.records.length !== a.sent ? `the stream holds ${s.records.length} of ${a.sent} records sent` : undefined,
        a.rejected !== a.rejectedExpected ? `${a.rejectedExpected} records should be rejected` : undefined,
        a.late !== a.lateByRunner ? `the runner recorded ${a.lateByRunner} late records` : undefined,
        a.counted !== exp.onTime.length ? `${exp.onTime.length} records should be counted` : undefined,
    ].filter((p): p is string => !!p);
    a.ok = a.lost === 0 && problems.length === 0;
    a.line =
        `accounting ${s.app} (KA ${s.ka}, ${s.stream}): read ${a.read} = rejected ${a.rejected} + late ${a.late} + counted ${a.counted}, ` +
        `${a.lost} lost` +
        (problems.length ? ` (${problems.join("; ")})` : "");
    result.accounting = a;
    return result;
}

/** Adds a KA app's reconciliation to the run's: its windows, mismatches and accounting line. */
export function mergeKa(rec: ReconciliationResult, ka: KaReconciliation): void {
    rec.windows += ka.windows;
    rec.mismatches.push(...ka.mismatches);
    Object.assign(rec.perOutput, ka.perOutput);
    rec.skipped.push(...ka.skipped);
    rec.accounting.apps.push(ka.accounting);
    rec.accounting.lost = rec.accounting.apps.reduce((n, a) => n + Math.abs(a.lost), 0);
    rec.accounting.ok = rec.accounting.apps.every((a) => a.ok);
    rec.accounting.line = `accounting: ${rec.accounting.ok ? "OK" : "FAILED"}: read = rejected + duplicates + late + counted for every app, ${rec.accounting.lost} lost`;
}
