/**
 * `npm start`: the whole pipeline on this machine (see docs/LOCAL.md), as a sequence of named steps over
 * a LocalStack (local/stack.ts). Every process is started, tracked by pid and stopped there, also on
 * errors and on Ctrl-C.
 */
import * as fs from "fs";
import * as path from "path";
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { registerLakeViews, runAthenaQueries, QueryResult } from "./athena";
import { BarChart, dashboardHtml, LineChart, toSeries } from "./dashboard";
import { liveModel, LiveOutput } from "./dashboard-model";
import { DashboardServer, startDashboardServer } from "./dashboard-server";
import { glueColumns } from "../lib/sql/glue-schema";
import { operatorMetrics } from "./flink-rest";
import { APP_SITES, ClickstreamGenerator, GeneratedRecord, replayRecords, WEB_SITES } from "./generator";
import { shardsForRate } from "./kinesis";
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
            setUp: (stack) => (live = { lakeDir: stack.lakeDir, outputs: stack.catalog.outputs.map((o) => ({ name: o.name, columns: glueColumns(o) })) }),
            progress: (line) => server.setStatus({ phase: "running", step: line.replace(/^\[\s*\d+ s\]\s+/, "") }),
        });
        keepOpen = opts.dashboard.serve;
        server.setStatus({ phase: "ended", step: result.reconciliation ? verdictLine(result.reconciliation) : `exit ${result.exitCode}`, serving: keepOpen });
        return keepOpen ? { ...result, dashboard: server } : result;
    } finally {
        if (!keepOpen) await server.close();
    }
}

