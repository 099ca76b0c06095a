import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DuckDBInstance } from "@duckdb/node-api";
import { isReportQuery, loadQueryFiles, loadSqlCatalog, reportOf } from "../../lib/sql/catalog";
import { DASHBOARD_QUERY_HOURS } from "../../lib/sql/dashboard-range";
import { partitionOf } from "../../lib/naming";
import { glueColumns } from "../../lib/sql/glue-schema";
import { runAthenaQueries } from "../athena";
import { registerLiveViews } from "../dashboard-model";
import { runPipeline, RunResult } from "../pipeline";
import { declareLakeTables, partitionsOnDisk, partitionsRead, plannedScans, PlannedScan, recentPartitions } from "../lake-scan";
import { compareRows, startTrino, TrinoResult, TrinoServer } from "../trino";
import { missingPrerequisites, TRINO_PREREQUISITES } from "./prerequisites";

const REPO = path.resolve(__dirname, "..", "..");
const SCHEMA = "clickstream";

interface EngineRun {
    name: string;
    ordered: boolean;
    trino?: TrinoResult;
    trinoError?: string;
    duck?: { columns: string[]; rows: unknown[][] };
    duckError?: string;
    /** The tables the query scans and the partition values left after pruning (EXPLAIN (TYPE IO)). */
    scans?: PlannedScan[];
}

/** An older copy of the lake: each partition's files again, OLDER_HOURS earlier, which no dashboard query may read. */
const OLDER_HOURS = 48;

function copyEachPartitionEarlier(lakeDir: string, output: string): void {
    for (const p of partitionsOnDisk(lakeDir, output)) {
        const [y, m, d, h] = p.split("/").map((kv) => Number(kv.split("=")[1]));
        const older = partitionOf(new Date(Date.UTC(y, m - 1, d, h) - OLDER_HOURS * 3_600_000));
        const to = path.join(lakeDir, output, `year=${older.year}`, `month=${older.month}`, `day=${older.day}`, `hour=${older.hour}`);
        fs.mkdirSync(to, { recursive: true });
        for (const f of fs.readdirSync(path.join(lakeDir, output, p))) fs.copyFileSync(path.join(lakeDir, output, p, f), path.join(to, `older-${f}`));
    }
}

