/**
 * `npm run bench:local -- [--rate N] [--duration S] [--seed N] [--time-scale N] [--stack eu]`
 *
 * Runs the local pipeline once (local/pipeline.ts, exactly what `npm start` runs) and measures, for real:
 *
 * - End-to-end freshness, per event: (time the first Parquet file holding a row that contains the event
 *   appeared under .local/lake/, i.e. its atomic rename: `queryableMs` in .local/run/lake-files.jsonl)
 *   minus (time PutRecords returned for that event: `sent_ms` in .local/run/ground-truth.jsonl).
 *   "A row that contains the event" is the row of the event's window key in a windowed output (for the
 *   5-minute hop window, the first of its five windows to land), and the event's own row in
 *   rejected_events (matched by payload). Only first deliveries of valid events count (duplicates are
 *   dropped by events_unique and appear in no row). Events whose window never closed during the run
 *   (the last ~2 minutes of event time: no later event moved the watermark past them) have no landing
 *   time; they are counted as "never queryable in the run", not dropped silently.
 * - Per window: landing − send time of the window's last event, and landing − the moment the watermark
 *   could first pass the window end (first send, on every shard, of an event ≥ window end + 60 s).
 * - Sustained rate: the achieved send rate, reconciliation mismatches, and lag growth (rejected_events
 *   freshness, which has no window, over the first and the last 10 s of sending).
 * - Peak memory: the sum of the RSS of this node process and all its descendants (kinesis-local, every
 *   Flink JVM), sampled every second from before the emulator starts until after reconciliation.
 *
 * Results are printed and written to .local/bench/<date>-rate<N>.json (kept across runs).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Command } from "commander";
import { DuckDBInstance } from "@duckdb/node-api";
import { outputNamesOf, parseRegionConfig, readStackFile } from "../lib/config";
import { loadSqlCatalog } from "../lib/sql/catalog";
import { parseArgs, wholeNumberArg } from "./args";
import { localRunFlags } from "./cli";
import { runPipeline, RunResult } from "./pipeline";
import { processTable } from "./processes";
import { sqlLiteral as q } from "./athena";

const REPO = path.resolve(__dirname, "..");

/** Per-event window keys of each windowed output (DuckDB over `u`: unique valid events of the output's streams). */
const EVENT_KEYS: Record<string, { where: string; key: string; hop?: number }> = {
    active_users_1m: { where: "TRUE", key: "site || '|' || country" },
    active_users_5m: { where: "TRUE", key: "site || '|' || country", hop: 5 },
    clicks_1m: { where: "event_type = 'click'", key: "site || '|' || country || '|' || COALESCE(page_type, 'unknown')" },
    page_clicks_late: { where: "event_type = 'click' AND page_url IS NOT NULL", key: "site || '|' || page_url" },
    cart_value_by_campaign: { where: "event_type = 'purchase'", key: "site || '|' || COALESCE(campaign, '(none)')" },
};
/** The same key on the lake side (columns of the output). */
const LAKE_KEYS: Record<string, string> = {
    active_users_1m: "site || '|' || country",
    active_users_5m: "site || '|' || country",
    clicks_1m: "site || '|' || country || '|' || page_type",
    page_clicks_late: "site || '|' || page_url",
    cart_value_by_campaign: "site || '|' || campaign",
};

interface Dist {
    n: number;
    p50: number | null;
    p95: number | null;
    max: number | null;
    min: number | null;
}

export interface OutputFreshness {
    output: string;
    streams: string[];
    events: number;
    landed: number;
    neverQueryable: number;
    perEventMs: Dist;
    perWindowAfterLastEventMs?: Dist;
    perWindowAfterWatermarkMs?: Dist;
}

interface RssSample {
    t: number;
    total: number;
    parts: Record<string, number>;
}

