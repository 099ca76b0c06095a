/**
 * `npm start`: the whole pipeline on this machine (see docs/LOCAL.md), as a sequence of named steps over
 * a LocalStack (local/stack.ts). Every process is started, tracked by pid and stopped there, also on
 * errors and on Ctrl-C.
 */
import * as fs from "fs";
import * as path from "path";
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { runAthenaQueries, QueryResult } from "./athena";
import { BarChart, dashboardHtml, LineChart, toSeries } from "./dashboard";
import { liveModel, LiveOutput, registerLiveViews } from "./dashboard-model";
import { DashboardServer, startDashboardServer } from "./dashboard-server";
import { glueColumns } from "../lib/sql/glue-schema";
import { lakeOutputs as catalogLakeOutputs } from "../lib/sql/catalog";
import { operatorMetrics } from "./flink-rest";
import { APP_SITES, ClickstreamGenerator, GeneratedRecord, replayRecords, WEB_SITES } from "./generator";
import { ArrivedRecord, readStream, shardsForRate } from "./kinesis";
import { kaInputColumns, mergeKa, reconcileKa } from "./ka-reconcile";
import { delay, treeRss } from "./processes";
import { AppScope, reconcile, ReconciliationResult, verdictLine } from "./reconcile";
import { LOCAL_DISCOVERY_INTERVAL, PROJECT } from "./runner";
import { LocalStack } from "./stack";
import { generated, Traffic } from "./traffic";

export interface RunOptions {
    stack: string;
    duration: number;
    rate: number;
    seed: number;
    events?: string;
    keep: boolean;
    /** Simulated event-time seconds per wall second (generator only). Default 10. */
    timeScale?: number;
    repo?: string;
    log?: (line: string) => void;
    /** Use EFO for attached streams against the emulator (experimental; see docs/LOCAL.md). */
    efo?: boolean;
    /** False: never build the runner jar, run the one in runner/target as it is (local/bench.ts). Default true. */
    buildJar?: boolean;
    /**
     * Serve the live dashboard on 127.0.0.1 during the run (local/dashboard-server.ts): `port` 0 for a free
     * one. With `serve`, it stays open after the run (RunResult.dashboard; the caller closes it).
     */
    dashboard?: { port: number; serve: boolean };
}

export interface RunResult {
    exitCode: number;
    reconciliation?: ReconciliationResult;
    sent: number;
    sendSeconds: number;
    peakRssBytes: number;
    athena: QueryResult[];
    localDir: string;
    /** The live dashboard, still serving (only with `dashboard.serve`). */
    dashboard?: DashboardServer;
}

/** What the run tells the live dashboard: its outputs once set up, and each progress line. */
interface RunHooks {
    setUp(stack: LocalStack): void;
    progress(line: string): void;
}

const REPO = path.resolve(__dirname, "..");

/**
 * The `runner` options of local runs (docs/LOCAL.md, "Deviations"): one subtask per app (the apps share
 * 2 cores), a checkpoint every 10 s, and shards idle after 10 s without records instead of 1 min (the
 * runs last a minute).
 */
export const LOCAL_RUNNER_OPTIONS = { "local.parallelism": "1", "local.checkpoint.interval.ms": "10000", "source.idle-timeout": "10 s" };

/** The generator's sources: the first stream gets 3/4 of the traffic and the web sites; the others the app sites, with offline devices. */
/**
 * The generated traffic of each source: the first carries the web sites' events (weight 3); a
 * Firehose-fed source carries web sites' events too (a web shop's checkout service; written back to
 * back, its malformed records are whole JSON objects); every other source carries the apps' events,
 * 1% of them from offline devices (late).
 */
export function trafficSources(stack: LocalStack): { name: string; sites: typeof WEB_SITES; weight: number; lateRate: number; wholeJsonOnly: boolean }[] {
    return stack.region.sources.map((s, i) => ({
        name: s.streamName,
        sites: i === 0 || s.mode === "firehose" ? WEB_SITES : APP_SITES,
        weight: i === 0 ? 3 : 1,
        lateRate: i === 0 || s.mode === "firehose" ? 0 : 0.01,
        wholeJsonOnly: s.mode === "firehose" && s.recordSeparator === "none",
    }));
}

