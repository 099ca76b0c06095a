/**
 * The local lake: what Firehose's record format conversion does with one JSON record and the Glue
 * schema (Hive JSON SerDe semantics), the Glue-to-DuckDB type mapping used to write Parquet with exactly
 * the Glue schema, and the S3 key layout (`<output>/year=YYYY/month=MM/day=DD/hour=HH/`, arrival time UTC).
 */
import * as path from "path";
import { partitionOf, partitionPath } from "../lib/naming";
import { GlueColumn, splitTopLevel } from "../lib/sql/glue-schema";

/** Maps a Glue/Hive type (as `glueColumns` returns it) to the DuckDB type written to Parquet. */
export function glueToDuckDb(type: string): string {
    const t = type.trim().toLowerCase();
    const simple: Record<string, string> = {
        string: "VARCHAR",
        boolean: "BOOLEAN",
        tinyint: "TINYINT",
        smallint: "SMALLINT",
        int: "INTEGER",
        bigint: "BIGINT",
        float: "FLOAT",
        double: "DOUBLE",
        date: "DATE",
        timestamp: "TIMESTAMP",
    };
    if (simple[t]) return simple[t];
    if (/^(var)?char\(\d+\)$/.test(t)) return "VARCHAR";
    let m = /^decimal\((\d+),(\d+)\)$/.exec(t);
    if (m) return `DECIMAL(${m[1]},${m[2]})`;
    m = /^array<(.+)>$/.exec(t);
    if (m) return `${glueToDuckDb(m[1])}[]`;
    m = /^map<(.+)>$/.exec(t);
    if (m) {
        const [k, v] = splitTopLevel(m[1]);
        return `MAP(${glueToDuckDb(k)}, ${glueToDuckDb(v)})`;
    }
    m = /^struct<(.+)>$/.exec(t);
    if (m) {
        return `STRUCT(${splitTopLevel(m[1])
            .map((f) => {
                const i = f.indexOf(":");
                return `"${f.slice(0, i)}" ${glueToDuckDb(f.slice(i + 1))}`;
            })
            .join(", ")})`;
    }
    throw new Error(`no DuckDB type for Glue type '${type}'`);
}

/** A record Firehose could not convert: the reason, as in its error output. */
export class ConversionError extends Error {}

const INT_RANGES: Record<string, [bigint, bigint]> = {
    tinyint: [-128n, 127n],
    smallint: [-32768n, 32767n],
    int: [-2147483648n, 2147483647n],
    bigint: [-9223372036854775808n, 9223372036854775807n],
};
/** What `java.sql.Timestamp.valueOf` reads, the Hive JSON SerDe's default: `yyyy-[M]M-[d]d HH:mm:ss[.f...]`. */
const TIMESTAMP = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?$/;

/**
 * Converts one JSON value to the Glue type, as the Hive JSON SerDe would: numbers may be JSON numbers or
 * numeric strings, timestamps are `yyyy-MM-dd HH:mm:ss[.f...]` (no format is configured, so no epoch
 * millis and no `T`), null stays null.
 * A value that cannot be read as the type throws a ConversionError naming the column.
 * Returns the value in the form DuckDB's read_json accepts for the mapped type.
 */
