/**
 * Reconciliation: every deterministic metric recomputed from the ground truth (the records actually
 * sent, classified by local/classify.ts) with DuckDB, independently of Flink, and compared window by
 * window with the lake (the final row per window key, as the Athena queries take it).
 *
 * Which windows are compared: every window the lake holds, plus every window Flink must have closed.
 * Flink closes a 1-minute window [s, e) when its watermark (max event time seen minus 1 minute) reaches
 * e; each source subtask's watermark is at least the smallest, over the stream's shards, of the newest
 * event time in that shard, minus 1 minute. So a window is provably complete when
 *     e <= min over shards(max event time in shard) - 60 s.
 * Later windows are compared only if Flink emitted them. The generator keeps out-of-order events within
 * 20 s of event time (the watermark delay is 60 s), so no event is dropped as late and every emitted
 * window is exact; a replayed file (--events) with events later than the watermark delay would show up
 * here as mismatches, which is the point.
 */
import { DuckDBConnection } from "@duckdb/node-api";

/** How to recompute one output from unique valid events: key columns, value columns and the SQL. */
export interface MetricDefinition {
    keys: string[];
    values: string[];
    /** Window end (epoch ms) column, for the completeness rule; undefined for non-windowed outputs. */
    windowEnd?: string;
    /** DuckDB SQL over view `u` (unique valid events: event_ms, event_type, user_id, site, country, page_type, page_url, campaign, cart_value) and `region`. */
    sql: string;
}

const TUMBLE = "(event_ms // 60000) * 60000";

/** The recomputation of each output in sql/outputs/ (kept in step with those files; see docs/LOCAL.md). */
export const METRICS: Record<string, MetricDefinition> = {
    active_users_1m: {
        keys: ["ws", "we", "region", "site", "country"],
        values: ["active_users"],
        windowEnd: "we",
        sql: `SELECT ${TUMBLE} AS ws, ${TUMBLE} + 60000 AS we, $region AS region, site, country, COUNT(DISTINCT user_id) AS active_users
              FROM u GROUP BY ALL`,
    },
    active_users_5m: {
        keys: ["ws", "we", "region", "site", "country"],
        values: ["active_users"],
        windowEnd: "we",
        sql: `SELECT ${TUMBLE} - k * 60000 AS ws, ${TUMBLE} - k * 60000 + 300000 AS we, $region AS region, site, country,
                     COUNT(DISTINCT user_id) AS active_users
              FROM u, range(5) AS r(k) GROUP BY ALL`,
    },
    clicks_1m: {
        keys: ["ws", "we", "region", "site", "country", "page_type"],
        values: ["clicks"],
        windowEnd: "we",
        sql: `SELECT ${TUMBLE} AS ws, ${TUMBLE} + 60000 AS we, $region AS region, site, country,
                     COALESCE(page_type, 'unknown') AS page_type, COUNT(*) AS clicks
              FROM u WHERE event_type = 'click' GROUP BY ALL`,
    },
    page_clicks_late: {
        keys: ["ws", "we", "region", "site", "page_url"],
        values: ["clicks", "first_click_at", "last_click_at"],
        windowEnd: "we",
        sql: `SELECT ${TUMBLE} AS ws, ${TUMBLE} + 60000 AS we, $region AS region, site, page_url, COUNT(*) AS clicks,
                     MIN(event_ms) AS first_click_at, MAX(event_ms) AS last_click_at
              FROM u WHERE event_type = 'click' AND page_url IS NOT NULL GROUP BY ALL`,
    },
    cart_value_by_campaign: {
        keys: ["ws", "we", "region", "site", "campaign"],
        values: ["purchases", "cart_value"],
        windowEnd: "we",
        sql: `SELECT ${TUMBLE} AS ws, ${TUMBLE} + 60000 AS we, $region AS region, site, COALESCE(campaign, '(none)') AS campaign,
                     COUNT(*) AS purchases, CAST(COALESCE(SUM(TRY_CAST(cart_value AS DECIMAL(18,2))), 0) AS DECIMAL(18,2)) AS cart_value
              FROM u WHERE event_type = 'purchase' GROUP BY ALL`,
    },
    rejected_events: {
        keys: ["region", "reason"],
        values: ["records"],
        sql: `SELECT $region AS region, reason, COUNT(*) AS records FROM r GROUP BY ALL`,
    },
};

