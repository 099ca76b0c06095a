/**
 * A KA for SQL application folder (`sql/ka/<app>/application.sql` + `application.json`) translated into
 * the statements of one Flink SQL app: the source table, the parsing view (RecordColumns' JSONPath
 * mappings, typed, with a reject reason), the valid rows that the runner's lateness split reads
 * (`events_unique`), one view per in-application stream, and one output (CREATE TABLE + INSERT) per
 * stream mapped to a lake output, plus its rejected records. Pure; docs/KA-MIGRATION.md.
 */
import * as fs from "fs";
import * as path from "path";
import { KaSyntaxError, tokenize } from "./lexer";
import { Ident, parseKaSql, TypeSpec } from "./parser";
import { castTo, flinkName, KaTranslator, q, StreamDef, streamsAndPumps, TranslatedView } from "./translate";
import { flinkType } from "./types";
import type { OutputTable, SqlColumn, SqlStatement } from "../sql/catalog";

/** The folder layout the importer writes and the catalog reads (docs/CONTRACTS.md, "KA applications"). */
export const KA_DIR = "ka";
export const KA_SQL_FILE = "application.sql";
export const KA_JSON_FILE = "application.json";
export const KA_APP_NAME = /^[a-z0-9_]+$/;

/** Names of the statements every translated app has (the runner's lateness split reads `events_unique`). */
export const KA_SOURCE_TABLE = "ka_raw";
export const KA_PARSED_VIEW = "ka_parsed";
const UNIQUE_VIEW = "events_unique";
const TIMED_VIEW = "events_timed";
export const KA_REJECTED_OUTPUT = "rejected_events";

export interface KaApp {
    /** The folder name under sql/ka/: what `clickstream:apps.<app>.ka` names. */
    name: string;
    /** `sql/ka/<app>/application.sql`, relative to the repository. */
    file: string;
    /** The statements the app runs, in order (sources, views, CREATE TABLEs, INSERTs). */
    statements: SqlStatement[];
    /** The lake outputs of its streams (rejected_events not included: it is defined in sql/outputs/). */
    outputs: OutputTable[];
}

/** A KA error at a place of a file: `<file>:<line>:<col>: <detail>`, thrown by the caller as a SqlDefinitionError. */
export class KaDefinitionError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "KaDefinitionError";
    }
}

interface RecordColumn {
    name: string;
    type: string;
    /** The Flink expression of the raw (string) value: from JSON_FIELDS. */
    raw: string;
}

/** Java's Character.isWhitespace: the Unicode space separators except the no-break ones, and the ASCII controls it names. */
const JAVA_WHITESPACE = /[\t\n\u000B\f\r\u001C-\u001F\p{Zl}\p{Zp}]|(?![\u00A0\u2007\u202F])\p{Zs}/u;

/**
 * A name that JSON_FIELDS flattens (the runner's JsonFieldsFunction.isPathName): one that a JSONPath in dot
 * notation reads as itself: not empty, not starting with `$`, without `. [ ] ( ) * ' " @` or whitespace.
 */
export function isPathName(name: string): boolean {
    return name !== "" && !name.startsWith("$") && ![...name].some((c) => ".[]()*'\"@".includes(c) || JAVA_WHITESPACE.test(c));
}

/**
 * `$.a`, `$.a.b`, `$.a[0].b`, `$['a']` → the expression over `fields` (JSON_FIELDS of the payload: docs/SQL.md):
 * `fields['a']` at the top level, `fields['a.b']` through objects, `JSON_VALUE` of the top-level object's
 * JSON text into an array, and `JSON_VALUE` of the payload for a top-level name with a dot (JSON_FIELDS has no
 * key for it).
 */