/** Cleans up on Ctrl-C / SIGTERM: the handler stops every child by pid, then exits 130/143. */
export function installSignalHandlers(stack: LocalStack, log: (l: string) => void): () => void {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) return;
        stopping = true;
        log(`\n${signal}: stopping every process of this run ...`);
        stack.group.stopAll(4000).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
    };
    const onExit = () => stack.group.killAllSync();
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    process.on("exit", onExit);
    return () => {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        process.off("exit", onExit);
    };
}

/** Waits until every app has read every record sent to its stream (its checkpointed `read` counter). */
export async function waitUntilRead(stack: LocalStack, sent: (stream: string) => number, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (const [name, app] of stack.apps) {
        for (;;) {
            const read = (await operatorMetrics(app.restPort, ["read"]).catch(() => ({ read: -1 }))).read;
            if (read >= sent(app.plan.streamName)) break;
            if (Date.now() > until) throw new Error(`app ${name} read ${read} of ${sent(app.plan.streamName)} records within ${timeoutMs / 1000} s`);
            await delay(1000);
        }
    }
}

/** The reconciliation scope of every app: its stream, its outputs and the runner's own totals. */
export function scopes(stack: LocalStack, outputs: (app: string) => string[]): AppScope[] {
    return stack.region.apps.map((a) => ({
        app: a.name,
        stream: a.streamName,
        outputs: outputs(a.name),
        counts: stack.counts(a.name),
    }));
}

/**
 * Runs the pipeline. With `opts.dashboard`, the live dashboard serves first (its URL is the first line),
 * queries the lake whenever a page asks, and closes when the run ends (or stays open with `serve`).
 */
export async function runPipeline(opts: RunOptions): Promise<RunResult> {
    const repo = opts.repo ?? REPO;
    const log = opts.log ?? ((l: string) => process.stdout.write(l + "\n"));
    if (!opts.dashboard) return runSteps(opts, repo, log);
    let live: { lakeDir: string; outputs: LiveOutput[] } | undefined;
    const server = await startDashboardServer({
        port: opts.dashboard.port,
        title: `${PROJECT} — local run (stack ${opts.stack}, seed ${opts.seed})`,
        model: async () => (live ? liveModel({ ...live, athenaDir: path.join(repo, "sql", "athena") }) : null),
    });
    log(`dashboard: ${server.url} (live)`);
    let keepOpen = false;
    try {
        const result = await runSteps(opts, repo, log, {
            setUp: (stack) => (live = { lakeDir: stack.lakeDir, outputs: lakeOutputs(stack) }),
            progress: (line) => server.setStatus({ phase: "running", step: line.replace(/^\[\s*\d+ s\]\s+/, "") }),
        });
        keepOpen = opts.dashboard.serve;
        server.setStatus({ phase: "ended", step: result.reconciliation ? verdictLine(result.reconciliation) : `exit ${result.exitCode}`, serving: keepOpen });
        return keepOpen ? { ...result, dashboard: server } : result;
    } finally {
        if (!keepOpen) await server.close();
    }
}

/** What every step of one run shares: its options, where it writes, and how it reports. */
interface Run {
    opts: RunOptions;
    repo: string;
    localDir: string;
    log: (line: string) => void;
    /** `[ 12 s] n/9 what`: a step's headline. */
    step: (n: number, what: string) => void;
    /** `[ 12 s]     what`: a detail line. */
    note: (what: string) => void;
}

/** What step 5 sent. */
interface Sent {
    traffic: Traffic;
    gtFile: string;
    seconds: number;
}