async function runSteps(opts: RunOptions, repo: string, log: (line: string) => void, hooks?: RunHooks): Promise<RunResult> {
    const localDir = path.join(repo, ".local");
    const started = Date.now();
    const progress = (line: string) => (log(line), hooks?.progress(line));
    const step = (n: number, what: string) => progress(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${n}/9 ${what}`);
    const note = (what: string) => progress(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s]     ${what}`);

    // 1. Setup: config, SQL, jar.
    const stack = await LocalStack.setup({
        repo,
        stack: opts.stack,
        localDir,
        keep: opts.keep,
        log: note,
        buildJar: opts.buildJar,
        efo: opts.efo,
        runnerOptions: LOCAL_RUNNER_OPTIONS,
        // Sized for each stream's share of the rate (trafficSources: weight 3 for the first, 1 for the others).
        shards: (_s, i, count) => shardsForRate(opts.events ? (i === 0 ? opts.rate : 1) : Math.ceil((opts.rate * (i === 0 ? 3 : 1)) / (3 + count - 1))),
    });
    const { region, lake, catalog } = stack;
    hooks?.setUp(stack);
    step(
        1,
        `setup: stack ${opts.stack} (${region.region}): ${region.sources.length} source stream(s), ${region.apps.length} app(s); lake region ${lake.region}`,
    );

    const uninstall = installSignalHandlers(stack, log);
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, treeRss([process.pid]))), 1000);
    let sent = 0;
    let sendSeconds = 0;
    const gtFile = path.join(stack.runDir, "ground-truth.jsonl");
    try {
        // 2. Kinesis.
        await stack.startKinesis();
        step(2, `kinesis-local on ${stack.emulator.endpoint} (pid ${stack.emulator.process.child.pid})`);
        for (const s of region.sources) {
            const latest = region.apps.some((a) => a.source === s.name && a.startPosition === "LATEST");
            const from = latest
                ? `; read from TRIM_HORIZON instead of LATEST (local deviation: the ${s.mode === "firehose" ? "folder" : "stream"} is new)`
                : "";
            if (s.mode === "firehose") {
                const dir = path.relative(repo, stack.sourceFirehoses.get(s.streamName)!.dir);
                note(
                    `delivery stream ${s.streamName} (firehose: its stand-in writes ${s.compression} objects, records ${s.recordSeparator === "none" ? "back to back and newline-separated, alternately" : "one per line"}, to ${dir}/; ` +
                        `listed every ${LOCAL_DISCOVERY_INTERVAL} (local deviation; deployed ${s.discoveryIntervalSeconds} s))${from}`,
                );
                continue;
            }
            const shards = stack.streams.find((x) => x.source === s.name)!.shards;
            note(
                `stream ${s.streamName}: ${shards} shards (${s.mode === "attach" ? "attach: simulated by creating it; read with " + (opts.efo ? "EFO" : "POLLING (local deviation)") : "create"})${from}`,
            );
        }

        // 3. Firehose stand-in.
        await stack.startFirehose();
        step(3, `Firehose stand-in on ${stack.firehoseEndpoint}: ${catalog.outputs.length} delivery streams, buffer 1 MiB / 5 s`);

        // 4. Flink.
        const apps = await stack.startApps(await stack.plan());
        for (const a of apps)
            step(
                4,
                `flink app ${a.plan.app.name} (pid ${a.proc.child.pid}, REST 127.0.0.1:${a.restPort}): ${a.plan.streamName} -> ${a.plan.outputs.map((o) => o.name).join(", ")}`,
            );
        note(`all ${apps.length} jobs running`);

        // 5. Traffic.
        fs.writeFileSync(gtFile, "");
        let records: { next(): GeneratedRecord | undefined; total?: number };
        if (opts.events) {
            const all = replayRecords(fs.readFileSync(opts.events, "utf8"), region.sources[0].streamName);
            let i = 0;
            records = { next: () => all[i++], total: all.length };
            step(5, `replaying ${all.length} records from ${opts.events} at ${opts.rate}/s into ${region.sources[0].streamName}`);
        } else {
            const timeScale = opts.timeScale ?? 10;
            const startTimeMs = Math.floor((Date.now() - opts.duration * timeScale * 1000) / 60_000) * 60_000;
            const gen = new ClickstreamGenerator({ seed: opts.seed, rate: opts.rate, timeScale, startTimeMs, sources: trafficSources(stack) });
            records = generated(gen, opts.duration * opts.rate);
            step(
                5,
                `sending ${records.total} events (seed ${opts.seed}) at ${opts.rate}/s for ${opts.duration} s; event time from ${new Date(startTimeMs).toISOString()} at ${timeScale}x`,
            );
        }
        const traffic = new Traffic({ client: stack.emulator.client, groundTruth: gtFile, rate: opts.rate, records, sourceFirehoses: stack.sourceFirehoses });
        const progress = setInterval(() => {
            const t = stack.standIn.totals();
            note(
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
        sent = traffic.sent;
        sendSeconds = (Date.now() - sendStart) / 1000;
        note(`sent ${sent} records in ${sendSeconds.toFixed(1)} s (${(sent / sendSeconds).toFixed(0)}/s); ground truth in ${path.relative(repo, gtFile)}`);

        for (const [name, f] of stack.sourceFirehoses) {
            f.flush();
            const t = f.totals();
            note(`delivery stream ${name}: ${t.records} records in ${t.objects} objects (${t.backToBack} back to back, ${t.newline} newline-separated)`);
        }

        // 6. Stop: once every app has read everything, each stops with a savepoint and drain (every window fires).
        await waitUntilRead(stack, (s) => traffic.perStream.get(s) ?? 0, 120_000);
        await Promise.all(region.apps.map((a) => stack.stopApp(a.name, true)));
        await stack.close();
        const t = stack.standIn.totals();
        step(
            6,
            `every app read all its records and stopped with a savepoint (drain); firehose: received ${t.received}, converted ${t.converted}, failed conversion ${t.failed}, files ${t.files}, error files ${t.errorFiles}`,
        );
    } catch (e) {
        await stack.close();
        clearInterval(sampler);
        uninstall();
        throw e;
    }
    clearInterval(sampler);
    uninstall();

    // 7. Athena over the lake.
    const instance = await DuckDBInstance.create(":memory:");
    const db = await instance.connect();
    await registerLakeViews(
        db,
        stack.lakeDir,
        catalog.outputs.map((o) => o.name),
    );
    const athena = await runAthenaQueries(db, path.join(repo, "sql", "athena"));
    step(
        7,
        `athena: ${athena.length} queries from sql/athena/ run with DuckDB${athena.length ? ": " + athena.map((a) => `${a.name} ${a.error ? "FAILED: " + a.error : a.rows.length + " rows"}`).join("; ") : ""}`,
    );

    // 8. Reconciliation.
    const outputsOf = (app: string) => region.apps.find((a) => a.name === app)!.outputs;
    const rec = await reconcile(db, gtFile, stack.lakeDir, region.region, scopes(stack, outputsOf), { allWindowsClosed: true });
    step(8, "reconciliation of every window against the ground truth, and the accounting of every app:");
    for (const [o, s] of Object.entries(rec.perOutput))
        log(`     ${o.padEnd(24)} ${String(s.compared).padStart(5)} windows compared, ${s.mismatches} mismatches`);
    log(`     late_events              ${String(rec.late).padStart(5)} late events, each a valid unique event of its stream`);
    if (rec.skipped.length) log(`     not reconciled (no independent recomputation in local/reconcile.ts): ${rec.skipped.join(", ")}`);
    for (const a of rec.accounting.apps) log(`     ${a.line}`);
    for (const m of rec.mismatches.slice(0, 10))
        log(`     MISMATCH ${m.output} ${JSON.stringify(m.key)}: expected ${JSON.stringify(m.expected)}, lake ${JSON.stringify(m.actual)}`);

    // 9. Dashboard.
    const html = await buildDashboard(db, stack.lakeDir, athena, rec, opts);
    fs.writeFileSync(path.join(localDir, "dashboard.html"), html);
    step(9, `dashboard: ${path.relative(repo, path.join(localDir, "dashboard.html"))}`);
    db.closeSync();

    log(rec.accounting.line);
    log(verdictLine(rec));
    const exitCode = rec.mismatches.length > 0 || !rec.accounting.ok || rec.windows === 0 ? 1 : 0;
    return { exitCode, reconciliation: rec, sent, sendSeconds, peakRssBytes: peakRss, athena, localDir };
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
