/**
 * The time range of the dashboard queries in `sql/athena/`: `{{ last_hours(<column>) }}` in a query stands
 * for "<column> in the last DASHBOARD_QUERY_HOURS hours", written so that Athena's partition projection
 * prunes (docs/LAKE.md, "Dashboard queries and reports"). The queries are expanded when they are read
 * (`loadQueryFiles`), so the named queries, the local runs and the Trino test all run the same text.
 */

/** The hours a dashboard query shows. At most 23: the partition lists name two days. */
export const DASHBOARD_QUERY_HOURS = 3;

/** A `{{ ... }}` in a query that is not a known macro. The message names the file and the fix. */
export class QueryMacroError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "QueryMacroError";
    }
}

const NOW = "current_timestamp AT TIME ZONE 'UTC'";
const ago = (hours: number) => (hours === 0 ? NOW : `${NOW} - INTERVAL '${hours}' HOUR`);
const year = (hours: number) => `CAST(year(${ago(hours)}) AS VARCHAR)`;
const twoDigits = (part: "month" | "day" | "hour", hours: number) => `lpad(CAST(${part}(${ago(hours)}) AS VARCHAR), 2, '0')`;

/**
 * `<column>` in the last `hours` hours, and the partitions that can hold such rows. Rows are stored by
 * delivery hour (UTC), never before their time column, so those are the partitions from the start of
 * the hour `hours` ago until now: each key's values are listed (constants once the query starts, which
 * partition projection resolves per key), and the last condition drops the combinations of the lists
 * that are not one of those hours (across midnight or a month's end). Continuation lines start with
 * `indent`. Pure.
 */
export function lastHoursPredicate(column: string, hours: number = DASHBOARD_QUERY_HOURS, indent = "  "): string {
    if (!Number.isInteger(hours) || hours < 1 || hours > 23) throw new QueryMacroError(`last_hours: ${hours} hours is not valid; expected 1 to 23`);
    const inList = (key: string, values: string[]) => `${indent}AND ${key} IN (${values.join(`,\n${indent}${" ".repeat(key.length + 9)}`)})`;
    const everyHour = Array.from({ length: hours + 1 }, (_, i) => twoDigits("hour", hours - i));
    return [
        `${column} >= CAST(${NOW} AS TIMESTAMP) - INTERVAL '${hours}' HOUR`,
        inList("year", [year(hours), year(0)]),
        inList("month", [twoDigits("month", hours), twoDigits("month", 0)]),
        inList("day", [twoDigits("day", hours), twoDigits("day", 0)]),
        inList("hour", everyHour),
        `${indent}AND year || month || day || hour >= ${year(hours)}`,
        ...(["month", "day", "hour"] as const).map((part) => `${indent}    || ${twoDigits(part, hours)}`),
    ].join("\n");
}

const MACRO = /\{\{(.*?)\}\}/g;
const LAST_HOURS = /^\s*last_hours\(\s*([a-z_][a-z0-9_]*)\s*\)\s*$/;

/** The columns a query's `{{ last_hours(<column>) }}` macros name, in order. Pure. */
export function lastHoursColumns(sql: string, file: string): string[] {
    return [...sql.matchAll(MACRO)].map((m) => {
        const call = LAST_HOURS.exec(m[1]);
        if (!call) throw new QueryMacroError(`${file}: '{{${m[1]}}}' is not a known macro; write {{ last_hours(<time column>) }}`);
        return call[1];
    });
}

/** The query with each `{{ last_hours(<column>) }}` expanded, continuation lines indented like the macro's line. Pure. */
export function expandQueryMacros(sql: string, file: string): string {
    lastHoursColumns(sql, file);
    return sql.replace(MACRO, (macro, body: string, offset: number) => {
        const lineStart = sql.lastIndexOf("\n", offset) + 1;
        const indent = /^\s*/.exec(sql.slice(lineStart, offset))![0];
        return lastHoursPredicate(LAST_HOURS.exec(body)![1], DASHBOARD_QUERY_HOURS, indent + "  ");
    });
}