/** Steps 1 to 9, in order (docs/LOCAL.md); the verdict is printed once, at the end. */
async function runSteps(opts: RunOptions, repo: string, log: (line: string) => void, hooks?: RunHooks): Promise<RunResult> {
    const started = Date.now();
    const progress = (line: string) => (log(line), hooks?.progress(line));
    const at = () => `[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s]`;
    const run: Run = {
        opts,
        repo,
        localDir: path.join(repo, ".local"),
        log,
        step: (n, what) => progress(`${at()} ${n}/9 ${what}`),
        note: (what) => progress(`${at()}     ${what}`),
    };

    const stack = await setUp(run);
    hooks?.setUp(stack);
    const uninstall = installSignalHandlers(stack, log);
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, treeRss([process.pid]))), 1000);
    let sent: Sent;
    let arrivals: Map<string, ArrivedRecord[]>;
    try {
        await startKinesis(run, stack);
        await startFirehose(run, stack);
        await startFlink(run, stack);
        sent = await sendTraffic(run, stack);
        arrivals = await stopWithDrain(run, stack, sent);
    } catch (e) {
        await stack.close();
        throw e;
    } finally {
        clearInterval(sampler);
        uninstall();
    }

    const db = await (await DuckDBInstance.create(":memory:")).connect();
    const athena = await queryLake(run, stack, db);
    const rec = await reconcileRun(run, stack, db, sent, arrivals);
    await writeDashboard(run, stack, db, athena, rec);
    db.closeSync();

    log(rec.accounting.line);
    log(verdictLine(rec));
    const exitCode = rec.mismatches.length > 0 || !rec.accounting.ok || rec.windows === 0 ? 1 : 0;
    return { exitCode, reconciliation: rec, sent: sent.traffic.sent, sendSeconds: sent.seconds, peakRssBytes: peakRss, athena, localDir: run.localDir };
}

/** 1. Setup: the stack's config, the SQL, and the runner jar (built when stale). */
async function setUp(run: Run): Promise<LocalStack> {
    const { opts } = run;
    const stack = await LocalStack.setup({
        repo: run.repo,
        stack: opts.stack,
        localDir: run.localDir,
        keep: opts.keep,
        log: run.note,
        buildJar: opts.buildJar,
        efo: opts.efo,
        runnerOptions: LOCAL_RUNNER_OPTIONS,
        // Sized for each stream's share of the rate (trafficSources: weight 3 for the first, 1 for the others).
        shards: (_s, i, count) => shardsForRate(opts.events ? (i === 0 ? opts.rate : 1) : Math.ceil((opts.rate * (i === 0 ? 3 : 1)) / (3 + count - 1))),
    });
    const { region, lake } = stack;
    run.step(
        1,
        `setup: stack ${opts.stack} (${region.region}): ${region.sources.length} source stream(s), ${region.apps.length} app(s); lake region ${lake.region}`,
    );
    return stack;
}

/** 2. The Kinesis emulator with every stream, and a stand-in for each producer's own Firehose. */
async function startKinesis(run: Run, stack: LocalStack): Promise<void> {
    const { region } = stack;
    await stack.startKinesis();
    run.step(2, `kinesis-local on ${stack.emulator.endpoint} (pid ${stack.emulator.process.child.pid})`);
    for (const s of region.sources) {
        const latest = region.apps.some((a) => a.source === s.name && a.startPosition === "LATEST");
        const from = latest ? `; read from TRIM_HORIZON instead of LATEST (local deviation: the ${s.mode === "firehose" ? "folder" : "stream"} is new)` : "";
        if (s.mode === "firehose") {
            const dir = path.relative(run.repo, stack.sourceFirehoses.get(s.streamName)!.dir);
            run.note(
                `delivery stream ${s.streamName} (firehose: its stand-in writes ${s.compression} objects, records ${s.recordSeparator === "none" ? "back to back and newline-separated, alternately" : "one per line"}, to ${dir}/; ` +
                    `listed every ${LOCAL_DISCOVERY_INTERVAL} (local deviation; deployed ${s.discoveryIntervalSeconds} s))${from}`,
            );
            continue;
        }
        const shards = stack.streams.find((x) => x.source === s.name)!.shards;
        run.note(
            `stream ${s.streamName}: ${shards} shards (${s.mode === "attach" ? "attach: simulated by creating it; read with " + (run.opts.efo ? "EFO" : "POLLING (local deviation)") : "create"})${from}`,
        );
    }
}

