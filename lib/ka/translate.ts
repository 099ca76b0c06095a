/**
 * Translates a parsed KA application (lib/ka/parser.ts) into this project's Flink SQL: one view per
 * in-application stream (the UNION ALL of the pumps that insert into it), auxiliary views for
 * subqueries and KA's table functions, with `rowtime` (KA's ROWTIME) carried as the event-time
 * attribute of every view. Pure: text in, statements out. docs/KA-MIGRATION.md is the reference of
 * every mapping below.
 */
import { KaSyntaxError, Pos } from "./lexer";
import { Expr, FromItem, Ident, IntervalLit, Select, Statement, WindowSpec } from "./parser";
import { flinkType } from "./types";

/** A Flink identifier, always quoted. */
export const q = (name: string) => "`" + name.replace(/`/g, "``") + "`";
const str = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The Flink name of a KA identifier: KA's resolved name (unquoted ones are upper-cased), lower-cased. */
export const flinkName = (i: Ident) => i.name.toLowerCase();

const unsupported = (pos: Pos, construct: string, instead: string): never => {
    throw new KaSyntaxError(pos, `${construct} is not supported: ${instead}`);
};

/** A stream or view a query reads: its Flink view and its columns (Flink names, without rowtime). */
export interface Relation {
    view: string;
    kaName: string;
    columns: string[];
}

export interface StreamDef {
    kaName: string;
    view: string;
    columns: { name: string; type: string }[];
    pos: Pos;
}

export interface TranslatedView {
    name: string;
    sql: string;
    /** Views this one reads (its dependencies). */
    reads: string[];
    pos: Pos;
}

const AGGREGATES = new Set(["COUNT", "SUM", "AVG", "MIN", "MAX"]);
/** Scalar functions with the same name, arguments and meaning in Flink SQL. */
const SAME_IN_FLINK = new Set([
    "UPPER",
    "LOWER",
    "CHAR_LENGTH",
    "CHARACTER_LENGTH",
    "COALESCE",
    "NULLIF",
    "ABS",
    "MOD",
    "INITCAP",
    "POWER",
    "SQRT",
    "LN",
    "EXP",
    "TRIM",
]);
const ANOMALY = new Set(["RANDOM_CUT_FOREST", "RANDOM_CUT_FOREST_WITH_EXPLANATION", "HOTSPOTS"]);
const TIME_UNIT_MS: Record<string, number> = { SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };

/** `INTERVAL 'n' UNIT` in Flink SQL: in the largest unit that holds it exactly with at most 2 digits, else with a precision. */
export function intervalSql(i: IntervalLit): string {
    const unitMs = TIME_UNIT_MS[i.unit];
    if (unitMs === undefined) return unsupported(i.pos, `INTERVAL '${i.value}' ${i.unit}`, "write the interval in SECOND, MINUTE, HOUR or DAY");
    const ms = Number(i.value) * unitMs;
    if (ms <= 0) return unsupported(i.pos, `INTERVAL '${i.value}' ${i.unit}`, "a window has a positive size");
    for (const unit of ["DAY", "HOUR", "MINUTE", "SECOND"]) {
        const n = ms / TIME_UNIT_MS[unit];
        if (Number.isInteger(n) && n <= 99) return `INTERVAL '${n}' ${unit}`;
    }
    const n = ms / unitMs;
    return `INTERVAL '${n}' ${i.unit}(${String(n).length})`;
}

/** The AST without positions: two expressions are "the same" (a window key) when their shapes are equal. */
const shape = (e: Expr) => JSON.stringify(e, (k, v) => (k === "pos" ? undefined : v));

type Mode = "plain" | "window" | "over";

interface Ctx {
    rel: Relation;
    /** The names a column may be qualified with: the stream's KA name and its alias. */
    qualifiers: string[];
    mode: Mode;
    /** In window mode: the shape of the GROUP BY window expression (it becomes window_start). */
    windowShape?: string;
    windows: Map<string, WindowSpec>;
    /** OVER clauses used in the select, as Flink text: Flink computes one window per SELECT. */
    overs: string[];
}

const isRowtime = (e: Expr, ctx: Ctx): boolean => {
    if (e.k !== "id") return false;
    const last = e.parts[e.parts.length - 1];
    if (!["ROWTIME", "APPROXIMATE_ARRIVAL_TIME"].includes(last.name)) return false;
    if (e.parts.length === 2) checkQualifier(e.parts[0], ctx);
    return e.parts.length <= 2;
};

function checkQualifier(qualifier: Ident, ctx: Ctx): void {
    if (!ctx.qualifiers.includes(qualifier.name)) {
        throw new KaSyntaxError(
            qualifier.pos,
            `unknown stream or alias "${qualifier.name}": this query reads ${ctx.qualifiers.map((n) => `"${n}"`).join(" or ")}`,
        );
    }
}

/** The window of a tumbling GROUP BY item: STEP(ROWTIME BY INTERVAL ...), FLOOR(ROWTIME TO unit), or FLOOR arithmetic. */
function tumblingSize(e: Expr, ctx: Ctx): string | undefined {
    if (e.k === "step" && isRowtime(e.e, ctx)) {
        if (e.by.k !== "interval")
            return unsupported(e.by.pos, "STEP(ROWTIME BY <non-interval>)", "write STEP(<stream>.ROWTIME BY INTERVAL 'n' SECOND|MINUTE|HOUR|DAY)");
        return intervalSql(e.by);
    }
    if (e.k === "floor" && e.fn === "FLOOR" && e.unit && isRowtime(e.e, ctx)) {
        return intervalSql({ k: "interval", value: "1", unit: e.unit, pos: e.pos });
    }
    // FLOOR((ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / n TO SECOND): n-second windows.
    if (e.k === "floor" && e.fn === "FLOOR" && e.unit && e.e.k === "bin" && e.e.op === "/") {
        const diff = e.e.l;
        const n = e.e.r;
        if (diff.k === "call" && diff.name === "$DIFF_IN" && n.k === "num" && /^\d+$/.test(n.text)) {
            const minus = diff.args[0];
            const unit = (diff.args[1] as { value: string }).value;
            if (
                minus.k === "bin" &&
                isRowtime(minus.l, ctx) &&
                minus.r.k === "typed" &&
                minus.r.type === "TIMESTAMP" &&
                /^1970-01-01 00:00:00(\.0+)?$/.test(minus.r.value) &&
                unit === e.unit
            ) {
                return intervalSql({ k: "interval", value: n.text, unit, pos: e.pos });
            }
        }
    }
    return undefined;
}

function callName(e: Expr): string | undefined {
    return e.k === "call" ? e.name : undefined;
}

/** True when the expression holds an aggregate call without OVER (it needs a GROUP BY window). */
function hasPlainAggregate(e: Expr): boolean {
    let found = false;
    walk(e, (x) => {
        if (x.k === "call" && AGGREGATES.has(x.name) && !x.over) found = true;
    });
    return found;
}

function walk(e: Expr, visit: (e: Expr) => void): void {
    visit(e);
    const children: Expr[] = [];
    switch (e.k) {
        case "call":
            children.push(...e.args);
            break;
        case "cast":
        case "unary":
        case "isnull":
        case "paren":
        case "floor":
            children.push(e.e);
            break;
        case "case":
            if (e.operand) children.push(e.operand);
            e.whens.forEach(([a, b]) => children.push(a, b));
            if (e.otherwise) children.push(e.otherwise);
            break;
        case "bin":
            children.push(e.l, e.r);
            break;
        case "like":
            children.push(e.e, e.pattern);
            break;
        case "between":
            children.push(e.e, e.lo, e.hi);
            break;
        case "in":
            children.push(e.e, ...e.list);
            break;
        case "step":
            children.push(e.e, e.by);
            break;
        case "substring":
            children.push(e.e, e.from, ...(e.len ? [e.len] : []));
            break;
        case "position":
            children.push(e.needle, e.hay);
            break;
    }
    children.forEach((c) => walk(c, visit));
}

/** A literal whole number argument (window sizes, K). */
function wholeNumber(e: Expr | undefined, what: string, pos: Pos): number {
    if (!e || e.k !== "num" || !/^\d+$/.test(e.text))
        return unsupported(e?.pos ?? pos, `${what} that is not a whole-number literal`, `write ${what} as a number`);
    return Number(e.text);
}

export class KaTranslator {
    readonly views: TranslatedView[] = [];
    private aux = 0;

    constructor(private readonly streams: Map<string, StreamDef>) {}

    /** The relation a FROM item reads; subqueries and table functions become views of their own. */
    private relation(from: FromItem, owner: string): { rel: Relation; qualifiers: string[] } {
        if (from.k === "stream") {
            const s = this.streams.get(from.name.name);
            if (!s)
                throw new KaSyntaxError(
                    from.name.pos,
                    `unknown stream "${from.name.name}": create it with CREATE OR REPLACE STREAM before the pump that reads it`,
                );
            return {
                rel: { view: s.view, kaName: s.kaName, columns: s.columns.map((c) => c.name) },
                qualifiers: [s.kaName, ...(from.alias ? [from.alias.name] : [])],
            };
        }
        if (from.k === "subquery") {
            const name = this.auxName(owner);
            const t = this.select(from.query, undefined, owner);
            this.views.push({ name, sql: t.sql, reads: t.reads, pos: from.pos });
            return { rel: { view: name, kaName: from.alias?.name ?? "(subquery)", columns: t.columns }, qualifiers: from.alias ? [from.alias.name] : [] };
        }
        return this.tableFunction(from, owner);
    }

    private auxName(owner: string): string {
        this.aux++;
        return `${owner}_q${this.aux}`;
    }

    /** COUNT_DISTINCT_ITEMS_TUMBLING and TOP_K_ITEMS_TUMBLING over CURSOR(SELECT STREAM ...): exact window aggregates. */
    private tableFunction(from: Extract<FromItem, { k: "tablefn" }>, owner: string): { rel: Relation; qualifiers: string[] } {
        const call = from.call;
        const cursor = call.args[0];
        if (!["COUNT_DISTINCT_ITEMS_TUMBLING", "TOP_K_ITEMS_TUMBLING"].includes(call.name)) {
            if (ANOMALY.has(call.name)) this.anomaly(call.name, call.pos);
            return unsupported(
                call.pos,
                `table function ${call.name}`,
                "the supported table functions are COUNT_DISTINCT_ITEMS_TUMBLING and TOP_K_ITEMS_TUMBLING",
            );
        }
        if (!cursor || cursor.k !== "cursor")
            return unsupported(call.pos, `${call.name} without CURSOR(SELECT STREAM ...)`, `pass CURSOR(SELECT STREAM * FROM "<stream>") first`);
        const input = this.relation({ k: "subquery", query: cursor.query, pos: cursor.pos }, owner).rel;
        const column = call.args[1];
        if (!column || column.k !== "str")
            return unsupported(call.pos, `${call.name} without a quoted column name`, "name the column in single quotes, e.g. 'TICKER_SYMBOL'");
        const col = input.columns.find((c) => c === column.value.toLowerCase());
        if (!col) throw new KaSyntaxError(column.pos, `unknown column '${column.value}' in ${call.name}: the cursor's columns are ${input.columns.join(", ")}`);
        const name = this.auxName(owner);
        const top = call.name === "TOP_K_ITEMS_TUMBLING";
        const size = wholeNumber(call.args[top ? 3 : 2], "the window size in seconds", call.pos);
        const tumble = `TABLE(TUMBLE(TABLE ${q(input.view)}, DESCRIPTOR(rowtime), ${intervalSql({ k: "interval", value: String(size), unit: "SECOND", pos: call.pos })}))`;
        let sql: string;
        let columns: string[];
        if (!top) {
            sql =
                `SELECT COUNT(DISTINCT ${q(col)}) AS number_of_distinct_items, window_time AS rowtime\n` +
                `FROM ${tumble}\nGROUP BY window_start, window_end, window_time`;
            columns = ["number_of_distinct_items"];
        } else {
            const k = wholeNumber(call.args[2], "K", call.pos);
            // Window Top-N over the exact counts; ties on the count are ordered by the value.
            sql =
                `SELECT ${q(col)}, item_count, rowtime FROM (\n` +
                `  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY item_count DESC, ${q(col)}) AS item_rank\n` +
                `  FROM (\n    SELECT window_start, window_end, window_time AS rowtime, ${q(col)}, COUNT(*) AS item_count\n` +
                `    FROM ${tumble}\n    GROUP BY window_start, window_end, window_time, ${q(col)}))\n` +
                `WHERE item_rank <= ${k}`;
            columns = [col, "item_count"];
        }
        this.views.push({ name, sql, reads: [input.view], pos: from.pos });
        return { rel: { view: name, kaName: call.name, columns }, qualifiers: from.alias ? [from.alias.name] : [] };
    }

    private anomaly(name: string, pos: Pos): never {
        return unsupported(
            pos,
            name,
            "Flink SQL has no anomaly detection; keep the rest of the application, and score the records outside it (e.g. Amazon SageMaker Random Cut Forest on the lake's data)",
        );
    }

    /**
     * One query: `SELECT <items> AS <names>, <rowtime> AS rowtime FROM ...`. `target` gives the column
     * names and Flink types of the stream a pump inserts into (values are cast to them, positionally).
     */
    select(query: Select, target: { name: string; type: string }[] | undefined, owner = "q"): { sql: string; columns: string[]; reads: string[] } {
        if (query.distinct) unsupported(query.pos, "SELECT STREAM DISTINCT", "group by a ROWTIME window (STEP) and the columns instead");
        const { rel, qualifiers } = this.relation(query.from, owner);
        const windows = new Map(query.windows.map((w) => [w.name.name, w.spec]));
        const ctx: Ctx = { rel, qualifiers, mode: "plain", windows, overs: [] };
        const aggregated = query.items.some((i) => hasPlainAggregate(i.e)) || (query.having !== undefined && hasPlainAggregate(query.having));
        let size: string | undefined;
        let keys: Expr[] = [];
        if (query.stagger) {
            if (query.groupBy.length > 0)
                unsupported(query.pos, "GROUP BY with WINDOWED BY STAGGER", "the stagger window's PARTITION BY is the grouping; remove GROUP BY");
            size = intervalSql(query.stagger.range);
            keys = query.stagger.partitionBy;
            ctx.mode = "window";
        } else if (query.groupBy.length > 0) {
            const windowItems = query.groupBy.filter((g) => tumblingSize(g, ctx) !== undefined);
            if (windowItems.length === 0) {
                unsupported(
                    query.groupBy[0].pos,
                    "GROUP BY without a ROWTIME window",
                    `add STEP("${rel.kaName}".ROWTIME BY INTERVAL '1' MINUTE) (or FLOOR("${rel.kaName}".ROWTIME TO MINUTE)) to the GROUP BY`,
                );
            }
            if (windowItems.length > 1) unsupported(windowItems[1].pos, "a second ROWTIME window in one GROUP BY", "group by one STEP or FLOOR of ROWTIME");
            size = tumblingSize(windowItems[0], ctx);
            ctx.windowShape = shape(windowItems[0]);
            keys = query.groupBy.filter((g) => g !== windowItems[0]);
            ctx.mode = "window";
        } else if (aggregated) {
            const item = query.items.find((i) => hasPlainAggregate(i.e));
            unsupported(
                item?.e.pos ?? query.pos,
                "an aggregate without a window",
                `group by a ROWTIME window (GROUP BY STEP("${rel.kaName}".ROWTIME BY INTERVAL '1' MINUTE)) or aggregate OVER a window`,
            );
        } else if (query.items.some((i) => callName(i.e) && (i.e as { over?: unknown }).over)) {
            ctx.mode = "over";
        }
        if (
            ctx.mode !== "window" &&
            query.items.some((i) => {
                let over = false;
                walk(i.e, (x) => {
                    if (x.k === "call" && x.over) over = true;
                });
                return over;
            })
        ) {
            ctx.mode = "over";
        }
        // The items, with * expanded to the relation's columns.
        const items: { sql: string; name?: string; pos: Pos }[] = [];
        for (const item of query.items) {
            if (item.e.k === "star") {
                rel.columns.forEach((c) => items.push({ sql: q(c), name: c, pos: item.e.pos }));
                continue;
            }
            const name = item.alias ? flinkName(item.alias) : item.e.k === "id" ? item.e.parts[item.e.parts.length - 1].name.toLowerCase() : undefined;
            items.push({ sql: this.expr(item.e, ctx), name, pos: item.e.pos });
        }
        if (ctx.overs.length > 1 && new Set(ctx.overs).size > 1) {
            unsupported(query.pos, "aggregates over different windows in one SELECT", "Flink computes one OVER window per query: split them into two pumps");
        }
        let names: string[];
        let projected: string[];
        if (target) {
            if (items.length !== target.length) {
                throw new KaSyntaxError(
                    query.pos,
                    `the query has ${items.length} columns and the stream it inserts into has ${target.length}: select one value per column`,
                );
            }
            names = target.map((c) => c.name);
            projected = items.map((it, i) => `${castTo(it.sql, target[i].type)} AS ${q(target[i].name)}`);
        } else {
            names = items.map((it, i) => {
                if (!it.name) throw new KaSyntaxError(it.pos, `column ${i + 1} of a subquery has no name: add AS <name>`);
                return it.name;
            });
            projected = items.map((it, i) => (it.sql === q(names[i]) ? it.sql : `${it.sql} AS ${q(names[i])}`));
        }
        if (new Set(names).size !== names.length)
            throw new KaSyntaxError(query.pos, `two columns of this query have the same name (Flink names are lower case): ${names.join(", ")}`);
        const rowtime = ctx.mode === "window" ? "window_time" : "rowtime";
        const lines = [`SELECT ${[...projected, `${rowtime} AS rowtime`].join(", ")}`];
        lines.push(ctx.mode === "window" ? `FROM TABLE(TUMBLE(TABLE ${q(rel.view)}, DESCRIPTOR(rowtime), ${size}))` : `FROM ${q(rel.view)}`);
        if (query.where) {
            if (hasPlainAggregate(query.where)) unsupported(query.where.pos, "an aggregate in WHERE", "filter aggregates with HAVING");
            lines.push(`WHERE ${this.expr(query.where, { ...ctx, mode: ctx.mode === "window" ? "plain" : ctx.mode })}`);
        }
        if (ctx.mode === "window") lines.push(`GROUP BY ${["window_start", "window_end", "window_time", ...keys.map((k) => this.expr(k, ctx))].join(", ")}`);
        if (query.having) {
            if (ctx.mode !== "window") unsupported(query.having.pos, "HAVING without a GROUP BY window", "group by a ROWTIME window");
            lines.push(`HAVING ${this.expr(query.having, ctx)}`);
        }
        return { sql: lines.join("\n"), columns: names, reads: [rel.view] };
    }

    expr(e: Expr, ctx: Ctx): string {
        const x = (y: Expr) => this.expr(y, ctx);
        if (ctx.mode === "window" && ctx.windowShape !== undefined && shape(e) === ctx.windowShape) return "window_start";
        switch (e.k) {
            case "num":
                return e.text;
            case "str":
                return str(e.value);
            case "interval":
                return intervalSql(e);
            case "typed":
                return `${e.type} ${str(e.value)}`;
            case "bool":
                return e.value ? "TRUE" : "FALSE";
            case "null":
                return "NULL";
            case "star":
                return unsupported(e.pos, "*", "name the columns");
            case "paren":
                return `(${x(e.e)})`;
            case "unary":
                return e.op === "NOT" ? `NOT ${x(e.e)}` : `-${x(e.e)}`;
            case "bin":
                return `${x(e.l)} ${e.op} ${x(e.r)}`;
            case "isnull":
                return `${x(e.e)} IS ${e.not ? "NOT " : ""}NULL`;
            case "like":
                return `${x(e.e)} ${e.not ? "NOT " : ""}LIKE ${x(e.pattern)}`;
            case "between":
                return `${x(e.e)} ${e.not ? "NOT " : ""}BETWEEN ${x(e.lo)} AND ${x(e.hi)}`;
            case "in":
                return `${x(e.e)} ${e.not ? "NOT " : ""}IN (${e.list.map(x).join(", ")})`;
            case "case":
                return `CASE${e.operand ? " " + x(e.operand) : ""} ${e.whens.map(([w, t]) => `WHEN ${x(w)} THEN ${x(t)}`).join(" ")}${e.otherwise ? ` ELSE ${x(e.otherwise)}` : ""} END`;
            case "cast":
                // A failed CAST would fail the Flink job; TRY_CAST gives NULL (docs/KA-MIGRATION.md).
                return castTo(x(e.e), flinkType(e.type));
            case "substring":
                return `SUBSTRING(${x(e.e)} FROM ${x(e.from)}${e.len ? ` FOR ${x(e.len)}` : ""})`;
            case "position":
                return `POSITION(${x(e.needle)} IN ${x(e.hay)})`;
            case "floor":
                if (isRowtime(e.e, ctx) && ctx.mode === "window")
                    return unsupported(
                        e.pos,
                        `${e.fn}(ROWTIME TO ${e.unit}) outside the GROUP BY window`,
                        "select the GROUP BY's window expression, or ROWTIME",
                    );
                return e.unit ? `${e.fn}(${x(e.e)} TO ${e.unit})` : `${e.fn}(${x(e.e)})`;
            case "step":
                if (e.by.k === "interval" && e.by.value === "1" && TIME_UNIT_MS[e.by.unit] !== undefined && !(isRowtime(e.e, ctx) && ctx.mode === "window")) {
                    return `FLOOR(${x(e.e)} TO ${e.by.unit})`;
                }
                return unsupported(
                    e.pos,
                    "STEP outside a GROUP BY window",
                    "use STEP(<stream>.ROWTIME BY INTERVAL ...) in GROUP BY (a tumbling window), or FLOOR(x TO unit)",
                );
            case "cursor":
                return unsupported(e.pos, "CURSOR outside COUNT_DISTINCT_ITEMS_TUMBLING or TOP_K_ITEMS_TUMBLING", "read the stream in FROM");
            case "id":
                return this.identifier(e, ctx);
            case "call":
                return this.call(e, ctx);
        }
    }

    private identifier(e: Extract<Expr, { k: "id" }>, ctx: Ctx): string {
        if (isRowtime(e, ctx)) {
            // KA stamps an aggregated row with the end of its window.
            return ctx.mode === "window" ? "window_end" : "rowtime";
        }
        if (e.parts.length === 1 && ["CURRENT_ROW_TIMESTAMP", "CURRENT_TIMESTAMP", "LOCALTIMESTAMP"].includes(e.parts[0].name) && !e.parts[0].quoted) {
            return "CAST(CURRENT_ROW_TIMESTAMP() AS TIMESTAMP(3))";
        }
        if (e.parts.length > 2) return unsupported(e.pos, `the name ${e.parts.map((p) => p.name).join(".")}`, "qualify a column with its stream or alias only");
        if (e.parts.length === 2) checkQualifier(e.parts[0], ctx);
        const col = e.parts[e.parts.length - 1];
        const name = flinkName(col);
        if (!ctx.rel.columns.includes(name)) {
            throw new KaSyntaxError(
                col.pos,
                `unknown column "${col.name}" in "${ctx.rel.kaName}": its columns are ${ctx.rel.columns.map((c) => c.toUpperCase()).join(", ")}`,
            );
        }
        return q(name);
    }

    private call(e: Extract<Expr, { k: "call" }>, ctx: Ctx): string {
        const x = (y: Expr) => this.expr(y, ctx);
        const args = () => e.args.map(x).join(", ");
        if (ANOMALY.has(e.name)) this.anomaly(e.name, e.pos);
        if (AGGREGATES.has(e.name)) {
            const inner = e.star
                ? "*"
                : `${e.distinct ? "DISTINCT " : ""}${e.args.map((a) => this.expr(a, { ...ctx, mode: ctx.mode === "window" ? "plain" : ctx.mode }))}`;
            if (e.over) {
                if (ctx.mode === "window")
                    unsupported(e.pos, "an aggregate OVER a window in a GROUP BY query", "use either GROUP BY STEP(...) or OVER, in two pumps");
                if (e.distinct)
                    unsupported(
                        e.pos,
                        `${e.name}(DISTINCT ...) OVER a window`,
                        "Flink has no DISTINCT over a sliding window; count distinct values per tumbling window (GROUP BY STEP(ROWTIME BY ...))",
                    );
                const over = this.over(e.over, ctx, e.pos);
                ctx.overs.push(over);
                return `${e.name}(${inner}) OVER (${over})`;
            }
            if (ctx.mode !== "window") unsupported(e.pos, `${e.name} without a window`, "group by a ROWTIME window (STEP) or aggregate OVER a window");
            return `${e.name}(${inner})`;
        }
        if (e.over) return unsupported(e.pos, `${e.name} OVER a window`, "only COUNT, SUM, AVG, MIN and MAX are computed over a sliding window");
        if (e.distinct || e.star) return unsupported(e.pos, `${e.name}(${e.distinct ? "DISTINCT" : "*"} ...)`, "only aggregates take DISTINCT or *");
        if (SAME_IN_FLINK.has(e.name)) return `${e.name}(${args()})`;
        switch (e.name) {
            case "REGEX_REPLACE": {
                // REGEX_REPLACE(value, regex, replacement, start position, occurrence): Flink replaces every match from the start.
                const [start, occurrence] = [e.args[3], e.args[4]];
                const fromStart = start === undefined || (start.k === "num" && start.text === "1");
                const all = occurrence === undefined || (occurrence.k === "num" && occurrence.text === "0");
                if (e.args.length < 3 || e.args.length > 5 || !fromStart || !all) {
                    return unsupported(
                        e.pos,
                        "REGEX_REPLACE with a start position other than 1 or an occurrence other than 0 (all)",
                        "replace every match from position 1: REGEX_REPLACE(value, regex, replacement, 1, 0)",
                    );
                }
                return `REGEXP_REPLACE(${e.args.slice(0, 3).map(x).join(", ")})`;
            }
            case "TSDIFF": {
                if (e.args.length !== 2) return unsupported(e.pos, `TSDIFF with ${e.args.length} arguments`, "TSDIFF(ts1, ts2) takes two timestamps");
                const [a, b] = e.args.map(x);
                // Milliseconds from b to a, exactly: whole seconds between the truncated times, plus the millisecond parts.
                return (
                    `(CAST(TIMESTAMPDIFF(SECOND, FLOOR(${b} TO SECOND), FLOOR(${a} TO SECOND)) AS BIGINT) * 1000` +
                    ` + MOD(EXTRACT(MILLISECOND FROM ${a}), 1000) - MOD(EXTRACT(MILLISECOND FROM ${b}), 1000))`
                );
            }
            case "CHAR_TO_TIMESTAMP":
                if (e.args.length !== 2) return unsupported(e.pos, `CHAR_TO_TIMESTAMP with ${e.args.length} arguments`, "CHAR_TO_TIMESTAMP(format, text)");
                return `TO_TIMESTAMP(${x(e.args[1])}, ${x(e.args[0])})`;
            case "TIMESTAMP_TO_CHAR":
                if (e.args.length !== 2) return unsupported(e.pos, `TIMESTAMP_TO_CHAR with ${e.args.length} arguments`, "TIMESTAMP_TO_CHAR(format, timestamp)");
                return `DATE_FORMAT(${x(e.args[1])}, ${x(e.args[0])})`;
            case "CURRENT_ROW_TIMESTAMP":
                return "CAST(CURRENT_ROW_TIMESTAMP() AS TIMESTAMP(3))";
            case "COUNT_DISTINCT_ITEMS_TUMBLING":
            case "TOP_K_ITEMS_TUMBLING":
                return unsupported(
                    e.pos,
                    `${e.name} outside FROM TABLE(...)`,
                    `read it as FROM TABLE(${e.name}(CURSOR(SELECT STREAM * FROM "<stream>"), ...))`,
                );
            case "$DIFF_IN":
                return unsupported(
                    e.pos,
                    "interval arithmetic on timestamps outside a FLOOR window",
                    "use TSDIFF(ts1, ts2) for milliseconds between two timestamps",
                );
        }
        return unsupported(e.pos, `function ${e.name}`, "no Flink translation is defined for it; rewrite it with the functions listed in docs/KA-MIGRATION.md");
    }

    private over(over: { name?: Ident; spec?: WindowSpec }, ctx: Ctx, pos: Pos): string {
        let spec = over.spec;
        if (over.name) {
            spec = ctx.windows.get(over.name.name);
            if (!spec) throw new KaSyntaxError(over.name.pos, `unknown window "${over.name.name}": define it with WINDOW ${over.name.name} AS (...)`);
        }
        if (!spec) return unsupported(pos, "OVER without a window", "OVER (PARTITION BY ... RANGE INTERVAL ... PRECEDING)");
        const partition = spec.partitionBy.length > 0 ? `PARTITION BY ${spec.partitionBy.map((p) => this.expr(p, ctx)).join(", ")} ` : "";
        const frame =
            spec.frame.kind === "range"
                ? `RANGE BETWEEN ${intervalSql(spec.frame.interval)} PRECEDING AND CURRENT ROW`
                : `ROWS BETWEEN ${spec.frame.count} PRECEDING AND CURRENT ROW`;
        return `${partition}ORDER BY rowtime ${frame}`;
    }
}

/** A value cast to a stream column's type: CAST to STRING never fails; any other cast is TRY_CAST, so that a bad value is NULL instead of a failed job. */
export function castTo(sql: string, type: string): string {
    return type === "STRING" ? `CAST(${sql} AS STRING)` : `TRY_CAST(${sql} AS ${type})`;
}

/** The statements grouped for the app: stream definitions and pumps by target. */
export function streamsAndPumps(statements: Statement[]): {
    streams: Extract<Statement, { k: "stream" }>[];
    pumps: Extract<Statement, { k: "pump" }>[];
} {
    return {
        streams: statements.filter((s): s is Extract<Statement, { k: "stream" }> => s.k === "stream"),
        pumps: statements.filter((s): s is Extract<Statement, { k: "pump" }> => s.k === "pump"),
    };
}