/** Lake-side projection of each output to the metric's keys and values (window bounds as epoch ms). */
function lakeSelect(output: string): string {
    switch (output) {
        case "rejected_events":
            return "SELECT region, reason, COUNT(*) AS records, '' AS file FROM lake GROUP BY ALL";
        case "page_clicks_late":
            return "SELECT epoch_ms(window_start) AS ws, epoch_ms(window_end) AS we, region, site, page_url, clicks, epoch_ms(first_click_at) AS first_click_at, epoch_ms(last_click_at) AS last_click_at, filename AS file FROM lake";
        default:
            return "SELECT * EXCLUDE (window_start, window_end, filename, year, month, day, hour), epoch_ms(window_start) AS ws, epoch_ms(window_end) AS we, filename AS file FROM lake";
    }
}

export interface AppScope {
    app: string;
    stream: string;
    outputs: string[];
}

export interface Mismatch {
    output: string;
    key: Record<string, unknown>;
    expected: Record<string, unknown> | null;
    actual: Record<string, unknown> | null;
}

export interface ReconciliationResult {
    windows: number;
    mismatches: Mismatch[];
    skipped: string[];
    perOutput: Record<string, { compared: number; mismatches: number; closedUntilMs?: number }>;
    accounting: { sent: number; valid: number; duplicates: number; rejectedExpected: number; rejectedInLake: number; ok: boolean; line: string };
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Compares two key/value rows: numbers as numbers, everything else as text. Pure. */
export function sameValue(a: unknown, b: unknown): boolean {
    if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
    const na = Number(a);
    const nb = Number(b);
    if (!Number.isNaN(na) && !Number.isNaN(nb) && typeof a !== "boolean") return Math.abs(na - nb) < 1e-9;
    return String(a) === String(b);
}

/**
 * Diffs expected against actual rows by key. `complete(row)` tells whether an expected row's window is
 * provably closed (absent in the lake = mismatch); an expected row of an open window that the lake lacks
 * is not compared. Pure.
 */
export function diffRows(
    output: string,
    keys: string[],
    values: string[],
    expected: Record<string, unknown>[],
    actual: Record<string, unknown>[],
    complete: (row: Record<string, unknown>) => boolean,
): { compared: number; mismatches: Mismatch[] } {
    const k = (r: Record<string, unknown>) => JSON.stringify(keys.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c]))));
    const pick = (r: Record<string, unknown>, cols: string[]) => Object.fromEntries(cols.map((c) => [c, r[c] ?? null]));
    const act = new Map(actual.map((r) => [k(r), r]));
    const exp = new Map(expected.map((r) => [k(r), r]));
    const mismatches: Mismatch[] = [];
    let compared = 0;
    for (const [key, e] of exp) {
        const a = act.get(key);
        if (!a && !complete(e)) continue;
        compared++;
        if (!a || values.some((v) => !sameValue(e[v], a[v]))) mismatches.push({ output, key: pick(e, keys), expected: pick(e, values), actual: a ? pick(a, values) : null });
    }
    for (const [key, a] of act) {
        if (exp.has(key)) continue;
        compared++;
        mismatches.push({ output, key: pick(a, keys), expected: null, actual: pick(a, values) });
    }
    return { compared, mismatches };
}

/**
 * Runs the reconciliation. `groundTruth` is the JSON-lines file of sent records; `lakeDir` the local lake.
 */
