/**
 * Trino (the engine of Athena v3) on this machine, for checking that `sql/athena/*.sql` runs on Trino and
 * gives the same rows as DuckDB (local/test/trino.test.ts). One single-node server (coordinator and worker
 * in one JVM) on 127.0.0.1 with a `hive` catalog: file metastore and the local file system, so tables are
 * declared over the Parquet files of `.local/lake/` as the lake stack declares them in Glue.
 *
 * The server is the `io.trino:trino-server` tarball from Maven Central, fetched with Maven once and
 * extracted into a cache directory; it runs on its own JDK (Trino 476 needs Java 24 or newer).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { GlueColumn, PARTITION_KEYS, splitTopLevel } from "../lib/sql/glue-schema";
import { delay, freePort, Managed, ProcessGroup } from "./processes";

export const TRINO_VERSION = "476";
/** The oldest Java that runs TRINO_VERSION. */
export const TRINO_MIN_JAVA = 24;

/** Where Trino is (or goes): `TRINO_HOME`, else `~/.cache/clickstream/trino-476`. */
export function trinoHome(): string {
    return process.env.TRINO_HOME ?? path.join(os.homedir(), ".cache", "clickstream", `trino-${TRINO_VERSION}`);
}

/** The JDK that runs Trino: `TRINO_JAVA_HOME`, else Temurin 25 where Debian's Adoptium package puts it. */
export function trinoJavaHome(): string {
    return process.env.TRINO_JAVA_HOME ?? "/usr/lib/jvm/temurin-25-jdk-amd64";
}

/** The command that fetches and extracts Trino into `trinoHome()`. */
export const TRINO_INSTALL_COMMAND = "npx ts-node --transpile-only local/trino.ts install";

/** True when `home` holds an extracted Trino server of TRINO_VERSION. */
export function trinoInstalled(home: string = trinoHome()): boolean {
    return fs.existsSync(path.join(home, "lib", `io.trino_trino-main-${TRINO_VERSION}.jar`)) && fs.existsSync(path.join(home, "plugin", "hive"));
}

/** The major version of `<javaHome>/bin/java`, or undefined when it does not run. */
export function javaMajor(javaHome: string = trinoJavaHome()): number | undefined {
    const r = spawnSync(path.join(javaHome, "bin", "java"), ["-version"], { encoding: "utf8" });
    if (r.error || r.status !== 0) return undefined;
    const m = /version "(\d+)/.exec(`${r.stdout}${r.stderr}`);
    return m ? Number(m[1]) : undefined;
}

/**
 * Makes sure Trino is in `home`: when missing, `mvn dependency:copy` of `io.trino:trino-server:<v>:tar.gz`
 * (Maven keeps it in ~/.m2 too), extracted next to `home` and renamed into place, so a half-extracted
 * copy is never taken for a whole one.
 */
export function ensureTrino(home: string = trinoHome(), log: (l: string) => void = () => undefined): string {
    if (trinoInstalled(home)) return home;
    const parent = path.dirname(home);
    fs.mkdirSync(parent, { recursive: true });
    const download = fs.mkdtempSync(path.join(parent, ".download-"));
    const staging = fs.mkdtempSync(path.join(parent, ".extract-"));
    try {
        log(`fetching io.trino:trino-server:${TRINO_VERSION}:tar.gz with Maven ...`);
        const mvn = spawnSync(
            "mvn",
            [
                "-q",
                "-B",
                "-ntp",
                "-Dstyle.color=never",
                "dependency:copy",
                `-Dartifact=io.trino:trino-server:${TRINO_VERSION}:tar.gz`,
                `-DoutputDirectory=${download}`,
            ],
            { stdio: ["ignore", "inherit", "inherit"] },
        );
        if (mvn.error || mvn.status !== 0) throw new Error(`mvn dependency:copy of io.trino:trino-server:${TRINO_VERSION} failed (exit ${mvn.status})`);
        const tarball = path.join(download, `trino-server-${TRINO_VERSION}.tar.gz`);
        log(`extracting ${path.basename(tarball)} into ${home} ...`);
        const tar = spawnSync("tar", ["-xzf", tarball, "-C", staging, "--strip-components=1"], { stdio: ["ignore", "inherit", "inherit"] });
        if (tar.error || tar.status !== 0) throw new Error(`tar -xzf ${tarball} failed (exit ${tar.status})`);
        fs.rmSync(home, { recursive: true, force: true });
        fs.renameSync(staging, home);
    } finally {
        fs.rmSync(download, { recursive: true, force: true });
        fs.rmSync(staging, { recursive: true, force: true });
    }
    if (!trinoInstalled(home)) throw new Error(`${home} holds no Trino ${TRINO_VERSION} after extraction`);
    return home;
}

