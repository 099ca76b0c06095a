/**
 * Reconciliation: every deterministic metric recomputed from the ground truth (the records actually
 * sent, classified by local/classify.ts) with DuckDB, independently of Flink, and compared window by
 * window with the lake (the final row per window key, as the Athena queries take it). Then the
 * accounting of every app: `read = rejected + duplicates + late + counted`, each term from its own
 * source (docs/LOCAL.md, "Reconciliation").
 *
 * Late events: the runner decides once per event whether it is late (late_events) or counted in every
 * window it belongs to. Which events were late depends on when each shard was read, so the
 * recomputation takes the late events from the lake, checks each one against the ground truth, and
 * recomputes the windows from the other events. Each app decides for its own outputs
 * (late_events.closed_outputs names them).
 *
 * Which windows are compared: every window the lake holds, plus every window Flink must have closed.
 * The watermark is the minimum over the stream's active shards of their newest event time, minus 1
 * minute, and every shard goes idle at the end of the traffic; so a window is provably complete when
 * its end <= min over shards (max event time in shard) - 60 s. After a stop with drain (the drill),
 * every window is complete.
 */
import { DuckDBConnection } from "@duckdb/node-api";
import { RunnerCounts } from "./accounting";
import { sqlLiteral as q } from "./athena";

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
        // Counted like sql/athena/rejected_events_by_reason.sql: a restore re-sends the rejections read since
        // the last checkpoint, so copies collapse on (region, reason, payload).
        sql: `SELECT $region AS region, reason, COUNT(DISTINCT data) AS records FROM r GROUP BY ALL`,
    },
};

/** Lake-side projection of each output to the metric's keys and values (window bounds as epoch ms). */
function lakeSelect(output: string): string {
    switch (output) {
        case "rejected_events":
            // A KA app's rejections ('ka:<app>:...') are reconciled with its app (local/ka-reconcile.ts).
            return "SELECT region, reason, COUNT(DISTINCT payload) AS records, '' AS file FROM lake WHERE NOT starts_with(reason, 'ka:') GROUP BY ALL";
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
    /** The runner's own totals for the app (local/accounting.ts); without them the accounting fails. */
    counts?: RunnerCounts;
}

export interface Mismatch {
    output: string;
    key: Record<string, unknown>;
    expected: Record<string, unknown> | null;
    actual: Record<string, unknown> | null;
}

/**
 * An output whose SQL changed at `atMs` (a stop with savepoint, then a restart with the new SQL; for a new
 * output `before` is undefined). Rows written before `atMs` follow `before`; a window whose events were all
 * sent after `atMs` follows `after` exactly; a window in between lost what the old state had counted:
 * its value lies between `after` over the events sent after `atMs` and `after` over all its events.
 */
export interface DefinitionChange {
    output: string;
    atMs: number;
    before?: MetricDefinition;
    after: MetricDefinition;
}

export interface AppAccounting {
    app: string;
    stream: string;
    read: number;
    sent: number;
    rejected: number;
    rejectedExpected: number;
    duplicates: number;
    late: number;
    lateByRunner: number;
    counted: number;
    lost: number;
    ok: boolean;
    line: string;
}

export interface ReconciliationResult {
    windows: number;
    mismatches: Mismatch[];
    skipped: string[];
    perOutput: Record<string, { compared: number; mismatches: number; closedUntilMs?: number; straddling?: number; lostCounts?: number }>;
    /** Late events in the lake, checked against the ground truth. */
    late: number;
    accounting: { apps: AppAccounting[]; lost: number; ok: boolean; line: string };
}

export interface ReconcileOptions {
    /** Every window is closed (the apps were stopped with drain). Default false. */
    allWindowsClosed?: boolean;
    /** The recomputation of each output; default METRICS. */
    metrics?: Record<string, MetricDefinition>;
    /** Outputs whose SQL changed during the run (the drill). */
    changes?: DefinitionChange[];
    /** The Firehose stand-in's manifest of written files (needed with `changes`). */
    manifest?: string;
}

const list = (items: string[]) => items.map(q).join(", ") || "''";

/** Compares two key/value rows: numbers as numbers, everything else as text. Pure. */
export function sameValue(a: unknown, b: unknown): boolean {
    if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
    const na = Number(a);
    const nb = Number(b);
    if (!Number.isNaN(na) && !Number.isNaN(nb) && typeof a !== "boolean") return Math.abs(na - nb) < 1e-9;
    return String(a) === String(b);
}

const keyOf = (keys: string[], r: Record<string, unknown>) => JSON.stringify(keys.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c]))));
const pick = (r: Record<string, unknown>, cols: string[]) => Object.fromEntries(cols.map((c) => [c, r[c] ?? null]));

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
    const act = new Map(actual.map((r) => [keyOf(keys, r), r]));
    const exp = new Map(expected.map((r) => [keyOf(keys, r), r]));
    const mismatches: Mismatch[] = [];
    let compared = 0;
    for (const [key, e] of exp) {
        const a = act.get(key);
        if (!a && !complete(e)) continue;
        compared++;
        if (!a || values.some((v) => !sameValue(e[v], a[v])))
            mismatches.push({ output, key: pick(e, keys), expected: pick(e, values), actual: a ? pick(a, values) : null });
    }
    for (const [key, a] of act) {
        if (exp.has(key)) continue;
        compared++;
        mismatches.push({ output, key: pick(a, keys), expected: null, actual: pick(a, values) });
    }
    return { compared, mismatches };
}