export async function reconcile(db: DuckDBConnection, groundTruth: string, lakeDir: string, region: string, apps: AppScope[]): Promise<ReconciliationResult> {
    await db.run(`CREATE OR REPLACE TABLE gt AS SELECT * FROM read_json(${q(groundTruth)}, format = 'newline_delimited', columns = {
        seq: 'BIGINT', stream: 'VARCHAR', shard: 'VARCHAR', sent_ms: 'BIGINT', kind: 'VARCHAR', reason: 'VARCHAR',
        event_id: 'VARCHAR', event_type: 'VARCHAR', user_id: 'VARCHAR', site: 'VARCHAR', country: 'VARCHAR',
        page_type: 'VARCHAR', page_url: 'VARCHAR', event_ms: 'BIGINT', campaign: 'VARCHAR', cart_value: 'VARCHAR'})`);
    const result: ReconciliationResult = {
        windows: 0,
        mismatches: [],
        skipped: [],
        perOutput: {},
        accounting: { sent: 0, valid: 0, duplicates: 0, rejectedExpected: 0, rejectedInLake: 0, ok: true, line: "" },
    };
    const outputs = [...new Set(apps.flatMap((a) => a.outputs))];
    for (const output of outputs) {
        const def = METRICS[output];
        if (!def) {
            result.skipped.push(output);
            continue;
        }
        const streams = [...new Set(apps.filter((a) => a.outputs.includes(output)).map((a) => a.stream))].map(q).join(", ");
        // First delivery of each valid event_id wins (events_unique, one state per app and stream); seq is the send order.
        await db.run(`CREATE OR REPLACE TEMP VIEW u AS SELECT * FROM gt WHERE stream IN (${streams}) AND reason IS NULL
                      QUALIFY ROW_NUMBER() OVER (PARTITION BY stream, event_id ORDER BY seq) = 1`);
        await db.run(`CREATE OR REPLACE TEMP VIEW r AS SELECT * FROM gt WHERE stream IN (${streams}) AND reason IS NOT NULL`);
        const expected = (await db.runAndReadAll(def.sql.replace(/\$region/g, q(region)))).getRowObjectsJson() as Record<string, unknown>[];
        const c = (await db.runAndReadAll(`SELECT MIN(m) AS c FROM (SELECT MAX(event_ms) AS m FROM gt WHERE stream IN (${streams}) AND reason IS NULL GROUP BY stream, shard)`)).getRowObjectsJson()[0];
        const closedUntil = Number(c.c ?? 0) - 60_000;
        const files = `${lakeDir}/${output}/**/*.parquet`;
        let actual: Record<string, unknown>[] = [];
        const exists = (await db.runAndReadAll(`SELECT COUNT(*) AS n FROM glob(${q(files)})`)).getRowObjectsJson()[0];
        if (Number(exists.n) > 0) {
            await db.run(`CREATE OR REPLACE TEMP VIEW lake AS SELECT * FROM read_parquet(${q(files)}, hive_partitioning = true, hive_types_autocast = false, filename = true)`);
            const all = (await db.runAndReadAll(lakeSelect(output))).getRowObjectsJson() as Record<string, unknown>[];
            // At-least-once: a window key may appear more than once; the final row (newest file) wins.
            const latest = new Map<string, Record<string, unknown>>();
            for (const row of all.sort((a, b) => String(a.file).localeCompare(String(b.file)))) latest.set(JSON.stringify(def.keys.map((k) => row[k])), row);
            actual = [...latest.values()];
        }
        const complete = (row: Record<string, unknown>) => (def.windowEnd ? Number(row[def.windowEnd]) <= closedUntil : true);
        const d = diffRows(output, def.keys, def.values, expected, actual, complete);
        result.windows += d.compared;
        result.mismatches.push(...d.mismatches);
        result.perOutput[output] = { compared: d.compared, mismatches: d.mismatches.length, closedUntilMs: def.windowEnd ? closedUntil : undefined };
    }
    // Accounting: sent = valid (first deliveries) + duplicates + rejected, and the lake holds every rejected record.
    const streams = [...new Set(apps.filter((a) => a.outputs.includes("rejected_events")).map((a) => a.stream))];
    const inList = streams.map(q).join(", ") || "''";
    const acc = (
        await db.runAndReadAll(`SELECT COUNT(*) AS sent,
            COUNT(*) FILTER (WHERE reason IS NULL AND first) AS valid,
            COUNT(*) FILTER (WHERE reason IS NULL AND NOT first) AS duplicates,
            COUNT(*) FILTER (WHERE reason IS NOT NULL) AS rejected
          FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY stream, event_id ORDER BY seq) = 1 OR event_id IS NULL AS first FROM gt WHERE stream IN (${inList}))`)
    ).getRowObjectsJson()[0];
    const rejectedRow = result.perOutput.rejected_events !== undefined
        ? (await db.runAndReadAll(`SELECT COUNT(*) AS n FROM read_parquet(${q(`${lakeDir}/rejected_events/**/*.parquet`)}) WHERE EXISTS (SELECT 1)`).catch(() => null))?.getRowObjectsJson()[0]
        : undefined;
    const a = result.accounting;
    a.sent = Number(acc.sent);
    a.valid = Number(acc.valid);
    a.duplicates = Number(acc.duplicates);
    a.rejectedExpected = Number(acc.rejected);
    a.rejectedInLake = rejectedRow ? Number(rejectedRow.n) : 0;
    a.ok = a.sent === a.valid + a.duplicates + a.rejectedInLake;
    a.line = `accounting: sent ${a.sent} = accepted ${a.valid} + duplicates ${a.duplicates} (same event_id, dropped by events_unique) + rejected ${a.rejectedInLake} (lake) ${a.ok ? "OK" : `MISMATCH (expected ${a.rejectedExpected} rejected)`}`;
    return result;
}

/** The one-line verdict, exactly `reconciliation: N windows, M mismatches`. */
export function verdictLine(r: ReconciliationResult): string {
    return `reconciliation: ${r.windows} windows, ${r.mismatches.length} mismatches`;
}