/** The Trino type of a Glue (Hive) column type, as Athena reads it. Pure. */
export function glueToTrino(type: string): string {
    const t = type.trim().toLowerCase();
    const simple: Record<string, string> = {
        string: "varchar",
        boolean: "boolean",
        tinyint: "tinyint",
        smallint: "smallint",
        int: "integer",
        integer: "integer",
        bigint: "bigint",
        float: "real",
        double: "double",
        date: "date",
        // Athena reads Hive timestamps with millisecond precision.
        timestamp: "timestamp(3)",
    };
    if (simple[t]) return simple[t];
    let m = /^(varchar|char)\((\d+)\)$/.exec(t);
    if (m) return `${m[1]}(${m[2]})`;
    m = /^decimal\((\d+),(\d+)\)$/.exec(t);
    if (m) return `decimal(${m[1]},${m[2]})`;
    m = /^array<(.+)>$/.exec(t);
    if (m) return `array(${glueToTrino(m[1])})`;
    m = /^map<(.+)>$/.exec(t);
    if (m) {
        const [k, v] = splitTopLevel(m[1]);
        if (v !== undefined) return `map(${glueToTrino(k)}, ${glueToTrino(v)})`;
    }
    m = /^struct<(.+)>$/.exec(t);
    if (m) {
        const fields = splitTopLevel(m[1]).map((f) => {
            const i = f.indexOf(":");
            if (i <= 0) throw new Error(`unsupported Glue type: ${type}`);
            return `"${f.slice(0, i)}" ${glueToTrino(f.slice(i + 1))}`;
        });
        return `row(${fields.join(", ")})`;
    }
    throw new Error(`unsupported Glue type: ${type}`);
}

/**
 * `CREATE TABLE hive.<schema>.<table>` over existing Parquet files: the Glue columns, then the partition
 * keys (year, month, day, hour as varchar, in that order), at `location`. Pure.
 */
export function trinoTableSql(schema: string, table: string, columns: GlueColumn[], location: string): string {
    const cols = [...columns, ...PARTITION_KEYS].map((c) => `"${c.name}" ${glueToTrino(c.type)}`);
    return (
        `CREATE TABLE hive."${schema}"."${table}" (${cols.join(", ")}) WITH (format = 'PARQUET', ` +
        `external_location = '${location.replace(/'/g, "''")}', partitioned_by = ARRAY[${PARTITION_KEYS.map((k) => `'${k.name}'`).join(", ")}])`
    );
}

/** A local path as a location of Trino's local file system (`local.location=/`). Pure. */
export const localLocation = (p: string): string => `local://${path.resolve(p)}`;

export interface TrinoColumn {
    name: string;
    type: string;
}

/** What a query read, from the statement API's final `stats` (what Athena bills is the bytes read). */
export interface TrinoQueryStats {
    /** Bytes read from the files: the columns and row groups of the files in the partitions not pruned. */
    physicalInputBytes: number;
    /** Rows the table scans produced. */
    processedRows: number;
}

export interface TrinoResult {
    columns: TrinoColumn[];
    rows: unknown[][];
    stats: TrinoQueryStats;
}

export interface TrinoServer {
    url: string;
    port: number;
    pid: number;
    dir: string;
    log: string;
    /** Runs one statement through the HTTP statement API (`POST /v1/statement`, then `nextUri`). */
    query(sql: string, opts?: { schema?: string; timeoutMs?: number }): Promise<TrinoResult>;
    /** SIGTERM, then SIGKILL after the grace period, by pid; removes its temp dir. */
    stop(): Promise<void>;
}

export interface StartOptions {
    home?: string;
    javaHome?: string;
    /** Heap of the JVM. Default 2G. */
    heap?: string;
    /** How long to wait for `/v1/info` to say the server has started. Default 180 s. */
    startTimeoutMs?: number;
}

