/**
 * `npm run measure:athena-scan [-- --lake DIR]`
 *
 * Runs each dashboard query of `sql/athena/` on Trino 476 (Athena engine v3's upstream) over the local
 * lake that `npm start` left in `.local/lake/`, checks from `EXPLAIN (TYPE IO)` that it reads only the
 * partitions of its last hours, and writes what it read (tables, rows, bytes) to tools/athena-scan.json.
 * The cost estimate's Athena line scales those bytes per row to a season's rows (docs/COST.md).
 */
import { Command } from "commander";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isReportQuery, loadQueryFiles, loadSqlCatalog } from "../lib/sql/catalog";
import { DASHBOARD_QUERY_HOURS } from "../lib/sql/dashboard-range";
import { glueColumns } from "../lib/sql/glue-schema";
import { AthenaScanFile } from "../tools/cost-model";
import { ArgError, parseArgs } from "./args";
import { declareLakeTables, partitionsOnDisk, partitionsRead, plannedScans, recentPartitions } from "./lake-scan";
import { missingPrerequisites, TRINO_PREREQUISITES } from "./test/prerequisites";
import { startTrino, TRINO_VERSION } from "./trino";

const REPO = path.resolve(__dirname, "..");
const SCHEMA = "clickstream";
export const ATHENA_SCAN_FILE = path.join("tools", "athena-scan.json");

export function buildProgram(): Command {
    return new Command("measure:athena-scan")
        .description(`what each dashboard query of sql/athena/ reads from the local lake, on Trino ${TRINO_VERSION}; writes ${ATHENA_SCAN_FILE}`)
        .option("--lake <dir>", "the lake to measure (default: .local/lake, what npm start left)");
}

export async function measure(lakeDir: string, log: (line: string) => void): Promise<AthenaScanFile> {
    const outputs = loadSqlCatalog(path.join(REPO, "sql"), REPO).outputs.map((o) => ({ name: o.name, columns: glueColumns(o) }));
    const now = new Date();
    const recent = outputs.flatMap((o) => recentPartitions(partitionsOnDisk(lakeDir, o.name), now, DASHBOARD_QUERY_HOURS));
    if (recent.length === 0) {
        throw new ArgError(
            `--lake: '${lakeDir}' has no partition of the last ${DASHBOARD_QUERY_HOURS} hours, so the dashboard queries would read nothing; run npm start first`,
        );
    }
    const missing = missingPrerequisites(TRINO_PREREQUISITES);
    if (missing.length) throw new ArgError(missing.join("; "));
    log(`starting Trino ${TRINO_VERSION} ...`);
    const trino = await startTrino();
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "trino-empty-"));
    try {
        await declareLakeTables(trino, SCHEMA, lakeDir, outputs, empty);
        const queries: AthenaScanFile["queries"] = [];
        for (const q of loadQueryFiles(path.join(REPO, "sql", "athena")).filter((x) => !isReportQuery(x.name))) {
            const result = await trino.query(q.sql, { schema: SCHEMA });
            const scans = await plannedScans(trino, q.sql, SCHEMA);
            for (const scan of scans) {
                const onDisk = partitionsOnDisk(lakeDir, scan.table);
                const recentOnDisk = recentPartitions(onDisk, now, DASHBOARD_QUERY_HOURS);
                const outside = partitionsRead(scan, onDisk).filter((p) => !recentOnDisk.includes(p));
                if (outside.length > 0) {
                    throw new Error(
                        `${q.file}: reads ${scan.table} partitions older than ${DASHBOARD_QUERY_HOURS} hours (${outside.join(", ")}); write its time filter as {{ last_hours(<time column>) }} (docs/LAKE.md, "Dashboard queries and reports")`,
                    );
                }
            }
            const { processedRows, physicalInputBytes } = result.stats;
            queries.push({ name: q.name, tables: scans.map((s) => s.table), rowsRead: processedRows, bytesRead: physicalInputBytes });
            log(
                `${q.name}: ${scans.map((s) => s.table).join(" + ")}: ${processedRows} rows, ${physicalInputBytes} bytes read` +
                    (processedRows ? ` (${(physicalInputBytes / processedRows).toFixed(1)} bytes/row)` : ""),
            );
        }
        const files = outputs.reduce(
            (n, o) => n + partitionsOnDisk(lakeDir, o.name).reduce((m, p) => m + fs.readdirSync(path.join(lakeDir, o.name, p)).length, 0),
            0,
        );
        return {
            measuredOn: now.toISOString(),
            command: "npm start, then npm run measure:athena-scan",
            engine: `Trino ${TRINO_VERSION}`,
            lake: `${path.relative(REPO, lakeDir) || lakeDir}: ${files} Parquet files in ${recent.length} partitions of the last ${DASHBOARD_QUERY_HOURS} hours`,
            hours: DASHBOARD_QUERY_HOURS,
            queries,
        };
    } finally {
        await trino.stop();
        fs.rmSync(empty, { recursive: true, force: true });
    }
}

export async function main(argv: string[]): Promise<number> {
    const parsed = parseArgs(buildProgram(), argv);
    if (typeof parsed === "number") return parsed;
    const lakeDir = path.resolve((parsed.lake as string | undefined) ?? path.join(REPO, ".local", "lake"));
    const log = (l: string) => process.stdout.write(l + "\n");
    try {
        if (!fs.existsSync(lakeDir)) throw new ArgError(`--lake: '${lakeDir}' does not exist; run npm start first, or name a lake with --lake`);
        const measured = await measure(lakeDir, log);
        fs.writeFileSync(path.join(REPO, ATHENA_SCAN_FILE), JSON.stringify(measured, null, 2) + "\n");
        log(`wrote ${ATHENA_SCAN_FILE}: ${measured.queries.length} dashboard queries; npm run cost uses it`);
        return 0;
    } catch (e) {
        if (e instanceof ArgError) {
            process.stderr.write(`measure:athena-scan: ${e.message}\n`);
            return 2;
        }
        throw e;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