/** 3. The lake's Firehose stand-in: one delivery stream per output. */
async function startFirehose(run: Run, stack: LocalStack): Promise<void> {
    await stack.startFirehose();
    run.step(3, `Firehose stand-in on ${stack.firehoseEndpoint}: ${lakeOutputCount(stack)} delivery streams (one per lake output), buffer 1 MiB / 5 s`);
}

/** 4. One runner JVM per app, each with the runtime properties a deployment would send. */
async function startFlink(run: Run, stack: LocalStack): Promise<void> {
    const apps = await stack.startApps(await stack.plan());
    for (const a of apps)
        run.step(
            4,
            `flink app ${a.plan.app.name} (pid ${a.proc.child.pid}, REST 127.0.0.1:${a.restPort}): ${a.plan.streamName} -> ${a.plan.outputs.map((o) => o.name).join(", ")}`,
        );
    run.note(`all ${apps.length} jobs running`);
}

/** 5. The traffic, generated or replayed, with its ground truth; the producers' Firehoses deliver what they still buffer. */
async function sendTraffic(run: Run, stack: LocalStack): Promise<Sent> {
    const { opts } = run;
    const gtFile = path.join(stack.runDir, "ground-truth.jsonl");
    fs.writeFileSync(gtFile, "");
    let records: { next(): GeneratedRecord | undefined; total?: number };
    if (opts.events) {
        const first = stack.region.sources[0].streamName;
        const all = replayRecords(fs.readFileSync(opts.events, "utf8"), first);
        let i = 0;
        records = { next: () => all[i++], total: all.length };
        run.step(5, `replaying ${all.length} records from ${opts.events} at ${opts.rate}/s into ${first}`);
    } else {
        const timeScale = opts.timeScale ?? 10;
        const startTimeMs = Math.floor((Date.now() - opts.duration * timeScale * 1000) / 60_000) * 60_000;
        const gen = new ClickstreamGenerator({ seed: opts.seed, rate: opts.rate, timeScale, startTimeMs, sources: trafficSources(stack) });
        records = generated(gen, opts.duration * opts.rate);
        run.step(
            5,
            `sending ${records.total} events (seed ${opts.seed}) at ${opts.rate}/s for ${opts.duration} s; event time from ${new Date(startTimeMs).toISOString()} at ${timeScale}x`,
        );
    }
    const traffic = new Traffic({ client: stack.emulator.client, groundTruth: gtFile, rate: opts.rate, records, sourceFirehoses: stack.sourceFirehoses });
    const progress = setInterval(() => {
        const t = stack.standIn.totals();
        run.note(
            `sent ${traffic.sent}/${records.total ?? "?"} | firehose received ${t.received}, converted ${t.converted}, failed ${t.failed} | files ${t.files} | rss ${(treeRss([process.pid]) / 2 ** 20).toFixed(0)} MiB`,
        );
    }, 5000);
    const sendStart = Date.now();
    try {
        await traffic.start();
    } finally {
        clearInterval(progress);
        traffic.close();
    }
    const seconds = (Date.now() - sendStart) / 1000;
    run.note(
        `sent ${traffic.sent} records in ${seconds.toFixed(1)} s (${(traffic.sent / seconds).toFixed(0)}/s); ground truth in ${path.relative(run.repo, gtFile)}`,
    );
    for (const [name, f] of stack.sourceFirehoses) {
        f.flush();
        const t = f.totals();
        run.note(`delivery stream ${name}: ${t.records} records in ${t.objects} objects (${t.backToBack} back to back, ${t.newline} newline-separated)`);
    }
    return { traffic, gtFile, seconds };
}

/**
 * 6. Once every app has read everything, each stops with a savepoint and drain (every window fires). The
 * streams of KA apps are read back before the emulator stops: their records' arrival times are KA's ROWTIME.
 */