/** The config of a single-node server on 127.0.0.1:port with the `hive` catalog in `dir`. Pure. */
export function trinoConfig(dir: string, port: number): { config: string; hive: string } {
    const config = [
        "coordinator=true",
        "node-scheduler.include-coordinator=true",
        `http-server.http.port=${port}`,
        `discovery.uri=http://127.0.0.1:${port}`,
        "node.environment=clickstream_test",
        "node.id=clickstream-test",
        "node.bind-ip=127.0.0.1",
        "node.internal-address=127.0.0.1",
        `plugin.dir=${path.join(dir, "plugin")}`,
        `catalog.config-dir=${path.join(dir, "etc", "catalog")}`,
        "web-ui.enabled=false",
        "task.concurrency=2",
    ];
    const hive = [
        "connector.name=hive",
        "hive.metastore=file",
        `hive.metastore.catalog.dir=${localLocation(path.join(dir, "metastore"))}`,
        "fs.native-local.enabled=true",
        "local.location=/",
        "hive.parquet.time-zone=UTC",
    ];
    return { config: config.join("\n") + "\n", hive: hive.join("\n") + "\n" };
}

/**
 * Starts Trino (which must be installed: `ensureTrino`) in a fresh temp dir and waits until `/v1/info`
 * says it has started. Only the hive plugin is loaded (a plugin dir with that one link), which keeps
 * the start short.
 */
export async function startTrino(opts: StartOptions = {}): Promise<TrinoServer> {
    const home = opts.home ?? trinoHome();
    const javaHome = opts.javaHome ?? trinoJavaHome();
    if (!trinoInstalled(home)) throw new Error(`Trino ${TRINO_VERSION} is not in ${home}; run \`${TRINO_INSTALL_COMMAND}\``);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trino-"));
    const port = await freePort();
    const { config, hive } = trinoConfig(dir, port);
    fs.mkdirSync(path.join(dir, "etc", "catalog"), { recursive: true });
    fs.mkdirSync(path.join(dir, "plugin"));
    fs.mkdirSync(path.join(dir, "metastore"));
    fs.symlinkSync(path.join(home, "plugin", "hive"), path.join(dir, "plugin", "hive"));
    fs.writeFileSync(path.join(dir, "etc", "config.properties"), config);
    fs.writeFileSync(path.join(dir, "etc", "catalog", "hive.properties"), hive);
    const log = path.join(dir, "server.log");
    const group = new ProcessGroup();
    const jvm = [
        "-server",
        `-Xmx${opts.heap ?? "2G"}`,
        "-XX:+UseG1GC",
        "-XX:+ExitOnOutOfMemoryError",
        "-XX:-OmitStackTraceInFastThrow",
        "-XX:ReservedCodeCacheSize=256M",
        "-XX:+EnableDynamicAgentLoading",
        "-Djdk.attach.allowAttachSelf=true",
        "-Dfile.encoding=UTF-8",
        "-Duser.timezone=UTC",
        "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow",
        `-Dconfig=${path.join(dir, "etc", "config.properties")}`,
        "-cp",
        path.join(home, "lib", "*"),
        "io.trino.server.TrinoServer",
    ];
    const server: Managed = group.spawn("trino", path.join(javaHome, "bin", "java"), jvm, { cwd: dir, logFile: log });
    const url = `http://127.0.0.1:${port}`;
    const stop = async () => {
        await group.stop(server, 10_000);
        fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        const until = Date.now() + (opts.startTimeoutMs ?? 180_000);
        for (;;) {
            if (server.child.exitCode !== null || server.child.signalCode !== null) throw new Error(`Trino exited while starting:\n${tail(log)}`);
            const info = await fetch(`${url}/v1/info`)
                .then((r) => (r.ok ? (r.json() as Promise<{ starting?: boolean }>) : undefined))
                .catch(() => undefined);
            if (info && info.starting === false) break;
            if (Date.now() > until) throw new Error(`Trino did not start within ${(opts.startTimeoutMs ?? 180_000) / 1000} s:\n${tail(log)}`);
            await delay(500);
        }
    } catch (e) {
        await stop();
        throw e;
    }
    return { url, port, pid: server.child.pid!, dir, log, query: (sql, o = {}) => trinoQuery(url, sql, o), stop };
}