describe("local: sql/athena on Trino 476 (Athena engine v3) gives DuckDB's rows", function () {
    this.timeout(600_000);
    const runs: EngineRun[] = [];
    let run: RunResult;
    /** Per output: the run's partitions, and all of them once the older copy is in. */
    const partitions = new Map<string, { recent: string[]; all: string[] }>();
    const tables: { output: string; files: number; rows: number; duckRows: number }[] = [];

    before(async function () {
        const missing = missingPrerequisites(TRINO_PREREQUISITES);
        if (missing.length) throw new Error(missing.join("\n"));
        const started = Date.now();
        const log = (l: string) => process.stdout.write(`      ${l}\n`);
        // Trino starts (about 30 s) while the short pipeline fills the lake.
        // At 40x the 10 s are 6.7 simulated minutes: a few hundred windows. Late events need longer runs (docs/LOCAL.md,
        // "Late events"), so late_events is usually empty here and top_pages_late_tolerant's late branch runs on no rows.
        const trinoStarting = startTrino();
        const piped = runPipeline({ stack: "eu", duration: 10, rate: 150, seed: 23, timeScale: 40, keep: false, repo: REPO, log });
        const [t, p] = await Promise.allSettled([trinoStarting, piped]);
        const trino: TrinoServer | undefined = t.status === "fulfilled" ? t.value : undefined;
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "trino-empty-"));
        const lakeDir = fs.mkdtempSync(path.join(os.tmpdir(), "trino-lake-"));
        try {
            if (t.status === "rejected") throw t.reason;
            if (p.status === "rejected") throw p.reason;
            run = p.value;
            log(`trino: started (pid ${trino!.pid}) and pipeline ran in ${Math.round((Date.now() - started) / 1000)} s`);
            expect(run.exitCode, "the pipeline run").to.equal(0);
            // The run's lake, copied so that the older copy below stays out of .local/lake.
            fs.cpSync(path.join(run.localDir, "lake"), lakeDir, { recursive: true });
            const outputs = loadSqlCatalog(path.join(REPO, "sql"), REPO).outputs.map((o) => ({ name: o.name, columns: glueColumns(o) }));

            // The run's partitions, and a copy of each OLDER_HOURS earlier: the reports read both, the dashboards only the first.
            for (const o of outputs) {
                const recent = partitionsOnDisk(lakeDir, o.name);
                copyEachPartitionEarlier(lakeDir, o.name);
                partitions.set(o.name, { recent, all: partitionsOnDisk(lakeDir, o.name) });
            }

            // Trino: one table per output from the Glue schema the lake stack deploys, partitions found on disk.
            await declareLakeTables(trino!, SCHEMA, lakeDir, outputs, empty);
            const counts = await trino!.query(outputs.map((o) => `SELECT '${o.name}', count(*), count(DISTINCT "$path") FROM ${o.name}`).join(" UNION ALL "), {
                schema: SCHEMA,
            });
            for (const [output, rows, files] of counts.rows as [string, number, number][]) tables.push({ output, files, rows, duckRows: -1 });
            for (const q of loadQueryFiles(path.join(REPO, "sql", "athena"))) {
                const r: EngineRun = { name: q.name, ordered: /\bORDER\s+BY\b/i.test(q.sql) };
                try {
                    r.trino = await trino!.query(q.sql, { schema: SCHEMA });
                    r.scans = await plannedScans(trino!, q.sql, SCHEMA);
                } catch (e) {
                    r.trinoError = (e as Error).message.split("\n")[0];
                }
                runs.push(r);
            }

            // DuckDB: the views of `npm start` step 7 and the live dashboard.
            const instance = await DuckDBInstance.create(":memory:");
            const db = await instance.connect();
            try {
                await registerLiveViews(db, lakeDir, outputs);
                for (const t of tables) t.duckRows = Number((await db.runAndReadAll(`SELECT count(*) AS n FROM ${t.output}`)).getRowObjectsJson()[0].n);
                for (const d of await runAthenaQueries(db, path.join(REPO, "sql", "athena"))) {
                    const r = runs.find((x) => x.name === d.name)!;
                    if (d.error) r.duckError = d.error;
                    else r.duck = { columns: d.columns, rows: d.rows.map((row) => d.columns.map((c) => row[c])) };
                }
            } finally {
                db.closeSync();
                instance.closeSync();
            }
        } finally {
            if (trino) await trino.stop();
            fs.rmSync(empty, { recursive: true, force: true });
            fs.rmSync(lakeDir, { recursive: true, force: true });
        }
        log(`trino: tables and queries on both engines done; set up in ${Math.round((Date.now() - started) / 1000)} s`);
    });

    it("declares every output from its Glue columns over the lake, with the same rows as the Parquet files", () => {
        for (const t of tables) process.stdout.write(`      table ${t.output}: ${t.files} files, Trino ${t.rows} rows, DuckDB ${t.duckRows} rows\n`);
        expect(tables.map((t) => t.output).sort()).to.deep.equal(
            loadSqlCatalog(path.join(REPO, "sql"), REPO)
                .outputs.map((o) => o.name)
                .sort(),
        );
        for (const t of tables) {
            expect(t.rows, t.output).to.equal(t.duckRows);
            if (t.output !== "late_events") expect(t.rows, `${t.output} has rows`).to.be.above(0);
        }
    });

    it("runs every sql/athena query unchanged on both engines, with identical rows", () => {
        expect(runs.map((r) => r.name)).to.deep.equal(loadQueryFiles(path.join(REPO, "sql", "athena")).map((q) => q.name));
        const failures: string[] = [];
        for (const r of runs) {
            const tRows = r.trino?.rows.length ?? "error";
            const dRows = r.duck?.rows.length ?? "error";
            let verdict: string;
            if (r.trinoError || r.duckError) {
                verdict = `FAILED: ${r.trinoError ? `Trino: ${r.trinoError}` : ""}${r.trinoError && r.duckError ? "; " : ""}${r.duckError ? `DuckDB: ${r.duckError}` : ""}`;
            } else {
                const tCols = r.trino!.columns.map((c) => c.name);
                const cmp =
                    JSON.stringify(tCols) === JSON.stringify(r.duck!.columns)
                        ? compareRows(r.trino!.rows, r.duck!.rows, r.ordered)
                        : { identical: false, detail: `columns ${tCols.join(",")} against ${r.duck!.columns.join(",")}` };
                verdict = cmp.identical ? (r.ordered ? "identical" : "identical (as multisets)") : `DIFFERENT: ${cmp.detail}`;
            }
            const line = `${r.name}: Trino ${tRows} rows, DuckDB ${dRows} rows, ${verdict}`;
            process.stdout.write(`      ${line}\n`);
            if (!verdict.startsWith("identical")) failures.push(line);
        }
        expect(failures).to.deep.equal([]);
        for (const r of runs) expect(r.trino!.rows.length, `${r.name} returns rows`).to.be.above(0);
    });

    it(`reads only the partitions of the last ${DASHBOARD_QUERY_HOURS} hours in each dashboard query, and every partition in its _history report (EXPLAIN (TYPE IO), rows read)`, () => {
        const now = new Date();
        for (const [output, p] of partitions) {
            // The test's own premise: the run is inside the range, its older copy outside.
            expect(recentPartitions(p.all, now, DASHBOARD_QUERY_HOURS), output).to.deep.equal(p.recent);
            if (p.recent.length > 0) expect(p.all.length, output).to.equal(2 * p.recent.length);
        }
        const dashboards = runs.filter((r) => !isReportQuery(r.name));
        expect(dashboards.length).to.be.above(0);
        for (const r of dashboards) {
            const report = runs.find((x) => x.name === reportOf(r.name));
            expect(report, `${r.name} has a whole-history report, ${reportOf(r.name)}`).to.not.equal(undefined);
            expect(r.scans!.map((s) => s.table)).to.deep.equal(report!.scans!.map((s) => s.table));
            const described: string[] = [];
            for (const scan of r.scans!) {
                const { recent, all } = partitions.get(scan.table)!;
                expect(partitionsRead(scan, all), `${r.name} reads ${scan.table}`).to.deep.equal(recent);
                expect(
                    partitionsRead(
                        report!.scans!.find((s) => s.table === scan.table)!,
                        all,
                    ),
                    `${report!.name} reads ${scan.table}`,
                ).to.deep.equal(all);
                described.push(`${scan.table} ${recent.length} of ${all.length} partitions (${recent.join(", ") || "none"})`);
            }
            // The older copy holds the same rows again: a query that read it would count them.
            expect(report!.trino!.stats.processedRows, `${report!.name} rows read`).to.equal(2 * r.trino!.stats.processedRows);
            process.stdout.write(
                `      ${r.name}: reads ${described.join("; ")}: ${r.trino!.stats.processedRows} rows, ${r.trino!.stats.physicalInputBytes} bytes; ` +
                    `${report!.name}: ${report!.trino!.stats.processedRows} rows, ${report!.trino!.stats.physicalInputBytes} bytes\n`,
            );
        }
    });
});