/**
 * Windows that straddle a SQL change: each lake value must lie within [low, high] (numbers), and the
 * difference to `high` is what the old state had counted. Pure.
 */
export function diffStraddling(
    output: string,
    keys: string[],
    values: string[],
    low: Record<string, unknown>[],
    high: Record<string, unknown>[],
    actual: Record<string, unknown>[],
): { compared: number; mismatches: Mismatch[]; lost: number } {
    const act = new Map(actual.map((r) => [keyOf(keys, r), r]));
    const lows = new Map(low.map((r) => [keyOf(keys, r), r]));
    const mismatches: Mismatch[] = [];
    let lost = 0;
    for (const h of high) {
        const key = keyOf(keys, h);
        const a = act.get(key);
        const l = lows.get(key);
        const within = values.every((v) => {
            const value = a ? Number(a[v]) : 0;
            return value >= (l ? Number(l[v]) : 0) - 1e-9 && value <= Number(h[v]) + 1e-9;
        });
        if (!within) mismatches.push({ output, key: pick(h, keys), expected: pick(h, values), actual: a ? pick(a, values) : null });
        else lost += Number(h[values[0]]) - (a ? Number(a[values[0]]) : 0);
    }
    return { compared: high.length, mismatches, lost };
}

async function rows(db: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
    return (await db.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

async function exists(db: DuckDBConnection, glob: string): Promise<boolean> {
    return Number((await rows(db, `SELECT COUNT(*) AS n FROM glob(${q(glob)})`))[0].n) > 0;
}

/** Runs the reconciliation. `groundTruth` is the JSON-lines file of sent records; `lakeDir` the local lake. */
export async function reconcile(
    db: DuckDBConnection,
    groundTruth: string,
    lakeDir: string,
    region: string,
    apps: AppScope[],
    options: ReconcileOptions = {},
): Promise<ReconciliationResult> {
    const metrics = options.metrics ?? METRICS;
    await db.run(`CREATE OR REPLACE TABLE gt AS SELECT * FROM read_json(${q(groundTruth)}, format = 'newline_delimited', columns = {
        seq: 'BIGINT', stream: 'VARCHAR', shard: 'VARCHAR', sent_ms: 'BIGINT', kind: 'VARCHAR', reason: 'VARCHAR',
        event_id: 'VARCHAR', event_type: 'VARCHAR', user_id: 'VARCHAR', site: 'VARCHAR', country: 'VARCHAR',
        page_type: 'VARCHAR', page_url: 'VARCHAR', event_ms: 'BIGINT', campaign: 'VARCHAR', cart_value: 'VARCHAR', data: 'VARCHAR'})`);
    // First delivery of each valid event_id per stream (events_unique; seq is the send order).
    await db.run(
        `CREATE OR REPLACE TABLE gt_unique AS SELECT * FROM gt WHERE reason IS NULL QUALIFY ROW_NUMBER() OVER (PARTITION BY stream, event_id ORDER BY seq) = 1`,
    );
    const lateFiles = `${lakeDir}/late_events/**/*.parquet`;
    await db.run(
        (await exists(db, lateFiles))
            ? `CREATE OR REPLACE TABLE late AS SELECT DISTINCT event_id, closed_outputs, epoch_ms(event_time) AS event_ms, site, event_type FROM read_parquet(${q(lateFiles)})`
            : "CREATE OR REPLACE TABLE late (event_id VARCHAR, closed_outputs VARCHAR, event_ms BIGINT, site VARCHAR, event_type VARCHAR)",
    );
    if (options.manifest) {
        // A file's rows were sent by the runner before its newest record arrived at the stand-in.
        await db.run(
            `CREATE OR REPLACE TABLE manifest AS SELECT file, lastArrivalMs AS written_ms FROM read_json(${q(options.manifest)}, format = 'newline_delimited', columns = {file: 'VARCHAR', lastArrivalMs: 'BIGINT', output: 'VARCHAR'})`,
        );
    }
    const result: ReconciliationResult = {
        windows: 0,
        mismatches: [],
        skipped: [],
        perOutput: {},
        late: 0,
        accounting: { apps: [], lost: 0, ok: true, line: "" },
    };
    // The late events each app recorded: those whose closed outputs are among its outputs.
    const lateOf = (app: AppScope) => `(SELECT event_id FROM late WHERE list_has_any(string_split(closed_outputs, ','), [${list(app.outputs)}]))`;

    // 1. Every late event is a valid, unique event of the app's stream, with its event time and keys.
    for (const app of apps) {
        const phantom = await rows(
            db,
            `SELECT l.event_id, l.closed_outputs, l.event_ms AS lake_ms, g.event_ms AS gt_ms FROM late l
            LEFT JOIN gt_unique g ON g.event_id = l.event_id AND g.stream = ${q(app.stream)}
            WHERE l.event_id IN ${lateOf(app)} AND (g.event_id IS NULL OR g.event_ms <> l.event_ms OR g.site <> l.site OR g.event_type <> l.event_type)`,
        );
        for (const p of phantom)
            result.mismatches.push({
                output: "late_events",
                key: { app: app.app, event_id: p.event_id },
                expected: p.gt_ms === null ? null : { event_ms: p.gt_ms },
                actual: { event_ms: p.lake_ms, closed_outputs: p.closed_outputs },
            });
    }
    result.late = Number((await rows(db, "SELECT COUNT(DISTINCT event_id) AS n FROM late"))[0].n);

    // 2. Every output, window by window.
    const outputs = [...new Set(apps.flatMap((a) => a.outputs))];
    for (const output of outputs) {
        const change = options.changes?.find((c) => c.output === output);
        const def = change?.after ?? metrics[output];
        if (!def) {
            if (output !== "late_events") result.skipped.push(output);
            continue;
        }
        const owners = apps.filter((a) => a.outputs.includes(output));
        const streams = list([...new Set(owners.map((a) => a.stream))]);
        const lateIds = owners.map(lateOf).join(" UNION ");
        await db.run(`CREATE OR REPLACE TEMP VIEW u_all AS SELECT * FROM gt_unique WHERE stream IN (${streams}) AND event_id NOT IN (${lateIds})`);
        await db.run("CREATE OR REPLACE TEMP VIEW u AS SELECT * FROM u_all");
        await db.run(`CREATE OR REPLACE TEMP VIEW r AS SELECT * FROM gt WHERE stream IN (${streams}) AND reason IS NOT NULL`);
        const closedUntil = options.allWindowsClosed
            ? Number.MAX_SAFE_INTEGER
            : Number(
                  (
                      await rows(
                          db,
                          `SELECT MIN(m) AS c FROM (SELECT MAX(event_ms) AS m FROM gt WHERE stream IN (${streams}) AND reason IS NULL GROUP BY stream, shard)`,
                      )
                  )[0].c ?? 0,
              ) - 60_000;
        const files = `${lakeDir}/${output}/**/*.parquet`;
        let actual: (Record<string, unknown> & { file: string })[] = [];
        if (await exists(db, files)) {
            await db.run(
                `CREATE OR REPLACE TEMP VIEW lake AS SELECT * FROM read_parquet(${q(files)}, hive_partitioning = true, hive_types_autocast = false, filename = true)`,
            );
            const all = (await rows(db, lakeSelect(output))) as (Record<string, unknown> & { file: string })[];
            // At-least-once: a window key may appear more than once; the final row (newest file) wins.
            const latest = new Map<string, Record<string, unknown> & { file: string }>();
            for (const row of all.sort((a, b) => String(a.file).localeCompare(String(b.file)))) latest.set(keyOf(def.keys, row), row);
            actual = [...latest.values()];
        }
        const complete = (row: Record<string, unknown>) => (def.windowEnd ? Number(row[def.windowEnd]) <= closedUntil : true);
        const sql = (d: MetricDefinition) => d.sql.replace(/\$region/g, q(region));
        let compared = 0;
        const found: Mismatch[] = [];
        let straddling: { windows: number; lost: number } | undefined;
        if (!change) {
            const d = diffRows(output, def.keys, def.values, await rows(db, sql(def)), actual, complete);
            compared += d.compared;
            found.push(...d.mismatches);
        } else {
            // Rows written before the change follow the old SQL; the others the new one (see DefinitionChange).
            const written = new Map((await rows(db, "SELECT file, written_ms FROM manifest")).map((m) => [String(m.file), Number(m.written_ms)]));
            const before = actual.filter((r) => (written.get(r.file) ?? Infinity) < change.atMs);
            const after = actual.filter((r) => (written.get(r.file) ?? Infinity) >= change.atMs);
            if (change.before) {
                const d = diffRows(output, def.keys, change.before.values, await rows(db, sql(change.before)), before, () => false);
                compared += d.compared;
                found.push(...d.mismatches.filter((m) => m.actual !== null)); // only the windows it emitted
            } else if (before.length > 0) {
                found.push(...before.map((r) => ({ output, key: pick(r, def.keys), expected: null, actual: pick(r, def.values) })));
            }
            const emittedBefore = new Set(before.map((r) => keyOf(def.keys, r)));
            const high = (await rows(db, sql(def))).filter((r) => !emittedBefore.has(keyOf(def.keys, r)));
            await db.run(`CREATE OR REPLACE TEMP VIEW u AS SELECT * FROM u_all WHERE sent_ms > ${change.atMs}`);
            const low = await rows(db, sql(def));
            await db.run("CREATE OR REPLACE TEMP VIEW u AS SELECT * FROM u_all");
            const lowByKey = new Map(low.map((r) => [keyOf(def.keys, r), r]));
            const exact = high.filter((h) => def.values.every((v) => sameValue(h[v], lowByKey.get(keyOf(def.keys, h))?.[v])));
            const exactKeys = new Set(exact.map((r) => keyOf(def.keys, r)));
            const d = diffRows(
                output,
                def.keys,
                def.values,
                exact,
                after.filter((r) => exactKeys.has(keyOf(def.keys, r)) || !high.some((h) => keyOf(def.keys, h) === keyOf(def.keys, r))),
                complete,
            );
            compared += d.compared;
            found.push(...d.mismatches);
            const s = diffStraddling(
                output,
                def.keys,
                def.values,
                low,
                high.filter((h) => !exactKeys.has(keyOf(def.keys, h))),
                after,
            );
            compared += s.compared;
            found.push(...s.mismatches);
            straddling = { windows: s.compared, lost: s.lost };
        }
        result.windows += compared;
        result.mismatches.push(...found);
        result.perOutput[output] = {
            compared,
            mismatches: found.length,
            closedUntilMs: def.windowEnd && !options.allWindowsClosed ? closedUntil : undefined,
            ...(straddling ? { straddling: straddling.windows, lostCounts: straddling.lost } : {}),
        };
    }

    // 3. Accounting per app: read (runner) = rejected (lake) + duplicates (ground truth) + late (lake) + counted (runner).
    const rejectedFiles = `${lakeDir}/rejected_events/**/*.parquet`;
    await db.run(
        (await exists(db, rejectedFiles))
            ? `CREATE OR REPLACE TABLE rejected AS SELECT DISTINCT payload FROM read_parquet(${q(rejectedFiles)}) WHERE NOT starts_with(reason, 'ka:')`
            : "CREATE OR REPLACE TABLE rejected (payload VARCHAR)",
    );
    for (const app of apps) {
        const g = (
            await rows(
                db,
                `SELECT COUNT(*) AS sent,
                COUNT(*) FILTER (WHERE reason IS NOT NULL) AS rejected_expected,
                COUNT(*) FILTER (WHERE reason IS NULL) - COUNT(DISTINCT event_id) FILTER (WHERE reason IS NULL) AS duplicates,
                COUNT(DISTINCT data) FILTER (WHERE reason IS NOT NULL AND data IN (SELECT payload FROM rejected)) AS rejected
              FROM gt WHERE stream = ${q(app.stream)}`,
            )
        )[0];
        const late = Number((await rows(db, `SELECT COUNT(*) AS n FROM ${lateOf(app)}`))[0].n);
        const c = app.counts;
        const a: AppAccounting = {
            app: app.app,
            stream: app.stream,
            read: c?.read ?? 0,
            sent: Number(g.sent),
            rejected: Number(g.rejected),
            rejectedExpected: Number(g.rejected_expected),
            duplicates: Number(g.duplicates),
            late,
            lateByRunner: c?.late ?? 0,
            counted: c?.onTime ?? 0,
            lost: 0,
            ok: false,
            line: "",
        };
        a.lost = a.read - a.rejected - a.duplicates - a.late - a.counted;
        const problems = [
            c ? undefined : "no accounting from the runner",
            a.read !== a.sent ? `read ${a.read} of ${a.sent} records sent` : undefined,
            a.rejected !== a.rejectedExpected ? `${a.rejectedExpected} records should be rejected` : undefined,
            a.late !== a.lateByRunner ? `the runner recorded ${a.lateByRunner} late events` : undefined,
        ].filter((p): p is string => !!p);
        a.ok = a.lost === 0 && problems.length === 0;
        a.line =
            `accounting ${app.app} (${app.stream}): read ${a.read} = rejected ${a.rejected} + duplicates ${a.duplicates} + late ${a.late} + counted ${a.counted}, ` +
            `${a.lost} lost` +
            (problems.length ? ` (${problems.join("; ")})` : "");
        result.accounting.apps.push(a);
    }
    result.accounting.lost = result.accounting.apps.reduce((n, a) => n + Math.abs(a.lost), 0);
    result.accounting.ok = result.accounting.apps.every((a) => a.ok);
    result.accounting.line = `accounting: ${result.accounting.ok ? "OK" : "FAILED"}: read = rejected + duplicates + late + counted for every app, ${result.accounting.lost} lost`;
    return result;
}

/** The one-line verdict, exactly `reconciliation: N windows, M mismatches`. */
export function verdictLine(r: ReconciliationResult): string {
    return `reconciliation: ${r.windows} windows, ${r.mismatches.length} mismatches`;
}
