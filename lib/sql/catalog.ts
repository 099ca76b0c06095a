/**
 * Reads the `sql/` folder into a catalog: the source tables, the shared views and the outputs.
 *
 * SQL is the single source of truth: the Glue tables, the Firehoses, the runner's statement list and the
 * local Parquet schemas are all derived from what this module returns. Statements are split on the
 * lexer's `;` tokens (so a `;` inside a string literal is safe) and every statement is validated with
 * dt-sql-parser's FlinkSQL grammar. Errors name the file, the line and the fix.
 */
import * as fs from "fs";
import * as path from "path";
import { expandQueryMacros, QueryMacroError } from "./dashboard-range";
import { FlinkSQL, flinkGrammar } from "./flink-parser";
import { KaApp, kaAppFolders, KaDefinitionError, loadKaApp } from "../ka/app";

/** A column of a `CREATE TABLE`, exactly as written in the SQL. */
export interface SqlColumn {
    /** Column name, unquoted. */
    name: string;
    /** Flink SQL type as written, normalised to upper case without spaces, e.g. `DECIMAL(12,2)`. */
    flinkType: string;
    /** True for computed (`AS expr`) and metadata (`METADATA`) columns, which are not physical. */
    virtual: boolean;
}

/** One SQL statement of a file, without its trailing `;`. */
export interface SqlStatement {
    /** Path relative to the repository root, e.g. `sql/outputs/clicks_1m.sql`. */
    file: string;
    /** 1-based line of the statement's first token. */
    line: number;
    kind: "create-table" | "create-view" | "insert" | "other";
    /** Table or view created or written to. */
    target: string;
    sql: string;
}

export interface SourceTable {
    name: string;
    file: string;
    columns: SqlColumn[];
    statement: SqlStatement;
}

export interface OutputTable {
    /** The output's name: the file name, the Flink table, the Glue table and the S3 prefix. */
    name: string;
    file: string;
    /** Physical columns, in order: the Glue columns are derived from these. */
    columns: SqlColumn[];
    createTable: SqlStatement;
    insert: SqlStatement;
}

export interface SqlCatalog {
    sources: SourceTable[];
    views: SqlStatement[];
    outputs: OutputTable[];
    /** KA for SQL applications (`sql/ka/<app>/`), translated: each its own statements and outputs (docs/KA-MIGRATION.md). */
    kaApps: KaApp[];
}

/** The outputs each KA application fills, by folder (for the region config's `ka:` key). */
export function kaAppOutputs(catalog: SqlCatalog): Record<string, string[]> {
    return Object.fromEntries(catalog.kaApps.map((a) => [a.name, a.outputs.map((o) => o.name)]));
}

/** Every output of the lake: `sql/outputs/` and those of the KA applications. */
export function lakeOutputs(catalog: SqlCatalog): OutputTable[] {
    return [...catalog.outputs, ...catalog.kaApps.flatMap((a) => a.outputs)];
}

/** A mistake in a SQL file. The message names the file and says how to fix it. */
export class SqlDefinitionError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "SqlDefinitionError";
    }
}

const OUTPUT_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * The longest output name: its Firehose role is auto-named `<output>-firehose-role` plus 8 characters
 * (an IAM role name has at most 64), and its Managed Flink property group `table.<output>` has at most 50.
 */
export const OUTPUT_NAME_MAX = 64 - "-firehose-role".length - 8;
// The Flink grammar of dt-sql-parser requires a WITH clause on CREATE TABLE; our DDL deliberately has
// none (the runner adds the connector options), so validation parses it with this placeholder.
const PLACEHOLDER_WITH = " WITH ('connector' = 'added-by-runner')";

/** Splits a file into statements on top-level `;` tokens. */
export function splitStatements(text: string, file: string): SqlStatement[] {
    const parser = new FlinkSQL();
    const tokens = parser.getAllTokens(text);
    const statements: SqlStatement[] = [];
    let start: number | undefined;
    let startLine = 1;
    const flush = (end: number) => {
        if (start === undefined) return;
        const sql = text.slice(start, end).trim();
        if (sql.length > 0) statements.push(classify(sql, file, startLine));
        start = undefined;
    };
    for (const token of tokens) {
        if (token.channel !== 0) continue; // comments and whitespace
        if (token.type === flinkGrammar.FlinkSqlParser.SEMICOLON) {
            flush(token.start);
            continue;
        }
        if (token.type === -1) continue; // EOF
        if (start === undefined) {
            start = token.start;
            startLine = token.line;
        }
    }
    flush(text.length);
    for (const statement of statements) validateStatement(statement);
    return statements;
}