/** RSS of this process and its descendants, by part (node, kinesis-local, each JVM). Linux /proc. */
export function rssByPart(root: number): Record<string, number> {
    const table = processTable();
    const parent = new Map([...table].map(([pid, p]) => [pid, p.ppid] as [number, number]));
    const rss = new Map([...table].map(([pid, p]) => [pid, p.rss] as [number, number]));
    const parts: Record<string, number> = {};
    for (const [pid, bytes] of rss) {
        let p: number | undefined = pid;
        let depth = 0;
        while (p !== undefined && p !== root && p > 1 && depth++ < 64) p = parent.get(p);
        if (p !== root) continue;
        let label = "node (pipeline + bench)";
        if (pid !== root) {
            let cmd = "";
            try {
                cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
            } catch {
                continue;
            }
            const app = /--properties \S*?([A-Za-z0-9_-]+)\.application_properties\.json/.exec(cmd);
            label = app
                ? `jvm ${app[1]}`
                : /kinesis-local|kinesis-mock/.test(cmd)
                  ? "kinesis-local"
                  : /mvn|maven/.test(cmd)
                    ? "maven (jar build)"
                    : `other: ${path.basename(cmd.split(" ")[0] || "?")}`;
        }
        parts[label] = (parts[label] ?? 0) + bytes;
    }
    return parts;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

async function dist(db: import("@duckdb/node-api").DuckDBConnection, sql: string): Promise<Dist> {
    const r = (
        await db.runAndReadAll(`SELECT COUNT(v) AS n, quantile_cont(v, 0.5) AS p50, quantile_cont(v, 0.95) AS p95, MAX(v) AS max, MIN(v) AS min FROM (${sql})`)
    ).getRowObjectsJson()[0];
    return { n: Number(r.n), p50: num(r.p50), p95: num(r.p95), max: num(r.max), min: num(r.min) };
}

/** Freshness per output from the ground truth and the lake manifest of the run just finished. */
export async function analyse(
    repo: string,
    stack: string,
): Promise<{ outputs: OutputFreshness[]; lag: Record<string, unknown>; files: Record<string, unknown> }> {
    const runDir = path.join(repo, ".local", "run");
    const lakeDir = path.join(repo, ".local", "lake");
    const catalog = loadSqlCatalog(path.join(repo, "sql"), repo);
    const region = parseRegionConfig(readStackFile(path.join(repo, `Pulumi.${stack}.yaml`)), ...outputNamesOf(catalog.outputs));
    const streamsOf = (output: string) => [...new Set(region.apps.filter((a) => a.outputs.includes(output)).map((a) => a.streamName))];
    const instance = await DuckDBInstance.create(":memory:");
    const db = await instance.connect();
    await db.run(`CREATE TABLE gt AS SELECT * FROM read_json(${q(path.join(runDir, "ground-truth.jsonl"))}, format = 'newline_delimited', columns = {
        seq: 'BIGINT', stream: 'VARCHAR', shard: 'VARCHAR', sent_ms: 'BIGINT', reason: 'VARCHAR', event_id: 'VARCHAR', event_type: 'VARCHAR',
        site: 'VARCHAR', country: 'VARCHAR', page_type: 'VARCHAR', page_url: 'VARCHAR', event_ms: 'BIGINT', campaign: 'VARCHAR', data: 'VARCHAR'})`);
    await db.run(`CREATE TABLE mf AS SELECT * FROM read_json(${q(path.join(runDir, "lake-files.jsonl"))}, format = 'newline_delimited', columns = {
        output: 'VARCHAR', file: 'VARCHAR', rows: 'BIGINT', firstArrivalMs: 'BIGINT', lastArrivalMs: 'BIGINT', queryableMs: 'BIGINT'})`);
    const outputs: OutputFreshness[] = [];
    for (const [output, k] of Object.entries(EVENT_KEYS)) {
        const streams = streamsOf(output);
        if (streams.length === 0 || !fs.existsSync(path.join(lakeDir, output))) continue;
        const inList = streams.map(q).join(", ");
        // Unique valid events (first delivery per stream and event_id), one row per window they count in.
        await db.run(`CREATE OR REPLACE TABLE ev AS
            SELECT seq, stream, shard, sent_ms, (event_ms // 60000) * 60000 - h * 60000 AS ws, ${k.key} AS key
            FROM (SELECT * FROM gt WHERE stream IN (${inList}) AND reason IS NULL QUALIFY ROW_NUMBER() OVER (PARTITION BY stream, event_id ORDER BY seq) = 1) u,
                 range(${k.hop ?? 1}) AS r(h)
            WHERE ${k.where}`);
        // First landing of each window key.
        await db.run(`CREATE OR REPLACE TABLE land AS
            SELECT epoch_ms(l.window_start) AS ws, epoch_ms(l.window_end) AS we, ${LAKE_KEYS[output]} AS key, MIN(mf.queryableMs) AS landed_ms
            FROM read_parquet(${q(`${lakeDir}/${output}/**/*.parquet`)}, hive_partitioning = true, hive_types_autocast = false, filename = true) l
            JOIN mf ON mf.file = l.filename GROUP BY ALL`);
        await db.run(`CREATE OR REPLACE TABLE per_event AS
            SELECT seq, MIN(land.landed_ms) - ANY_VALUE(ev.sent_ms) AS fresh FROM ev LEFT JOIN land USING (ws, key) GROUP BY seq`);
        const c = (await db.runAndReadAll(`SELECT COUNT(*) AS events, COUNT(fresh) AS landed FROM per_event`)).getRowObjectsJson()[0];
        // When the watermark could first pass window end `we`: on every shard, an event with event time >= we + 60 s was sent.
        await db.run(`CREATE OR REPLACE TABLE closes AS
            SELECT we, MAX(first_ms) AS close_ms, COUNT(*) AS shards FROM (
              SELECT w.we, g.shard, MIN(g.sent_ms) AS first_ms
              FROM (SELECT DISTINCT we FROM land) w JOIN gt g ON g.stream IN (${inList}) AND g.reason IS NULL AND g.event_ms >= w.we + 60000
              GROUP BY ALL) GROUP BY we`);
        outputs.push({
            output,
            streams,
            events: Number(c.events),
            landed: Number(c.landed),
            neverQueryable: Number(c.events) - Number(c.landed),
            perEventMs: await dist(db, `SELECT fresh AS v FROM per_event WHERE fresh IS NOT NULL`),
            perWindowAfterLastEventMs: await dist(
                db,
                `SELECT land.landed_ms - MAX(ev.sent_ms) AS v FROM land JOIN ev USING (ws, key) GROUP BY land.ws, land.key, land.landed_ms`,
            ),
            perWindowAfterWatermarkMs: await dist(db, `SELECT land.landed_ms - closes.close_ms AS v FROM land JOIN closes USING (we)`),
        });
    }
    // rejected_events: one row per rejected record (no window), matched by payload.
    const rejStreams = streamsOf("rejected_events");
    let lag: Record<string, unknown> = {};
    if (rejStreams.length > 0 && fs.existsSync(path.join(lakeDir, "rejected_events"))) {
        await db.run(`CREATE OR REPLACE TABLE rj AS
            SELECT g.seq, g.sent_ms, MIN(mf.queryableMs) - g.sent_ms AS fresh
            FROM gt g LEFT JOIN (read_parquet(${q(`${lakeDir}/rejected_events/**/*.parquet`)}, hive_partitioning = true, filename = true) l JOIN mf ON mf.file = l.filename)
              ON l.payload = SUBSTRING(g.data, 1, 65536)
            WHERE g.stream IN (${rejStreams.map(q).join(", ")}) AND g.reason IS NOT NULL GROUP BY g.seq, g.sent_ms`);
        const c = (await db.runAndReadAll(`SELECT COUNT(*) AS events, COUNT(fresh) AS landed FROM rj`)).getRowObjectsJson()[0];
        outputs.push({
            output: "rejected_events",
            streams: rejStreams,
            events: Number(c.events),
            landed: Number(c.landed),
            neverQueryable: Number(c.events) - Number(c.landed),
            perEventMs: await dist(db, `SELECT fresh AS v FROM rj WHERE fresh IS NOT NULL`),
        });
        // Lag growth: the window-less path's freshness over the first and the last 10 s of sending.
        const b = (await db.runAndReadAll(`SELECT MIN(sent_ms) AS a, MAX(sent_ms) AS z FROM gt`)).getRowObjectsJson()[0];
        lag = {
            rejectedFirst10sMs: await dist(db, `SELECT fresh AS v FROM rj WHERE sent_ms < ${Number(b.a) + 10_000} AND fresh IS NOT NULL`),
            rejectedLast10sMs: await dist(db, `SELECT fresh AS v FROM rj WHERE sent_ms >= ${Number(b.z) - 10_000} AND fresh IS NOT NULL`),
        };
    }
    const files = (
        await db.runAndReadAll(`SELECT COUNT(*) AS files, SUM(rows) AS rows,
        quantile_cont(queryableMs - firstArrivalMs, 0.5) AS buffer_to_queryable_p50, MAX(queryableMs - lastArrivalMs) AS convert_max FROM mf`)
    ).getRowObjectsJson()[0];
    db.closeSync();
    return { outputs, lag, files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, num(v)])) };
}