async function stopWithDrain(run: Run, stack: LocalStack, sent: Sent): Promise<Map<string, ArrivedRecord[]>> {
    await waitUntilRead(stack, (s) => sent.traffic.perStream.get(s) ?? 0, 120_000);
    await Promise.all(stack.region.apps.map((a) => stack.stopApp(a.name, true)));
    const arrivals = new Map<string, ArrivedRecord[]>();
    for (const a of stack.region.apps.filter((x) => x.ka !== undefined && !arrivals.has(x.streamName)))
        arrivals.set(a.streamName, await readStream(stack.emulator.client, a.streamName));
    for (const [stream, records] of arrivals) run.note(`read back ${records.length} records of ${stream} with their arrival times (for its KA apps)`);
    await stack.close();
    const t = stack.standIn.totals();
    run.step(
        6,
        `every app read all its records and stopped with a savepoint (drain); firehose: received ${t.received}, converted ${t.converted}, failed conversion ${t.failed}, files ${t.files}, error files ${t.errorFiles}`,
    );
    return arrivals;
}

/** 7. Every sql/athena/ query, unchanged, with DuckDB over the lake (an output without files is an empty view). */
async function queryLake(run: Run, stack: LocalStack, db: DuckDBConnection): Promise<QueryResult[]> {
    await registerLiveViews(db, stack.lakeDir, lakeOutputs(stack));
    const athena = await runAthenaQueries(db, path.join(run.repo, "sql", "athena"));
    run.step(
        7,
        `athena: ${athena.length} queries from sql/athena/ run with DuckDB${athena.length ? ": " + athena.map((a) => `${a.name} ${a.error ? "FAILED: " + a.error : a.rows.length + " rows"}`).join("; ") : ""}`,
    );
    return athena;
}

/**
 * 8. Every window against the ground truth, and the accounting of every app; a KA app's windows against
 * its records as read back from the stream, by arrival time (local/ka-reconcile.ts).
 */
async function reconcileRun(
    run: Run,
    stack: LocalStack,
    db: DuckDBConnection,
    sent: Sent,
    arrivals: Map<string, ArrivedRecord[]>,
): Promise<ReconciliationResult> {
    const { region } = stack;
    const outputsOf = (app: string) => region.apps.find((a) => a.name === app)!.outputs;
    const isKa = (app: string) => region.apps.find((a) => a.name === app)!.ka !== undefined;
    const all = scopes(stack, outputsOf);
    const rec = await reconcile(
        db,
        sent.gtFile,
        stack.lakeDir,
        region.region,
        all.filter((s) => !isKa(s.app)),
        { allWindowsClosed: true },
    );
    for (const app of region.apps.filter((a) => a.ka !== undefined)) {
        const file = path.join("sql", "ka", app.ka!, "application.json");
        const ka = await reconcileKa(db, stack.lakeDir, region.region, {
            app: app.name,
            ka: app.ka!,
            stream: app.streamName,
            outputs: app.outputs,
            columns: kaInputColumns(fs.readFileSync(path.join(run.repo, file), "utf8"), file),
            records: arrivals.get(app.streamName) ?? [],
            sent: sent.traffic.perStream.get(app.streamName) ?? 0,
            counts: stack.counts(app.name),
        });
        mergeKa(rec, ka);
    }
    run.step(8, "reconciliation of every window against the ground truth, and the accounting of every app:");
    const { log } = run;
    for (const [o, s] of Object.entries(rec.perOutput))
        log(`     ${o.padEnd(24)} ${String(s.compared).padStart(5)} windows compared, ${s.mismatches} mismatches`);
    log(`     late_events              ${String(rec.late).padStart(5)} late events, each a valid unique event of its stream`);
    if (rec.skipped.length) log(`     not reconciled (no independent recomputation in local/reconcile.ts): ${rec.skipped.join(", ")}`);
    for (const a of rec.accounting.apps) log(`     ${a.line}`);
    for (const m of rec.mismatches.slice(0, 10))
        log(`     MISMATCH ${m.output} ${JSON.stringify(m.key)}: expected ${JSON.stringify(m.expected)}, lake ${JSON.stringify(m.actual)}`);
    return rec;
}