export function convertValue(value: unknown, type: string, column: string): unknown {
    const t = type.trim().toLowerCase();
    if (value === null || value === undefined) return null;
    const bad = (expected: string): never => {
        throw new ConversionError(`column '${column}' (${t}): cannot read ${JSON.stringify(value).slice(0, 80)} as ${expected}`);
    };
    if (t === "string" || /^(var)?char\(\d+\)$/.test(t)) {
        if (typeof value === "object") return JSON.stringify(value);
        return String(value);
    }
    if (t === "boolean") {
        if (typeof value === "boolean") return value;
        if (value === "true" || value === "false") return value === "true";
        return bad("a boolean");
    }
    if (INT_RANGES[t]) {
        const s = typeof value === "number" ? (Number.isInteger(value) ? BigInt(value).toString() : "x") : typeof value === "string" ? value.trim() : "x";
        if (!/^-?\d+$/.test(s)) return bad("an integer");
        const n = BigInt(s);
        const [lo, hi] = INT_RANGES[t];
        if (n < lo || n > hi) return bad(`an integer in ${t} range`);
        return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(n) : s;
    }
    if (t === "float" || t === "double") {
        const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
        if (Number.isNaN(n)) return bad("a number");
        return n;
    }
    let m = /^decimal\((\d+),(\d+)\)$/.exec(t);
    if (m) {
        const s = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
        const d = /^-?(\d*)(?:\.(\d*))?$/.exec(s);
        if (!d || s === "" || s === "-") return bad("a decimal");
        const intDigits = d[1].replace(/^0+/, "").length;
        if (intDigits > Number(m[1]) - Number(m[2])) return bad(`decimal(${m[1]},${m[2]}) (too many digits)`);
        return s;
    }
    if (t === "date") {
        if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) return bad("a date (yyyy-MM-dd)");
        return value;
    }
    if (t === "timestamp") {
        if (typeof value !== "string") return bad("a timestamp");
        const ts = TIMESTAMP.exec(value.trim());
        if (!ts) return bad("a timestamp (yyyy-MM-dd HH:mm:ss[.fff])");
        const ms = Date.UTC(+ts[1], +ts[2] - 1, +ts[3], +ts[4], +ts[5], +ts[6]);
        const check = new Date(ms);
        if (Number.isNaN(ms) || check.getUTCDate() !== +ts[3] || check.getUTCMonth() !== +ts[2] - 1 || +ts[4] > 23) return bad("a valid timestamp");
        const pad = (n: string) => n.padStart(2, "0");
        return `${ts[1]}-${pad(ts[2])}-${pad(ts[3])} ${ts[4]}:${ts[5]}:${ts[6]}${ts[7] ?? ""}`;
    }
    m = /^array<(.+)>$/.exec(t);
    if (m) {
        if (!Array.isArray(value)) return bad("an array");
        return value.map((v, i) => convertValue(v, m![1], `${column}[${i}]`));
    }
    m = /^map<(.+)>$/.exec(t);
    if (m) {
        if (typeof value !== "object" || Array.isArray(value)) return bad("a map (JSON object)");
        const [, vt] = splitTopLevel(m[1]);
        return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, convertValue(v, vt, `${column}.${k}`)]));
    }
    m = /^struct<(.+)>$/.exec(t);
    if (m) {
        if (typeof value !== "object" || Array.isArray(value)) return bad("a struct (JSON object)");
        const lower = Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k.toLowerCase(), v]));
        return Object.fromEntries(
            splitTopLevel(m[1]).map((f) => {
                const i = f.indexOf(":");
                const name = f.slice(0, i);
                return [name, convertValue(lower[name], f.slice(i + 1), `${column}.${name}`)];
            }),
        );
    }
    throw new ConversionError(`column '${column}': unsupported Glue type ${t}`);
}

/**
 * Converts one Firehose record (UTF-8 JSON) to a row of the Glue table, as Firehose's record format
 * conversion does with the Hive JSON SerDe: JSON keys match column names case-insensitively, unknown
 * keys are ignored, missing keys become NULL, and a value of the wrong type fails the record.
 */
export function convertRecord(data: string, columns: GlueColumn[]): Record<string, unknown> {
    let doc: unknown;
    try {
        doc = JSON.parse(data);
    } catch (e) {
        throw new ConversionError(`not a JSON document: ${(e as Error).message}`);
    }
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new ConversionError("the record is not a JSON object");
    const lower = new Map(Object.entries(doc as object).map(([k, v]) => [k.toLowerCase(), v]));
    const row: Record<string, unknown> = {};
    for (const c of columns) row[c.name] = convertValue(lower.get(c.name), c.type, c.name);
    return row;
}

/** `year=YYYY`, `month=MM`, `day=DD`, `hour=HH` of an arrival instant (UTC), as Firehose lays them out. */
function hourSegments(arrival: Date): string[] {
    return partitionPath(partitionOf(arrival)).split("/").filter(Boolean);
}

/** `<root>/<output>/year=YYYY/month=MM/day=DD/hour=HH` for an arrival instant (UTC). */
export function partitionDir(root: string, output: string, arrival: Date): string {
    return path.join(root, output, ...hourSegments(arrival));
}

/** The error prefix `<root>/errors/<output>/<error-output-type>/year=.../hour=HH`. */
export function errorDir(root: string, output: string, errorType: string, arrival: Date): string {
    return path.join(root, "errors", output, errorType, ...hourSegments(arrival));
}

/** Object name: `<delivery stream>-<sequence, 6 digits>-<uuid>.parquet`. */
export function dataFileName(deliveryStream: string, seq: number, uuid: string): string {
    return `${deliveryStream}-${String(seq).padStart(6, "0")}-${uuid}.parquet`;
}