const tail = (file: string, lines = 30): string => (fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n") : "(no log)");

interface StatementResponse {
    nextUri?: string;
    columns?: TrinoColumn[];
    data?: unknown[][];
    error?: { message: string; errorName?: string };
    stats?: { physicalInputBytes?: number; processedRows?: number };
}

/** One statement over the HTTP statement API, catalog `hive`; throws the server's error message. */
export async function trinoQuery(url: string, sql: string, opts: { schema?: string; timeoutMs?: number } = {}): Promise<TrinoResult> {
    const headers: Record<string, string> = { "X-Trino-User": "clickstream", "X-Trino-Catalog": "hive" };
    if (opts.schema) headers["X-Trino-Schema"] = opts.schema;
    const until = Date.now() + (opts.timeoutMs ?? 120_000);
    let res = (await (await fetch(`${url}/v1/statement`, { method: "POST", headers, body: sql })).json()) as StatementResponse;
    const out: TrinoResult = { columns: [], rows: [], stats: { physicalInputBytes: 0, processedRows: 0 } };
    for (;;) {
        if (res.error) throw new Error(res.error.message);
        if (res.columns) out.columns = res.columns.map((c) => ({ name: c.name, type: c.type }));
        if (res.data) out.rows.push(...res.data);
        if (res.stats) out.stats = { physicalInputBytes: res.stats.physicalInputBytes ?? 0, processedRows: res.stats.processedRows ?? 0 };
        if (!res.nextUri) return out;
        if (Date.now() > until) {
            await fetch(res.nextUri, { method: "DELETE", headers }).catch(() => undefined);
            throw new Error(`Trino query did not finish within ${(opts.timeoutMs ?? 120_000) / 1000} s: ${sql.slice(0, 80)}`);
        }
        res = (await (await fetch(res.nextUri, { headers })).json()) as StatementResponse;
    }
}

/**
 * One cell as both engines are compared: null; a number (DuckDB gives BIGINT and DECIMAL as strings,
 * Trino gives DECIMAL as a string); a timestamp as `YYYY-MM-DD HH:MM:SS.mmm`; anything else as a string.
 * Pure.
 */
export function normalizeCell(v: unknown): null | number | string {
    if (v === null || v === undefined) return null;
    if (typeof v === "number" || typeof v === "bigint") return Number(v);
    const s = String(v);
    const ts = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(?:Z)?$/.exec(s);
    if (ts) return `${ts[1]} ${ts[2]}.${(ts[3] ?? "").padEnd(3, "0").slice(0, 3)}`;
    if (/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return Number(s);
    return s;
}

/** Numbers equal within a relative 1e-9 (decimals and doubles), everything else exactly. Pure. */
export function sameCell(a: null | number | string, b: null | number | string): boolean {
    if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
    return a === b;
}

export interface RowComparison {
    identical: boolean;
    /** What differs first, for the failure message. */
    detail?: string;
}

/**
 * Compares two results cell by cell after `normalizeCell`: row for row when the query orders its rows
 * (`ordered`), else as multisets. Pure.
 */
export function compareRows(a: unknown[][], b: unknown[][], ordered: boolean): RowComparison {
    const norm = (rows: unknown[][]) => rows.map((r) => r.map(normalizeCell));
    let x = norm(a);
    let y = norm(b);
    if (x.length !== y.length) return { identical: false, detail: `${x.length} rows against ${y.length}` };
    if (!ordered) {
        const key = (r: (null | number | string)[]) => JSON.stringify(r.map((c) => (typeof c === "number" ? Number(c.toPrecision(12)) : c)));
        const byKey = (p: (null | number | string)[], q: (null | number | string)[]) => (key(p) < key(q) ? -1 : key(p) > key(q) ? 1 : 0);
        x = [...x].sort(byKey);
        y = [...y].sort(byKey);
    }
    for (let i = 0; i < x.length; i++) {
        if (x[i].length !== y[i].length || x[i].some((c, j) => !sameCell(c, y[i][j]))) {
            return { identical: false, detail: `row ${i + 1}: ${JSON.stringify(x[i])} against ${JSON.stringify(y[i])}` };
        }
    }
    return { identical: true };
}

if (require.main === module) {
    const [command] = process.argv.slice(2);
    if (command === "install") {
        const home = ensureTrino(trinoHome(), (l) => process.stdout.write(l + "\n"));
        process.stdout.write(`Trino ${TRINO_VERSION} is in ${home}\n`);
    } else {
        process.stderr.write("usage: ts-node local/trino.ts install   (fetches Trino into TRINO_HOME, default ~/.cache/clickstream/trino-476)\n");
        process.exitCode = 2;
    }
}