const s = (ms: number | null | undefined) => (ms === null || ms === undefined ? "n/a" : `${(ms / 1000).toFixed(1)} s`);
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

async function main(argv: string[]): Promise<number> {
    const program = localRunFlags(
        new Command("npm run bench:local --").description(
            "Runs the local pipeline once and measures end-to-end freshness, the sustained rate and the peak memory (docs/BENCHMARKS.md).",
        ),
    )
        .option("--duration <seconds>", "seconds of traffic", wholeNumberArg("--duration", 5, 3600), 60)
        .option("--rate <events/s>", "events per second put into Kinesis", wholeNumberArg("--rate", 1, 20000), 200)
        .option("--time-scale <n>", "event-time seconds per wall second", wholeNumberArg("--time-scale", 1, 60), 10)
        .option("--build", "rebuild a stale runner jar first (default: run the jar as it is)");
    const o = parseArgs(program, argv);
    if (typeof o === "number") return o;
    const command = `npm run bench:local -- --rate ${o.rate} --duration ${o.duration} --seed ${o.seed} --time-scale ${o.timeScale} --stack ${o.stack}${o.build ? " --build" : ""}`;
    const machine = {
        date: new Date().toISOString(),
        nproc: Number(execFileSync("nproc").toString().trim()),
        cpu: os.cpus()[0]?.model ?? "?",
        memTotalGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
        freeG: execFileSync("free", ["-g"]).toString().trim(),
        node: process.version,
        jarBuilt: (() => {
            const jar = path.join(REPO, "runner", "target", "clickstream-runner.jar");
            return fs.existsSync(jar) ? fs.statSync(jar).mtime.toISOString() : "missing";
        })(),
        java: (() => {
            try {
                return execFileSync("java", ["-version"], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" }).trim() || "";
            } catch (e) {
                return String((e as { stderr?: string }).stderr ?? "").split("\n")[0];
            }
        })(),
        otherLoad: os.loadavg(),
    };
    const samples: RssSample[] = [];
    const t0 = Date.now();
    const sample = () => {
        const parts = rssByPart(process.pid);
        samples.push({ t: Date.now() - t0, total: Object.values(parts).reduce((a, b) => a + b, 0), parts });
    };
    sample();
    const sampler = setInterval(sample, 1000);
    let run: RunResult | undefined;
    let failure: string | undefined;
    try {
        run = await runPipeline({
            stack: o.stack,
            duration: o.duration,
            rate: o.rate,
            seed: o.seed,
            keep: false,
            timeScale: o.timeScale,
            buildJar: Boolean(o.build),
        });
    } catch (e) {
        failure = (e as Error).message;
    } finally {
        sample();
        clearInterval(sampler);
    }
    const peak = samples.reduce((a, b) => (b.total > a.total ? b : a), samples[0]);
    const peakByPart: Record<string, number> = {};
    for (const x of samples) for (const [k, v] of Object.entries(x.parts)) peakByPart[k] = Math.max(peakByPart[k] ?? 0, v);
    const fresh = failure ? undefined : await analyse(REPO, o.stack).catch((e) => ((failure = `analysis: ${(e as Error).message}`), undefined));
    const result = {
        command,
        machine,
        options: o,
        failure,
        exitCode: run?.exitCode,
        sent: run?.sent,
        sendSeconds: run?.sendSeconds,
        achievedRate: run ? run.sent / run.sendSeconds : undefined,
        reconciliation: run?.reconciliation && {
            windows: run.reconciliation.windows,
            mismatches: run.reconciliation.mismatches.length,
            accounting: run.reconciliation.accounting.line,
            firstMismatches: run.reconciliation.mismatches.slice(0, 5),
        },
        freshness: fresh,
        memory: { samples: samples.length, peakTotalBytes: peak.total, peakAtSeconds: peak.t / 1000, peakBreakdown: peak.parts, peakByPart },
    };
    const outDir = path.join(REPO, ".local", "bench");
    fs.mkdirSync(outDir, { recursive: true });
    const outFile = path.join(outDir, `${machine.date.replace(/[:.]/g, "-")}-rate${o.rate}.json`);
    fs.writeFileSync(outFile, JSON.stringify({ ...result, rssSeries: samples.map((x) => [x.t, x.total]) }, null, 2) + "\n");

    const out = (l: string) => process.stdout.write(l + "\n");
    out("");
    out(`bench: ${command}`);
    out(
        `  machine: ${machine.nproc} cores (${machine.cpu}), ${machine.memTotalGiB} GiB, load before run ${machine.otherLoad.map((x) => x.toFixed(2)).join(" ")}; ${machine.date}`,
    );
    out(`  runner jar: built ${machine.jarBuilt}${o.build ? "" : " (not rebuilt by the bench)"}`);
    if (failure) out(`  FAILED: ${failure}`);
    if (run) {
        out(`  sent ${run.sent} in ${run.sendSeconds.toFixed(1)} s = ${(run.sent / run.sendSeconds).toFixed(0)}/s (target ${o.rate}/s); exit ${run.exitCode}`);
        if (run.reconciliation)
            out(
                `  reconciliation: ${run.reconciliation.windows} windows, ${run.reconciliation.mismatches.length} mismatches; ${run.reconciliation.accounting.line}`,
            );
    }
    for (const f of fresh?.outputs ?? []) {
        out(
            `  freshness ${f.output.padEnd(22)} events ${String(f.events).padStart(6)}, landed ${String(f.landed).padStart(6)}: p50 ${s(f.perEventMs.p50)}, p95 ${s(f.perEventMs.p95)}, max ${s(f.perEventMs.max)} (min ${s(f.perEventMs.min)})` +
                (f.perWindowAfterLastEventMs
                    ? ` | per window after last event p50 ${s(f.perWindowAfterLastEventMs.p50)} p95 ${s(f.perWindowAfterLastEventMs.p95)} | after watermark could pass p50 ${s(f.perWindowAfterWatermarkMs?.p50)} p95 ${s(f.perWindowAfterWatermarkMs?.p95)}`
                    : ""),
        );
    }
    if (fresh?.lag && Object.keys(fresh.lag).length) {
        const a = fresh.lag.rejectedFirst10sMs as Dist;
        const z = fresh.lag.rejectedLast10sMs as Dist;
        out(`  lag (rejected_events, no window): first 10 s of sending p50 ${s(a.p50)} max ${s(a.max)}; last 10 s p50 ${s(z.p50)} max ${s(z.max)}`);
    }
    if (fresh)
        out(
            `  firehose stand-in: ${fresh.files.files} files, first arrival -> queryable p50 ${s(fresh.files.buffer_to_queryable_p50 as number)}, last arrival -> queryable max ${s(fresh.files.convert_max as number)}`,
        );
    out(
        `  peak RSS (sum of all processes of the run, ${samples.length} samples at 1 s): ${mib(peak.total)} at ${(peak.t / 1000).toFixed(0)} s: ${Object.entries(
            peak.parts,
        )
            .map(([k, v]) => `${k} ${mib(v)}`)
            .join(", ")}`,
    );
    out(`  results: ${path.relative(REPO, outFile)}`);
    return failure ? 1 : (run?.exitCode ?? 1);
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