function classify(sql: string, file: string, line: number): SqlStatement {
    const createTable = /^CREATE\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(`[^`]+`|[\w.]+)/i.exec(sql);
    if (createTable) return { file, line, kind: "create-table", target: unquote(createTable[1]), sql };
    const createView = /^CREATE\s+(?:TEMPORARY\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?(`[^`]+`|[\w.]+)/i.exec(sql);
    if (createView) return { file, line, kind: "create-view", target: unquote(createView[1]), sql };
    const insert = /^INSERT\s+(?:INTO|OVERWRITE)\s+(`[^`]+`|[\w.]+)/i.exec(sql);
    if (insert) return { file, line, kind: "insert", target: unquote(insert[1]), sql };
    return { file, line, kind: "other", target: "", sql };
}

function validateStatement(statement: SqlStatement): void {
    if (statement.kind === "create-table" && /\)\s*WITH\s*\(/i.test(statement.sql)) {
        throw new SqlDefinitionError(
            `${statement.file}:${statement.line}: CREATE TABLE ${statement.target} has a WITH clause; ` +
                "remove it: connector options depend on the stack and are added by the runner",
        );
    }
    const text = forGrammar(statement.kind === "create-table" ? statement.sql + PLACEHOLDER_WITH : statement.sql);
    const errors = new FlinkSQL().validate(text);
    if (errors.length > 0) {
        const first = errors[0];
        throw new SqlDefinitionError(
            `${statement.file}:${statement.line + first.startLine - 1}: Flink SQL syntax error: ${first.message}`,
        );
    }
}

/**
 * Works around the gaps of dt-sql-parser 4.5.1's Flink grammar for functions Flink 1.20 has:
 * `TRY_CAST(x AS t)` is validated as `CAST(x AS t)` (same arguments, NULL instead of an error at run time).
 * The runner validates every statement again with Flink's own parser at startup and in its tests.
 */
function forGrammar(sql: string): string {
    return sql.replace(/\bTRY_CAST\s*\(/gi, "CAST(");
}

function unquote(identifier: string): string {
    return identifier.replace(/^`|`$/g, "");
}

/** Extracts the columns of a `CREATE TABLE` with the FlinkSQL grammar. */
export function parseColumns(statement: SqlStatement): SqlColumn[] {
    const parser = new FlinkSQL();
    const source = statement.sql + PLACEHOLDER_WITH;
    const tree = parser.parse(source);
    // The type as written (getText() drops the spaces that separate ROW field names from their types).
    const typeText = (ctx: { start: { start: number } | null; stop: { stop: number } | null }) =>
        source
            .slice(ctx.start!.start, ctx.stop!.stop + 1)
            .replace(/\s+/g, " ")
            .replace(/\s*([(),<>])\s*/g, "$1")
            .toUpperCase();
    const columns: SqlColumn[] = [];
    const g = flinkGrammar;
    const visit = (node: unknown): void => {
        if (node instanceof g.PhysicalColumnDefinitionContext) {
            columns.push({
                name: unquote(node.columnNameCreate().getText()),
                flinkType: typeText(node.columnType()),
                virtual: false,
            });
            return;
        }
        if (node instanceof g.MetadataColumnDefinitionContext) {
            columns.push({
                name: unquote(node.columnNameCreate().getText()),
                flinkType: typeText(node.columnType()),
                virtual: true,
            });
            return;
        }
        if (node instanceof g.ComputedColumnDefinitionContext) {
            columns.push({ name: unquote(node.columnNameCreate().getText()), flinkType: "", virtual: true });
            return;
        }
        const children = (node as { children?: unknown[] }).children ?? [];
        children.forEach(visit);
    };
    visit(tree);
    return columns;
}

function sqlFiles(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".sql"))
        .sort();
}

/** What is wrong with an output name (it becomes a Glue table, an S3 prefix and part of a Firehose name), or undefined. */
export function outputNameProblem(name: string): string | undefined {
    if (!OUTPUT_NAME.test(name)) return `output name '${name}' is not valid; use lower case letters, digits and '_', starting with a letter`;
    if (name.length > OUTPUT_NAME_MAX) return `output name '${name}' has ${name.length} characters; an output name has at most ${OUTPUT_NAME_MAX}`;
    return undefined;
}

/** Parses one output file: exactly one CREATE TABLE named like the file, then its INSERT. */
export function parseOutputFile(relativeFile: string, text: string): OutputTable {
    const name = path.basename(relativeFile, ".sql");
    if (!OUTPUT_NAME.test(name)) {
        throw new SqlDefinitionError(
            `${relativeFile}: output name '${name}' is not valid; use lower case letters, digits and '_' ` +
                "(it becomes a Glue table, an S3 prefix and part of a Firehose name)",
        );
    }
    if (name.length > OUTPUT_NAME_MAX) {
        throw new SqlDefinitionError(
            `${relativeFile}: output name '${name}' has ${name.length} characters; an output name has at most ${OUTPUT_NAME_MAX} ` +
                "(its Firehose role is named <output>-firehose-role plus 8 characters, at most 64, and its property group table.<output> at most 50); rename the file",
        );
    }
    const statements = splitStatements(text, relativeFile);
    const creates = statements.filter((s) => s.kind === "create-table");
    const inserts = statements.filter((s) => s.kind === "insert");
    const others = statements.filter((s) => s.kind !== "create-table" && s.kind !== "insert");
    if (creates.length !== 1 || inserts.length !== 1 || others.length > 0) {
        throw new SqlDefinitionError(
            `${relativeFile}: an output file holds exactly one 'CREATE TABLE ${name} (...)' and one ` +
                `'INSERT INTO ${name} SELECT ...'; found ${creates.length} CREATE TABLE, ${inserts.length} INSERT` +
                (others.length > 0 ? ` and ${others.length} other statement(s)` : ""),
        );
    }
    const [createTable] = creates;
    const [insert] = inserts;
    if (createTable.target !== name) {
        throw new SqlDefinitionError(
            `${relativeFile}: CREATE TABLE ${createTable.target} does not match the file name; ` +
                `rename the table to ${name} or the file to ${createTable.target}.sql`,
        );
    }
    if (insert.target !== name) {
        throw new SqlDefinitionError(
            `${relativeFile}: INSERT INTO ${insert.target} writes to another table; an output file fills only ${name}`,
        );
    }
    const columns = parseColumns(createTable);
    const virtual = columns.filter((c) => c.virtual);
    if (virtual.length > 0) {
        throw new SqlDefinitionError(
            `${relativeFile}: output column '${virtual[0].name}' is computed or metadata; outputs have physical columns only`,
        );
    }
    return { name, file: relativeFile, columns, createTable, insert };
}

/**
 * Loads every SQL file under `sqlDir` (by default the repository's `sql/`).
 * `repoRoot` is used to make file names in messages and bundles relative.
 */
export function loadSqlCatalog(sqlDir: string = defaultSqlDir(), repoRoot: string = path.dirname(sqlDir)): SqlCatalog {
    const rel = (f: string) => path.relative(repoRoot, f).split(path.sep).join("/");
    const sources: SourceTable[] = [];
    for (const f of sqlFiles(path.join(sqlDir, "sources"))) {
        const file = path.join(sqlDir, "sources", f);
        const statements = splitStatements(fs.readFileSync(file, "utf8"), rel(file));
        if (statements.length !== 1 || statements[0].kind !== "create-table") {
            throw new SqlDefinitionError(`${rel(file)}: a source file holds exactly one CREATE TABLE without WITH`);
        }
        sources.push({ name: statements[0].target, file: rel(file), columns: parseColumns(statements[0]), statement: statements[0] });
    }
    const views: SqlStatement[] = [];
    for (const f of sqlFiles(path.join(sqlDir, "views"))) {
        const file = path.join(sqlDir, "views", f);
        for (const statement of splitStatements(fs.readFileSync(file, "utf8"), rel(file))) {
            if (statement.kind !== "create-view") {
                throw new SqlDefinitionError(
                    `${rel(file)}:${statement.line}: only CREATE VIEW statements belong in sql/views/`,
                );
            }
            views.push(statement);
        }
    }
    const outputs = sqlFiles(path.join(sqlDir, "outputs")).map((f) => {
        const file = path.join(sqlDir, "outputs", f);
        return parseOutputFile(rel(file), fs.readFileSync(file, "utf8"));
    });
    if (sources.length === 0) {
        throw new SqlDefinitionError(`${rel(sqlDir)}/sources: no source table; add one CREATE TABLE file`);
    }
    const kaApps = loadKaApps(sqlDir, repoRoot, outputs);
    const catalog = { sources, views, outputs, kaApps };
    checkWindowsReadOnTimeEvents(catalog);
    return catalog;
}

/**
 * Translates every `sql/ka/<app>/` folder. A KA app writes its rejected records to rejected_events, so
 * that output must exist; its outputs' names must not collide with any other output.
 */
function loadKaApps(sqlDir: string, repoRoot: string, outputs: OutputTable[]): KaApp[] {
    const folders = kaAppFolders(sqlDir);
    if (folders.length === 0) return [];
    const rejected = outputs.find((o) => o.name === "rejected_events");
    const rel = path.relative(repoRoot, path.join(sqlDir, "ka")).split(path.sep).join("/");
    if (!rejected) {
        throw new SqlDefinitionError(`${rel}: KA applications write their rejected records to rejected_events; add sql/outputs/rejected_events.sql`);
    }
    const taken = new Map(outputs.map((o) => [o.name, o.file]));
    return folders.map((app) => {
        let ka: KaApp;
        try {
            ka = loadKaApp(sqlDir, app, repoRoot, { rejectedTable: rejected.createTable, outputNameProblem });
        } catch (e) {
            if (e instanceof KaDefinitionError) throw new SqlDefinitionError(e.message);
            throw e;
        }
        for (const o of ka.outputs) {
            const other = taken.get(o.name);
            if (other) throw new SqlDefinitionError(`${ka.file.replace(/application\.sql$/, "application.json")}: output '${o.name}' is already defined by ${other}; choose another output name`);
            taken.set(o.name, ka.file);
        }
        return ka;
    });
}

/** The view every event-time window reads (sql/views/3_events_on_time.sql; docs/SQL.md, "Lateness"). */
export const ON_TIME_VIEW = "events_on_time";

/**
 * The tables that the window table functions (TUMBLE, HOP, CUMULATE, SESSION) of a statement read:
 * `TABLE(TUMBLE(TABLE <name>, ...))`, from the lexer's tokens.
 */
export function windowInputs(sql: string): string[] {
    const g = flinkGrammar.FlinkSqlParser;
    const windows = new Set([g.KW_TUMBLE, g.KW_HOP, g.KW_CUMULATE, g.KW_SESSION]);
    const tokens = new FlinkSQL().getAllTokens(sql).filter((t) => t.channel === 0);
    const inputs: string[] = [];
    tokens.forEach((t, i) => {
        if (windows.has(t.type) && tokens[i + 1]?.type === g.LR_BRACKET && tokens[i + 2]?.type === g.KW_TABLE && tokens[i + 3]) {
            inputs.push(unquote(tokens[i + 3].text ?? ""));
        }
    });
    return inputs;
}

/**
 * Windows read events_on_time, so that the runner's lateness decision covers them: a window over
 * events_unique would drop its late events without a trace. Checked when the SQL has that view.
 */
export function checkWindowsReadOnTimeEvents(catalog: SqlCatalog): void {
    if (!catalog.views.some((v) => v.target === ON_TIME_VIEW)) return;
    for (const o of catalog.outputs) {
        const other = windowInputs(o.insert.sql).find((t) => t !== ON_TIME_VIEW);
        if (other !== undefined) {
            throw new SqlDefinitionError(
                `${o.file}:${o.insert.line}: a window reads '${other}'; windows read ${ON_TIME_VIEW}, so that the events ` +
                    `that arrive after their window closed are recorded in late_events instead of dropped (docs/SQL.md, "Lateness")`,
            );
        }
    }
}

export function defaultSqlDir(): string {
    return path.resolve(__dirname, "..", "..", "sql");
}

/**
 * Statements of the named files in `sql/athena/` or `sql/redshift/`, keyed by file name without `.sql`,
 * with their `{{ last_hours(<column>) }}` expanded: the text Athena, DuckDB and Trino run.
 */
export function loadQueryFiles(dir: string): { name: string; file: string; sql: string }[] {
    return sqlFiles(dir).map((f) => {
        const file = path.join(dir, f);
        const text = fs.readFileSync(file, "utf8").trim().replace(/;\s*$/, "");
        try {
            return { name: path.basename(f, ".sql"), file, sql: expandQueryMacros(text, file) };
        } catch (e) {
            if (e instanceof QueryMacroError) throw new SqlDefinitionError(e.message);
            throw e;
        }
    });
}

/**
 * `sql/athena/` holds two kinds of query. A report reads the whole season and is named `<name>_history`.
 * Every other query is a dashboard query: it reads the rows of the last DASHBOARD_QUERY_HOURS hours, from
 * those hours' partitions only, through `{{ last_hours(<time column>) }}` (docs/LAKE.md, "Dashboard
 * queries and reports").
 */
export const REPORT_QUERY_SUFFIX = "_history";

export const isReportQuery = (name: string): boolean => name.endsWith(REPORT_QUERY_SUFFIX);

/** The report over the whole season of a dashboard query: `x_latest` and `x` have `x_history`. */
export const reportOf = (dashboardQuery: string): string => dashboardQuery.replace(/_latest$/, "") + REPORT_QUERY_SUFFIX;
