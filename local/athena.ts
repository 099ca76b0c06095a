/**
 * The Athena queries (`sql/athena/*.sql`) run with DuckDB over the local lake. Only table locations are
 * substituted: each output becomes a view over its Parquet files with the partition keys as strings
 * (as in Glue), so the query text stays exactly what Athena runs.
 */
import * as fs from "fs";
import * as path from "path";
import { DuckDBConnection } from "@duckdb/node-api";
import { isReportQuery, loadQueryFiles } from "../lib/sql/catalog";

/** A SQL string literal for DuckDB: single quotes, with embedded quotes doubled. */
export const sqlLiteral = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const q = sqlLiteral;

/** `CREATE VIEW <output> AS SELECT * FROM read_parquet('<lake>/<output>/**\/*.parquet', hive_partitioning)`. Pure. */
export function lakeViewSql(lakeDir: string, output: string): string {
    return (
        `CREATE OR REPLACE VIEW ${output} AS SELECT * FROM read_parquet(${q(path.join(lakeDir, output, "**", "*.parquet"))}, ` +
        `hive_partitioning = true, hive_types = {'year': VARCHAR, 'month': VARCHAR, 'day': VARCHAR, 'hour': VARCHAR}, union_by_name = true)`
    );
}

/** Registers one view per output that has at least one file; returns the outputs registered. */
export async function registerLakeViews(db: DuckDBConnection, lakeDir: string, outputs: string[]): Promise<string[]> {
    const registered: string[] = [];
    for (const o of outputs) {
        const dir = path.join(lakeDir, o);
        if (!fs.existsSync(dir)) continue;
        await db.run(lakeViewSql(lakeDir, o));
        registered.push(o);
    }
    return registered;
}

export interface QueryResult {
    name: string;
    file: string;
    columns: string[];
    rows: Record<string, unknown>[];
    error?: string;
    ms: number;
}

/**
 * Runs the query files of `dir` as they are: all of them, or the dashboard queries only (not the
 * `_history` reports). A failing query is reported with its error (not thrown).
 */
export async function runAthenaQueries(db: DuckDBConnection, dir: string, which: "all" | "dashboard" = "all"): Promise<QueryResult[]> {
    const out: QueryResult[] = [];
    for (const query of loadQueryFiles(dir).filter((q) => which === "all" || !isReportQuery(q.name))) {
        const started = Date.now();
        try {
            const reader = await db.runAndReadAll(query.sql);
            out.push({
                name: query.name,
                file: query.file,
                columns: reader.columnNames(),
                rows: reader.getRowObjectsJson() as Record<string, unknown>[],
                ms: Date.now() - started,
            });
        } catch (e) {
            out.push({ name: query.name, file: query.file, columns: [], rows: [], error: (e as Error).message.split("\n")[0], ms: Date.now() - started });
        }
    }
    return out;
}