export function jsonPathExpression(mapping: string, type: string): string | undefined {
    const tokens = /^\$((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\['[^']+'\]|\["[^"]+"\])+)$/.exec(mapping.trim());
    if (!tokens) return undefined;
    const segments = [...tokens[1].matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['([^']+)'\]|\["([^"]+)"\]/g)].map((m) =>
        m[2] !== undefined ? { index: Number(m[2]) } : { name: m[1] ?? m[3] ?? m[4] },
    );
    const first = segments[0];
    if ("index" in first) return undefined;
    const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;
    const path = (from: number) =>
        "$" +
        segments
            .slice(from)
            .map((s) => ("index" in s ? `[${s.index}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s.name!) ? `.${s.name}` : `['${s.name}']`))
            .join("");
    if (first.name!.includes(".")) return `JSON_VALUE(payload, ${sqlString(path(0))})`;
    const field = `fields[${sqlString(first.name!)}]`;
    const json = `fields[${sqlString(`$.${first.name!}`)}]`;
    if (segments.length === 1) {
        // A VARCHAR column mapped to an object or array keeps it as JSON text, as KA did.
        return type === "STRING" ? `COALESCE(${field}, ${json})` : field;
    }
    const names = segments.map((s) => ("name" in s ? s.name! : undefined));
    if (names.every((n) => n !== undefined && isPathName(n))) {
        // A scalar nested in objects only: JSON_FIELDS flattens it under its dotted path (no second parse).
        return `fields[${sqlString(names.join("."))}]`;
    }
    return `JSON_VALUE(${json}, ${sqlString(path(1))})`;
}

const where = (file: string, pos: { line: number; col: number }) => `${file}:${pos.line}:${pos.col}`;

function parseType(text: string, file: string, column: string): TypeSpec {
    try {
        const tokens = tokenize(text);
        const word = tokens[0];
        if (word.kind !== "ident") throw new KaSyntaxError(word, "expected a type");
        const args = tokens.filter((t) => t.kind === "number").map((t) => Number(t.text));
        return { name: word.text.toUpperCase() === "CHARACTER" ? "CHAR" : word.text.toUpperCase(), args, pos: { line: 1, col: 1 } };
    } catch {
        throw new KaDefinitionError(`${file}: RecordColumns '${column}': SqlType '${text}' is not a type`);
    }
}

const object = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Reads `application.json`'s input schema into record columns. */
function recordColumns(json: unknown, file: string): { prefix: string; columns: RecordColumn[]; outputs: { stream: string; output: string }[] } {
    if (!object(json) || !object(json.input)) throw new KaDefinitionError(`${file}: expected { "input": {...}, "outputs": [...] }`);
    const input = json.input;
    const prefix = input.NamePrefix;
    if (typeof prefix !== "string" || prefix === "") throw new KaDefinitionError(`${file}: input.NamePrefix is missing (e.g. "SOURCE_SQL_STREAM")`);
    const schema = input.InputSchema;
    if (!object(schema)) throw new KaDefinitionError(`${file}: input.InputSchema is missing`);
    const format = object(schema.RecordFormat) ? schema.RecordFormat : {};
    if (format.RecordFormatType !== "JSON") {
        throw new KaDefinitionError(
            `${file}: RecordFormatType ${JSON.stringify(format.RecordFormatType)} is not supported: only JSON records are translated; convert CSV producers to JSON or write the Flink SQL by hand`,
        );
    }
    const mapping =
        object(format.MappingParameters) && object(format.MappingParameters.JSONMappingParameters) ? format.MappingParameters.JSONMappingParameters : {};
    if (mapping.RecordRowPath !== undefined && mapping.RecordRowPath !== "$") {
        throw new KaDefinitionError(
            `${file}: RecordRowPath '${String(mapping.RecordRowPath)}' is not supported: one Kinesis record is one row ('$'); map nested fields with RecordColumns' Mapping instead`,
        );
    }
    if (schema.RecordEncoding !== undefined && schema.RecordEncoding !== "UTF-8") {
        throw new KaDefinitionError(`${file}: RecordEncoding '${String(schema.RecordEncoding)}' is not supported: records are read as UTF-8`);
    }
    if (!Array.isArray(schema.RecordColumns) || schema.RecordColumns.length === 0)
        throw new KaDefinitionError(`${file}: input.InputSchema.RecordColumns is empty`);
    const columns = schema.RecordColumns.map((c: unknown, i: number): RecordColumn => {
        if (!object(c) || typeof c.Name !== "string" || typeof c.SqlType !== "string") {
            throw new KaDefinitionError(`${file}: RecordColumns[${i}] needs Name and SqlType`);
        }
        const ident: Ident = { name: c.Name, quoted: true, pos: { line: 1, col: 1 } };
        let type: string;
        try {
            type = flinkType(parseType(c.SqlType, file, c.Name));
        } catch (e) {
            if (e instanceof KaSyntaxError) throw new KaDefinitionError(`${file}: RecordColumns '${c.Name}': ${e.detail}`);
            throw e;
        }
        const path = typeof c.Mapping === "string" ? c.Mapping : `$.${c.Name}`;
        const raw = jsonPathExpression(path, type);
        if (!raw) {
            throw new KaDefinitionError(
                `${file}: RecordColumns '${c.Name}': Mapping '${path}' is not supported: use a path of names and array indexes from the record's root, e.g. $.page.url or $.items[0].sku`,
            );
        }
        return { name: flinkName(ident), type, raw };
    });
    const outputs = Array.isArray(json.outputs) ? json.outputs : [];
    if (outputs.length === 0) throw new KaDefinitionError(`${file}: "outputs" is empty: map at least one in-application stream to a lake output`);
    return {
        prefix,
        columns,
        outputs: outputs.map((o: unknown, i: number) => {
            if (!object(o) || typeof o.Name !== "string" || typeof o.output !== "string") {
                throw new KaDefinitionError(`${file}: outputs[${i}] needs "Name" (the in-application stream) and "output" (the lake output name)`);
            }
            return { stream: o.Name, output: o.output };
        }),
    };
}

export interface TranslateKaAppArgs {
    app: string;
    /** Repository-relative paths, for messages and the statements' `file`. */
    sqlFile: string;
    jsonFile: string;
    sqlText: string;
    json: unknown;
    /** The `CREATE TABLE rejected_events` of sql/outputs/ (the KA app writes its rejected records there). */
    rejectedTable: SqlStatement;
    /** Checks a lake output name (OUTPUT_NAME and its length); returns the problem, or undefined. */
    outputNameProblem: (name: string) => string | undefined;
}

/** Translates one KA application folder; every error is one line naming the file, line and column. */
export function translateKaApp(args: TranslateKaAppArgs): KaApp {
    const { app, sqlFile, jsonFile } = args;
    const schema = recordColumns(args.json, jsonFile);
    let statements;
    try {
        statements = parseKaSql(args.sqlText);
    } catch (e) {
        if (e instanceof KaSyntaxError) throw new KaDefinitionError(`${where(sqlFile, e.pos)}: ${e.detail}`);
        throw e;
    }
    try {
        return build(args, schema, statements);
    } catch (e) {
        if (e instanceof KaSyntaxError) throw new KaDefinitionError(`${where(sqlFile, e.pos)}: ${e.detail}`);
        throw e;
    }

    function build(a: TranslateKaAppArgs, s: ReturnType<typeof recordColumns>, parsed: ReturnType<typeof parseKaSql>): KaApp {
        const reason = (r: string) => `'ka:${app}:${r}'`;
        const { streams: created, pumps } = streamsAndPumps(parsed);
        const streams = new Map<string, StreamDef>();
        const inputName = `${s.prefix}_001`;
        const reserved = [KA_SOURCE_TABLE, KA_PARSED_VIEW, UNIQUE_VIEW, TIMED_VIEW, KA_REJECTED_OUTPUT, ...s.outputs.map((o) => o.output)];
        streams.set(inputName, {
            kaName: inputName,
            view: inputName.toLowerCase(),
            columns: s.columns.map((c) => ({ name: c.name, type: c.type })),
            pos: { line: 1, col: 1 },
        });
        for (const st of created) {
            if (streams.has(st.name.name)) throw new KaSyntaxError(st.name.pos, `stream "${st.name.name}" is created twice`);
            const view = flinkName(st.name);
            if (reserved.includes(view) || [...streams.values()].some((x) => x.view === view)) {
                throw new KaSyntaxError(
                    st.name.pos,
                    `stream "${st.name.name}": its Flink name '${view}' is taken (by the translation or another stream); rename the stream`,
                );
            }
            const columns = st.columns.map((c) => ({ name: flinkName(c.name), type: flinkType(c.type) }));
            const names = columns.map((c) => c.name);
            const twice = names.find((n, i) => names.indexOf(n) !== i);
            if (twice)
                throw new KaSyntaxError(
                    st.pos,
                    `stream "${st.name.name}" has two columns named '${twice}' once lower-cased (Flink and Glue names); rename one`,
                );
            for (const bad of ["rowtime", "region"]) {
                if (names.includes(bad))
                    throw new KaSyntaxError(
                        st.pos,
                        `stream "${st.name.name}" has a column '${bad}', which the translation adds (ROWTIME, SOURCE_REGION()); rename it`,
                    );
            }
            streams.set(st.name.name, { kaName: st.name.name, view, columns, pos: st.pos });
        }
        const translator = new KaTranslator(streams);
        const streamViews: TranslatedView[] = [];
        for (const stream of streams.values()) {
            if (stream.kaName === inputName) continue;
            const mine = pumps.filter((p) => p.target.name === stream.kaName);
            if (mine.length === 0) continue;
            const parts = mine.map((p) => {
                let target = stream.columns;
                if (p.columns) {
                    const chosen = p.columns.map((c) => {
                        const col = stream.columns.find((x) => x.name === flinkName(c));
                        if (!col) throw new KaSyntaxError(c.pos, `unknown column "${c.name}" of stream "${stream.kaName}"`);
                        return col;
                    });
                    target = chosen;
                }
                const t = translator.select(p.query, target, stream.view);
                if (!p.columns) return t;
                // Columns a pump does not name are NULL, in the stream's order.
                const listed = target.map((c) => c.name);
                const sql = `SELECT ${stream.columns
                    .map((c) => (listed.includes(c.name) ? q(c.name) : `${castTo("NULL", c.type)} AS ${q(c.name)}`))
                    .join(", ")}, rowtime\nFROM (\n${t.sql})`;
                return { ...t, sql };
            });
            streamViews.push({ name: stream.view, sql: parts.map((p) => p.sql).join("\nUNION ALL\n"), reads: parts.flatMap((p) => p.reads), pos: mine[0].pos });
        }
        for (const p of pumps) {
            if (!streams.has(p.target.name) || p.target.name === inputName) {
                throw new KaSyntaxError(
                    p.target.pos,
                    `pump "${p.name.name}" inserts into "${p.target.name}", which is not a stream created in this application`,
                );
            }
        }
        const views = order([...translator.views, ...streamViews], inputName.toLowerCase());
        const outputs = s.outputs.map((o) => {
            const stream = streams.get(o.stream);
            if (!stream || o.stream === inputName) {
                throw new KaDefinitionError(`${jsonFile}: outputs: "${o.stream}" is not an in-application stream created in ${sqlFile}`);
            }
            if (!streamViews.some((v) => v.name === stream.view)) {
                throw new KaDefinitionError(`${jsonFile}: outputs: stream "${o.stream}" has no pump inserting into it`);
            }
            const problem = a.outputNameProblem(o.output);
            if (problem) throw new KaDefinitionError(`${jsonFile}: outputs: ${problem}`);
            return { ...o, stream };
        });
        const statement = (kind: SqlStatement["kind"], target: string, sql: string, line = 1): SqlStatement => ({ file: sqlFile, line, kind, target, sql });
        const record = s.columns.map((c) => ({ ...c, typed: c.type === "STRING" ? c.raw : `TRY_CAST(${c.raw} AS ${c.type})` }));
        const source = statement(
            "create-table",
            KA_SOURCE_TABLE,
            [
                `CREATE TABLE ${KA_SOURCE_TABLE} (`,
                "  payload STRING,",
                "  arrival_time TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,",
                "  proc_time AS PROCTIME(),",
                "  fields AS JSON_FIELDS(payload),",
                "  rowtime AS CAST(arrival_time AS TIMESTAMP(3)),",
                "  WATERMARK FOR rowtime AS rowtime - INTERVAL '1' SECOND",
                ")",
            ].join("\n"),
        );
        const parsedView = statement(
            "create-view",
            KA_PARSED_VIEW,
            [
                `CREATE VIEW ${KA_PARSED_VIEW} AS`,
                "SELECT payload, proc_time, rowtime,",
                ...record.map((c) => `  ${c.typed} AS ${q(c.name)},`),
                "  CASE",
                `    WHEN fields IS NULL THEN ${reason("not_json")}`,
                ...record
                    .filter((c) => c.type !== "STRING")
                    .map((c) => `    WHEN ${c.raw} IS NOT NULL AND ${c.typed} IS NULL THEN ${reason(`bad_value:${c.name}`)}`),
                "  END AS reject_reason",
                `FROM ${KA_SOURCE_TABLE}`,
            ].join("\n"),
        );
        const cols = record.map((c) => q(c.name)).join(", ");
        const unique = statement(
            "create-view",
            UNIQUE_VIEW,
            `CREATE VIEW ${UNIQUE_VIEW} AS\nSELECT rowtime, payload, ${cols}\nFROM ${KA_PARSED_VIEW}\nWHERE reject_reason IS NULL`,
        );
        const input = statement(
            "create-view",
            inputName.toLowerCase(),
            `CREATE VIEW ${q(inputName.toLowerCase())} AS\nSELECT ${cols}, rowtime\nFROM ${TIMED_VIEW}\nWHERE closed_outputs IS NULL`,
        );
        const viewStatements = views.map((v) => statement("create-view", v.name, `CREATE VIEW ${q(v.name)} AS\n${v.sql}`, v.pos.line));
        const outputTables: OutputTable[] = outputs.map((o) => {
            const columns: SqlColumn[] = [
                ...o.stream.columns.map((c) => ({ name: c.name, flinkType: c.type, virtual: false })),
                { name: "rowtime", flinkType: "TIMESTAMP(3)", virtual: false },
                { name: "region", flinkType: "STRING", virtual: false },
            ];
            const createTable = statement(
                "create-table",
                o.output,
                `CREATE TABLE ${o.output} (\n${columns.map((c) => `  ${q(c.name)} ${c.flinkType}`).join(",\n")}\n)`,
                o.stream.pos.line,
            );
            const insert = statement(
                "insert",
                o.output,
                `INSERT INTO ${o.output}\nSELECT ${o.stream.columns.map((c) => q(c.name)).join(", ")}, CAST(rowtime AS TIMESTAMP(3)) AS rowtime, SOURCE_REGION() AS region\nFROM ${q(o.stream.view)}`,
                o.stream.pos.line,
            );
            return { name: o.output, file: sqlFile, columns, createTable, insert };
        });
        const rejectedInsert = statement(
            "insert",
            KA_REJECTED_OUTPUT,
            [
                `INSERT INTO ${KA_REJECTED_OUTPUT}`,
                "SELECT CAST(proc_time AS TIMESTAMP(3)) AS received_at, SOURCE_REGION() AS region, reject_reason AS reason,",
                "       SUBSTRING(payload, 1, 65536) AS payload",
                `FROM ${KA_PARSED_VIEW}`,
                "WHERE reject_reason IS NOT NULL",
                "UNION ALL",
                `SELECT CAST(proc_time AS TIMESTAMP(3)), SOURCE_REGION(), ${reason("late:")} || closed_outputs, SUBSTRING(payload, 1, 65536)`,
                `FROM ${TIMED_VIEW}`,
                "WHERE closed_outputs IS NOT NULL",
            ].join("\n"),
        );
        return {
            name: app,
            file: sqlFile,
            statements: [
                source,
                parsedView,
                unique,
                input,
                ...viewStatements,
                ...outputTables.map((o) => o.createTable),
                a.rejectedTable,
                ...outputTables.map((o) => o.insert),
                rejectedInsert,
            ],
            outputs: outputTables,
        };
    }
}

/** Views in dependency order (a view after every view it reads); the input stream's view comes first. */
function order(views: TranslatedView[], input: string): TranslatedView[] {
    const byName = new Map(views.map((v) => [v.name, v]));
    const done = new Set<string>([input]);
    const visiting = new Set<string>();
    const out: TranslatedView[] = [];
    const visit = (v: TranslatedView) => {
        if (done.has(v.name)) return;
        if (visiting.has(v.name)) throw new KaSyntaxError(v.pos, `stream '${v.name}' reads itself through its pumps: a cycle of streams is not supported`);
        visiting.add(v.name);
        for (const r of v.reads) {
            const dep = byName.get(r);
            if (dep) visit(dep);
            else if (!done.has(r)) throw new KaSyntaxError(v.pos, `stream '${r}' is read but no pump inserts into it`);
        }
        visiting.delete(v.name);
        done.add(v.name);
        out.push(v);
    };
    views.forEach(visit);
    return out;
}

/** Loads and translates `<sqlDir>/ka/<app>/`; paths in messages are relative to `repoRoot`. */
export function loadKaApp(sqlDir: string, app: string, repoRoot: string, rest: Pick<TranslateKaAppArgs, "rejectedTable" | "outputNameProblem">): KaApp {
    const rel = (f: string) => path.relative(repoRoot, f).split(path.sep).join("/");
    const dir = path.join(sqlDir, KA_DIR, app);
    const sqlPath = path.join(dir, KA_SQL_FILE);
    const jsonPath = path.join(dir, KA_JSON_FILE);
    if (!KA_APP_NAME.test(app)) throw new KaDefinitionError(`${rel(dir)}: KA application folder names use lower-case letters, digits and '_'`);
    for (const f of [sqlPath, jsonPath]) {
        if (!fs.existsSync(f))
            throw new KaDefinitionError(`${rel(dir)}: ${path.basename(f)} is missing (a KA application folder holds ${KA_SQL_FILE} and ${KA_JSON_FILE})`);
    }
    let json: unknown;
    try {
        json = JSON.parse(fs.readFileSync(jsonPath, "utf8"));
    } catch (e) {
        throw new KaDefinitionError(`${rel(jsonPath)}: not valid JSON: ${(e as Error).message}`);
    }
    return translateKaApp({ app, sqlFile: rel(sqlPath), jsonFile: rel(jsonPath), sqlText: fs.readFileSync(sqlPath, "utf8"), json, ...rest });
}

/** The KA application folders under `<sqlDir>/ka/`, sorted. */
export function kaAppFolders(sqlDir: string): string[] {
    const dir = path.join(sqlDir, KA_DIR);
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort();
}
