/**
 * `ts-node local/bench-reference.ts <events.jsonl> [--runner-csv FILE]` (called by runner/bench/run.sh)
 *
 * The runner benchmark's reference: the same outputs computed in one DuckDB batch pass over the same
 * JSON lines the runner reads, so that the runner's CPU per event can be given as a ratio that holds on
 * a noisy machine (issue 13). It reads every line as raw text, classifies it as sql/views/events_parsed.sql
 * does (not_json, missing_field:<name>, bad_timestamp; absurd_timestamp is tested against the same bounds,
 * with "now" as processing time), keeps the first delivery of each event_id (events_unique), and
 * materialises the six outputs of sql/outputs that events fill in a batch: active_users_1m,
 * active_users_5m (HOP 5 min / 1 min), clicks_1m, cart_value_by_campaign, page_clicks_late and
 * rejected_events. late_events is empty in a batch (no watermark): its count is printed as 0 by definition.
 *
 * The CPU of the pass is measured, not assumed: process.cpuUsage() (all threads of this process,
 * DuckDB's included) around the pass, from opening the database to the last output materialised.
 * Prints one `reference:` line per figure, and the row counts, so that run.sh can compute the ratio.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import * as fs from "fs";
import { sqlLiteral as q } from "./athena";

/** The reference outputs, as DuckDB SQL over `u` (unique valid events) and `p` (every record classified). */
export const REFERENCE_OUTPUTS: Record<string, string> = {
    active_users_1m: `SELECT ws AS window_start, ws + INTERVAL 1 MINUTE AS window_end, site, country, COUNT(DISTINCT user_id) AS active_users
        FROM u GROUP BY ALL`,
    active_users_5m: `SELECT ws - h * INTERVAL 1 MINUTE AS window_start, ws - h * INTERVAL 1 MINUTE + INTERVAL 5 MINUTE AS window_end, site, country,
        COUNT(DISTINCT user_id) AS active_users FROM u, range(5) AS r(h) GROUP BY ALL`,
    clicks_1m: `SELECT ws AS window_start, site, country, COALESCE(page_type, 'unknown') AS page_type, COUNT(*) AS clicks
        FROM u WHERE event_type = 'click' GROUP BY ALL`,
    cart_value_by_campaign: `SELECT ws AS window_start, site, COALESCE(json_extract_string(context, '$.campaign'), '(none)') AS campaign,
        COUNT(*) AS purchases, CAST(COALESCE(SUM(TRY_CAST(json_extract_string(context, '$.cart_value') AS DECIMAL(18, 2))), 0) AS DECIMAL(18, 2)) AS cart_value
        FROM u WHERE event_type = 'purchase' GROUP BY ALL`,
    page_clicks_late: `SELECT ws AS window_start, site, page_url, COUNT(*) AS clicks, MIN(rowtime) AS first_click_at, MAX(rowtime) AS last_click_at
        FROM u WHERE event_type = 'click' AND page_url IS NOT NULL GROUP BY ALL`,
    rejected_events: `SELECT reject_reason AS reason, SUBSTRING(payload, 1, 65536) AS payload FROM p WHERE reject_reason IS NOT NULL`,
};

const REQUIRED = ["event_id", "event_type", "user_id", "session_id", "site", "country", "event_time"];