/** 9. The static `.local/dashboard.html`. */
async function writeDashboard(run: Run, stack: LocalStack, db: DuckDBConnection, athena: QueryResult[], rec: ReconciliationResult): Promise<void> {
    const file = path.join(run.localDir, "dashboard.html");
    fs.writeFileSync(file, await buildDashboard(db, stack.lakeDir, athena, rec, run.opts));
    run.step(9, `dashboard: ${path.relative(run.repo, file)}`);
}

/** Delivery streams of the Firehose stand-in: one per lake output, KA applications' included. */
function lakeOutputCount(stack: LocalStack): number {
    return catalogLakeOutputs(stack.catalog).length;
}

/** The stack's outputs with their Glue columns: what the lake views are made of. */
function lakeOutputs(stack: LocalStack): LiveOutput[] {
    return stack.catalog.outputs.map((o) => ({ name: o.name, columns: glueColumns(o) }));
}

async function buildDashboard(db: DuckDBConnection, lakeDir: string, athena: QueryResult[], rec: ReconciliationResult, opts: RunOptions): Promise<string> {
    const rows = async (sql: string) => (await db.runAndReadAll(sql).catch(() => null))?.getRowObjectsJson() ?? [];
    const has = (o: string) => fs.existsSync(path.join(lakeDir, o));
    // The final row per window key, as the Athena queries take it.
    const final = (o: string, keys: string) => `(SELECT * FROM ${o} QUALIFY ROW_NUMBER() OVER (PARTITION BY ${keys} ORDER BY filename DESC) = 1)`;
    const src = (o: string) => `read_parquet('${lakeDir}/${o}/**/*.parquet', hive_partitioning = true, filename = true)`;
    const series = async (o: string, value: string, by: string, keys: string) =>
        has(o)
            ? toSeries(
                  (
                      await rows(
                          `WITH ${o} AS (SELECT * FROM ${src(o)}) SELECT epoch_ms(window_start) AS ws, ${by} AS key, SUM(${value}) AS value FROM ${final(o, keys)} GROUP BY ALL ORDER BY 1`,
                      )
                  ).map((r) => ({
                      ws: Number(r.ws),
                      key: String(r.key),
                      value: Number(r.value),
                  })),
              )
            : [];
    const lines: LineChart[] = [
        {
            id: "active-users-by-site",
            title: "Active users per minute by site",
            series: await series("active_users_1m", "active_users", "site", "window_start, site, country, region"),
        },
        {
            id: "active-users-by-country",
            title: "Active users per minute by country",
            series: await series("active_users_1m", "active_users", "country", "window_start, site, country, region"),
        },
        {
            id: "clicks-by-site",
            title: "Clicks per minute by site",
            series: await series("clicks_1m", "clicks", "site", "window_start, site, country, page_type, region"),
        },
        {
            id: "clicks-by-country",
            title: "Clicks per minute by country",
            series: await series("clicks_1m", "clicks", "country", "window_start, site, country, page_type, region"),
        },
    ];
    const bars: BarChart[] = [
        {
            id: "rejected-by-reason",
            title: "Rejected events by reason",
            bars: has("rejected_events")
                ? (await rows(`SELECT reason, COUNT(*) AS n FROM ${src("rejected_events")} GROUP BY 1 ORDER BY 2 DESC, 1`)).map((r) => ({
                      label: String(r.reason),
                      value: Number(r.n),
                  }))
                : [],
        },
    ];
    return dashboardHtml({
        title: `${PROJECT} — local run (stack ${opts.stack}, seed ${opts.seed})`,
        generatedAt: new Date().toISOString(),
        summary: [verdictLine(rec), rec.accounting.line, ...rec.accounting.apps.map((a) => a.line)],
        lines,
        bars,
        tables: athena.map((a) => ({ name: `${a.name} (${a.rows.length} rows, ${a.ms} ms)`, columns: a.columns, rows: a.rows, error: a.error })),
    });
}