/** Every record with its parsed fields and reject_reason (events_parsed), as one DuckDB statement. */
export function parsedSql(file: string): string {
    // JSON_VALUE semantics: a scalar as text; NULL for null, objects and arrays.
    const scalar = (f: string) =>
        `CASE WHEN json_type(j, '$.${f}') IN ('VARCHAR', 'BIGINT', 'UBIGINT', 'DOUBLE', 'BOOLEAN', 'HUGEINT') THEN json_extract_string(j, '$.${f}') END`;
    const blank = (c: string) => `(${c} IS NULL OR regexp_matches(${c}, '^[\\s\\x1c-\\x1f]*$'))`;
    const missing = REQUIRED.map((f) => `WHEN ${blank(f)} THEN 'missing_field:${f}'`).join("\n            ");
    return `CREATE TABLE p AS
        WITH raw AS (
            SELECT line AS payload, CASE WHEN json_valid(line) AND json_type(line::JSON) = 'OBJECT' THEN line::JSON END AS j
            FROM read_csv(${q(file)}, columns = {'line': 'VARCHAR'}, header = false, delim = '\\x01', quote = '', escape = '',
                          auto_detect = false, strict_mode = false, null_padding = false)
        ), f AS (
            SELECT payload, j, ${REQUIRED.map((c) => `${scalar(c)} AS ${c}`).join(", ")},
                   json_extract_string(j, '$.page.url') AS page_url, json_extract_string(j, '$.page.type') AS page_type,
                   COALESCE(${scalar("context")}, CASE WHEN json_type(j, '$.context') = 'OBJECT' THEN json_extract(j, '$.context')::VARCHAR END) AS context
            FROM raw
        ), t AS (
            SELECT *, CASE
                WHEN regexp_matches(trim(event_time), '^-?[0-9]+$') THEN make_timestamp(TRY_CAST(trim(event_time) AS BIGINT) * 1000)
                ELSE TRY_CAST(TRY_CAST(trim(event_time) AS TIMESTAMPTZ) AS TIMESTAMP) END AS rowtime
            FROM f
        )
        SELECT payload, event_id, event_type, user_id, site, country, page_url, page_type, context, rowtime,
          CASE
            WHEN j IS NULL THEN 'not_json'
            ${missing}
            WHEN rowtime IS NULL THEN 'bad_timestamp'
            WHEN rowtime < TIMESTAMP '2000-01-01' OR rowtime > now()::TIMESTAMP + INTERVAL 1 DAY THEN 'absurd_timestamp'
          END AS reject_reason
        FROM t`;
}

async function main(): Promise<void> {
    const file = process.argv[2];
    if (!file || !fs.existsSync(file)) throw new Error(`usage: bench-reference.ts <events.jsonl>: '${file}' does not exist`);
    const before = process.cpuUsage();
    const wall = process.hrtime.bigint();
    const instance = await DuckDBInstance.create(":memory:");
    const db = await instance.connect();
    await db.run("SET TimeZone = 'UTC'");
    await db.run(parsedSql(file));
    // events_unique: the first delivery of each valid event_id, in file order (the runner reads the file in order).
    await db.run(`CREATE TABLE u AS
        SELECT event_id, event_type, user_id, lower(site) AS site, upper(country) AS country, page_url, page_type, context,
               rowtime, time_bucket(INTERVAL 1 MINUTE, rowtime) AS ws
        FROM p WHERE reject_reason IS NULL QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY rowid) = 1`);
    const rows: Record<string, number> = {};
    for (const [name, sql] of Object.entries(REFERENCE_OUTPUTS)) {
        await db.run(`CREATE TABLE out_${name} AS ${sql}`);
        rows[name] = Number((await (await db.runAndReadAll(`SELECT COUNT(*) FROM out_${name}`)).getRows())[0][0]);
    }
    const used = process.cpuUsage(before);
    const wallS = Number(process.hrtime.bigint() - wall) / 1e9;
    const count = async (sql: string) => Number((await (await db.runAndReadAll(sql)).getRows())[0][0]);
    const read = await count("SELECT COUNT(*) FROM p");
    const rejected = await count("SELECT COUNT(*) FROM p WHERE reject_reason IS NOT NULL");
    const unique = await count("SELECT COUNT(*) FROM u");
    const cpuS = (used.user + used.system) / 1e6;
    console.log(`reference: read=${read} rejected=${rejected} duplicates=${read - rejected - unique} unique=${unique} late=0`);
    console.log(
        `reference: rows ${Object.entries(rows)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")}`,
    );
    console.log(
        `reference: cpu_s=${cpuS.toFixed(2)} user_s=${(used.user / 1e6).toFixed(2)} sys_s=${(used.system / 1e6).toFixed(2)} wall_s=${wallS.toFixed(2)}`,
    );
    console.log(`reference: cpu_s_per_million=${(cpuS / (read / 1e6)).toFixed(2)}`);
    db.closeSync();
}

if (require.main === module) {
    main().catch((e) => {
        console.error(`bench-reference: ${(e as Error).message}`);
        process.exit(1);
    });
}
