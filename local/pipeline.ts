/**
 * `npm start`: the whole pipeline on this machine (see docs/LOCAL.md). Every process is started here,
 * tracked by pid and stopped here, also on errors and on Ctrl-C.
 */
import * as fs from "fs";
import * as path from "path";
import { DuckDBInstance } from "@duckdb/node-api";
import { outputNamesOf, parseLakeConfig, parseRegionConfig, readStackFile, RegionConfig } from "../lib/config";
import { firehoseName } from "../lib/naming";
import { loadSqlCatalog } from "../lib/sql/catalog";
import { glueColumns } from "../lib/sql/glue-schema";
import { registerLakeViews, runAthenaQueries, QueryResult } from "./athena";
import { classifyPayload } from "./classify";
import { BarChart, dashboardHtml, LineChart, toSeries } from "./dashboard";
import { FirehoseStandIn } from "./firehose";
import { APP_SITES, ClickstreamGenerator, GeneratedRecord, replayRecords, WEB_SITES } from "./generator";
import { createStream, putBatch, registerConsumer, shardsForRate, startEmulator } from "./kinesis";
import { delay, ProcessGroup, treeRss } from "./processes";
import { reconcile, ReconciliationResult, verdictLine } from "./reconcile";
import { buildJar, jarStaleReason, planApps, PROJECT, startApp } from "./runner";

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
}

export interface RunResult {
    exitCode: number;
    reconciliation?: ReconciliationResult;
    sent: number;
    sendSeconds: number;
    peakRssBytes: number;
    athena: QueryResult[];
    localDir: string;
}

const REPO = path.resolve(__dirname, "..");

/** Cleans up on Ctrl-C / SIGTERM: the handler stops every child by pid, then exits 130/143. */
function installSignalHandlers(group: ProcessGroup, log: (l: string) => void): () => void {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
        if (stopping) return;
        stopping = true;
        log(`\n${signal}: stopping every process of this run ...`);
        group.stopAll(4000).finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
    };
    const onExit = () => group.killAllSync();
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    process.on("exit", onExit);
    return () => {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        process.off("exit", onExit);
    };
}

async function waitForJob(logFile: string, alive: () => boolean, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
        const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "";
        if (text.includes("job submitted")) return;
        if (!alive()) throw new Error(`the Flink app exited before its job started; see ${logFile}:\n${text.split("\n").filter((l) => /startup failed|Exception|Error/.test(l)).slice(0, 8).join("\n")}`);
        await delay(500);
    }
    throw new Error(`the Flink app did not start its job within ${timeoutMs / 1000} s; see ${logFile}`);
}

export async function runPipeline(opts: RunOptions): Promise<RunResult> {
    const repo = opts.repo ?? REPO;
    const log = opts.log ?? ((l: string) => process.stdout.write(l + "\n"));
    const localDir = path.join(repo, ".local");
    const runDir = path.join(localDir, "run");
    const lakeDir = path.join(localDir, "lake");
    if (!opts.keep) {
        fs.rmSync(runDir, { recursive: true, force: true });
        fs.rmSync(lakeDir, { recursive: true, force: true });
    }
    fs.mkdirSync(runDir, { recursive: true });
    fs.mkdirSync(lakeDir, { recursive: true });
    const started = Date.now();
    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s`;

    // 1. Setup: config, SQL, jar.
    const catalog = loadSqlCatalog(path.join(repo, "sql"), repo);
    const stackFile = path.join(repo, `Pulumi.${opts.stack}.yaml`);
    if (!fs.existsSync(stackFile)) throw new Error(`--stack: no ${path.basename(stackFile)} in ${repo}`);
    const region: RegionConfig = parseRegionConfig(readStackFile(stackFile), ...outputNamesOf(catalog.outputs));
    const lake = parseLakeConfig(readStackFile(path.join(repo, "Pulumi.lake.yaml")));
    log(`[${elapsed()}] 1/8 setup: stack ${opts.stack} (${region.region}): ${region.sources.length} source stream(s), ${region.apps.length} app(s); lake region ${lake.region}`);
    const stale = jarStaleReason(repo);
    if (stale && opts.buildJar === false) {
        if (!fs.existsSync(path.join(repo, "runner", "target", "clickstream-runner.jar"))) throw new Error(`${stale}, and building it is turned off`);
        log(`[${elapsed()}]     ${stale}: NOT rebuilding it (building is turned off); running the jar as it is`);
    } else if (stale) {
        log(`[${elapsed()}]     ${stale}: building it`);
        await buildJar(repo, log);
    } else log(`[${elapsed()}]     runner jar is up to date`);

    const group = new ProcessGroup();
    const uninstall = installSignalHandlers(group, log);
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, treeRss([process.pid]))), 1000);
    const standIn = new FirehoseStandIn({
        lakeDir,
        manifestFile: path.join(runDir, "lake-files.jsonl"),
        database: lake.glueDatabase,
        streams: catalog.outputs.map((o) => ({ name: firehoseName(PROJECT, o.name), output: o.name, columns: glueColumns(o) })),
    });
    let sent = 0;
    let sendSeconds = 0;
    try {
        // 2. Kinesis.
        const emulator = await startEmulator(group, region.region, path.join(runDir, "kinesis-local.log"));
        log(`[${elapsed()}] 2/8 kinesis-local on ${emulator.endpoint} (pid ${emulator.process.child.pid})`);
        const consumerArns: Record<string, string> = {};
        // The generator puts 3/4 of the traffic on the first source and splits the rest (see below).
        const weights = region.sources.map((_, i) => (i === 0 ? 3 : 1));
        const weightSum = weights.reduce((a, b) => a + b, 0);
        for (const [i, s] of region.sources.entries()) {
            const shardsPerStream = shardsForRate(Math.ceil((opts.rate * (opts.events ? (i === 0 ? 1 : 0) : weights[i])) / (opts.events ? 1 : weightSum)));
            const arn = await createStream(emulator.client, s.streamName, shardsPerStream);
            if (s.mode === "attach" && opts.efo) consumerArns[s.streamName] = await registerConsumer(emulator.client, arn, `${PROJECT}-local`);
            log(`[${elapsed()}]     stream ${s.streamName}: ${shardsPerStream} shards (${s.mode === "attach" ? "attach: simulated by creating it; read with " + (opts.efo ? "EFO" : "POLLING (local deviation)") : "create"})`);
        }

        // 5 (started first so the sinks have somewhere to write). Firehose stand-in.
        const firehoseEndpoint = await standIn.start();
        log(`[${elapsed()}] 5/8 Firehose stand-in on ${firehoseEndpoint}: ${catalog.outputs.length} delivery streams, buffer 1 MiB / 5 s`);

        // 4. Flink.
        const plans = planApps(region, catalog, {
            kinesis: emulator.endpoint,
            firehose: firehoseEndpoint,
            lakeRegion: lake.region,
            consumerArns,
            runnerOptions: { "local.parallelism": "1", "local.checkpoint.interval.ms": "10000" },
        });
        const apps = plans.map((p) => ({ plan: p, proc: startApp(group, repo, runDir, p) }));
        for (const a of apps) log(`[${elapsed()}] 4/8 flink app ${a.plan.app.name} (pid ${a.proc.child.pid}): ${a.plan.streamName} -> ${a.plan.outputs.map((o) => o.name).join(", ")}`);
        await Promise.all(apps.map((a) => waitForJob(path.join(runDir, `${a.plan.app.name}.log`), () => a.proc.child.exitCode === null, 180_000)));
        log(`[${elapsed()}]     all ${apps.length} jobs running`);

        // 3. Traffic.
        const gtFile = path.join(runDir, "ground-truth.jsonl");
        const gt = fs.openSync(gtFile, "w");
        const sourceStreams = region.sources.map((s, i) => ({ name: s.streamName, sites: i === 0 ? WEB_SITES : APP_SITES, weight: weights[i] }));
        const timeScale = opts.timeScale ?? 10;
        const sendStart = Date.now();
        let records: { next(): GeneratedRecord | undefined; total?: number };
        if (opts.events) {
            const list = replayRecords(fs.readFileSync(opts.events, "utf8"), region.sources[0].streamName);
            let i = 0;
            records = { next: () => list[i++], total: list.length };
            log(`[${elapsed()}] 3/8 replaying ${list.length} records from ${opts.events} at ${opts.rate}/s into ${region.sources[0].streamName}`);
        } else {
            const startTimeMs = Math.floor((sendStart - opts.duration * timeScale * 1000) / 60_000) * 60_000;
            const gen = new ClickstreamGenerator({ seed: opts.seed, rate: opts.rate, timeScale, startTimeMs, sources: sourceStreams });
            const total = opts.duration * opts.rate;
            let n = 0;
            records = { next: () => (n++ < total ? gen.next() : undefined), total };
            log(`[${elapsed()}] 3/8 sending ${total} events (seed ${opts.seed}) at ${opts.rate}/s for ${opts.duration} s; event time from ${new Date(startTimeMs).toISOString()} at ${timeScale}x`);
        }
        const progress = setInterval(() => {
            const t = standIn.totals();
            log(`[${elapsed()}]     sent ${sent}/${records.total ?? "?"} | firehose received ${t.received}, converted ${t.converted}, failed ${t.failed} | files ${t.files} | rss ${(treeRss([process.pid]) / 2 ** 20).toFixed(0)} MiB`);
        }, 5000);
        try {
            let done = false;
            while (!done) {
                const due = Math.floor(((Date.now() - sendStart) / 1000) * opts.rate) - sent;
                const batch: GeneratedRecord[] = [];
                for (let i = 0; i < Math.min(due, 500); i++) {
                    const r = records.next();
                    if (!r) {
                        done = true;
                        break;
                    }
                    batch.push(r);
                }
                const byStream = new Map<string, GeneratedRecord[]>();
                for (const r of batch) {
                    if (!byStream.has(r.source)) byStream.set(r.source, []);
                    byStream.get(r.source)!.push(r);
                }
                await Promise.all(
                    [...byStream.entries()].map(async ([stream, list]) => {
                        for (let i = 0; i < list.length; i += 500) {
                            const chunk = list.slice(i, i + 500);
                            const res = await putBatch(emulator.client, stream, chunk.map((r) => ({ stream, partitionKey: r.partitionKey, data: r.data })));
                            const lines = chunk.map((r, k) => {
                                const c = classifyPayload(r.data, res[k].sentMs);
                                return JSON.stringify({
                                    seq: r.seq, stream, shard: res[k].shardId, sent_ms: res[k].sentMs, partition_key: r.partitionKey,
                                    kind: r.label.kind, malformed: r.label.malformed, missing_field: r.label.missingField, duplicate_of: r.label.duplicateOf,
                                    lateness_ms: r.label.latenessMs, reason: c.reason, ...(c.event ?? {}), data: r.data,
                                });
                            });
                            fs.writeSync(gt, lines.join("\n") + "\n");
                        }
                    }),
                );
                sent += batch.length;
                if (!done) await delay(100);
            }
        } finally {
            clearInterval(progress);
            fs.closeSync(gt);
        }
        sendSeconds = (Date.now() - sendStart) / 1000;
        log(`[${elapsed()}]     sent ${sent} records in ${sendSeconds.toFixed(1)} s (${(sent / sendSeconds).toFixed(0)}/s); ground truth in ${path.relative(repo, gtFile)}`);

        // Wait for the last closed windows: Flink's sink flushes within 5 s, the stand-in within 5 s.
        let last = standIn.totals().received;
        let quietSince = Date.now();
        const waitUntil = Date.now() + 90_000;
        while (Date.now() < waitUntil && Date.now() - quietSince < 15_000) {
            await delay(1000);
            const now = standIn.totals().received;
            if (now !== last) {
                last = now;
                quietSince = Date.now();
            }
        }
        log(`[${elapsed()}]     outputs quiet for 15 s: stopping the Flink apps and kinesis-local`);
        await Promise.all(apps.map((a) => group.stop(a.proc, 5000)));
        await standIn.stop();
        await group.stopAll(5000);
    } catch (e) {
        await group.stopAll(3000);
        await standIn.stop().catch(() => undefined);
        clearInterval(sampler);
        uninstall();
        throw e;
    }
    clearInterval(sampler);
    uninstall();
    const t = standIn.totals();
    log(`[${elapsed()}]     firehose: received ${t.received}, converted ${t.converted}, failed conversion ${t.failed}, files ${t.files}, error files ${t.errorFiles}`);

    // 6. Athena over the lake.
    const instance = await DuckDBInstance.create(":memory:");
    const db = await instance.connect();
    await registerLakeViews(db, lakeDir, catalog.outputs.map((o) => o.name));
    const athena = await runAthenaQueries(db, path.join(repo, "sql", "athena"));
    log(`[${elapsed()}] 6/8 athena: ${athena.length} queries from sql/athena/ run with DuckDB${athena.length ? ": " + athena.map((a) => `${a.name} ${a.error ? "FAILED: " + a.error : a.rows.length + " rows"}`).join("; ") : ""}`);

    // 8. Reconciliation.
    const scopes = region.apps.map((a) => ({ app: a.name, stream: region.sources.find((s) => s.name === a.source)!.streamName, outputs: planAppsOutputs(region, a.name, catalog.outputs.map((o) => o.name)) }));
    const rec = await reconcile(db, path.join(runDir, "ground-truth.jsonl"), lakeDir, region.region, scopes);

    // 7. Dashboard.
    const html = await buildDashboard(db, lakeDir, athena, rec, opts);
    fs.writeFileSync(path.join(localDir, "dashboard.html"), html);
    log(`[${elapsed()}] 7/8 dashboard: ${path.relative(repo, path.join(localDir, "dashboard.html"))}`);
    for (const [o, s] of Object.entries(rec.perOutput)) log(`     ${o.padEnd(24)} ${String(s.compared).padStart(5)} windows compared, ${s.mismatches} mismatches`);
    if (rec.skipped.length) log(`     not reconciled (no independent recomputation in local/reconcile.ts): ${rec.skipped.join(", ")}`);
    log(`     ${rec.accounting.line}`);
    for (const m of rec.mismatches.slice(0, 10)) log(`     MISMATCH ${m.output} ${JSON.stringify(m.key)}: expected ${JSON.stringify(m.expected)}, lake ${JSON.stringify(m.actual)}`);
    log(`[${elapsed()}] 8/8 ${verdictLine(rec)}`);
    log(verdictLine(rec));
    db.closeSync();
    const exitCode = rec.mismatches.length > 0 || !rec.accounting.ok || rec.windows === 0 ? 1 : 0;
    return { exitCode, reconciliation: rec, sent, sendSeconds, peakRssBytes: peakRss, athena, localDir };
}

function planAppsOutputs(region: RegionConfig, app: string, all: string[]): string[] {
    const a = region.apps.find((x) => x.name === app)!;
    return a.outputs === "all" ? all : a.outputs;
}

async function buildDashboard(
    db: import("@duckdb/node-api").DuckDBConnection,
    lakeDir: string,
    athena: QueryResult[],
    rec: ReconciliationResult,
    opts: RunOptions,
): Promise<string> {
    const rows = async (sql: string) => (await db.runAndReadAll(sql).catch(() => null))?.getRowObjectsJson() ?? [];
    const has = (o: string) => fs.existsSync(path.join(lakeDir, o));
    // The final row per window key, as the Athena queries take it.
    const final = (o: string, keys: string) => `(SELECT * FROM ${o} QUALIFY ROW_NUMBER() OVER (PARTITION BY ${keys} ORDER BY filename DESC) = 1)`;
    const src = (o: string) => `read_parquet('${lakeDir}/${o}/**/*.parquet', hive_partitioning = true, filename = true)`;
    const series = async (o: string, value: string, by: string, keys: string) =>
        has(o)
            ? toSeries(
                  (await rows(`WITH ${o} AS (SELECT * FROM ${src(o)}) SELECT epoch_ms(window_start) AS ws, ${by} AS key, SUM(${value}) AS value FROM ${final(o, keys)} GROUP BY ALL ORDER BY 1`)).map((r) => ({
                      ws: Number(r.ws),
                      key: String(r.key),
                      value: Number(r.value),
                  })),
              )
            : [];
    const lines: LineChart[] = [
        { id: "active-users-by-site", title: "Active users per minute by site", series: await series("active_users_1m", "active_users", "site", "window_start, site, country, region") },
        { id: "active-users-by-country", title: "Active users per minute by country", series: await series("active_users_1m", "active_users", "country", "window_start, site, country, region") },
        { id: "clicks-by-site", title: "Clicks per minute by site", series: await series("clicks_1m", "clicks", "site", "window_start, site, country, page_type, region") },
        { id: "clicks-by-country", title: "Clicks per minute by country", series: await series("clicks_1m", "clicks", "country", "window_start, site, country, page_type, region") },
    ];
    const bars: BarChart[] = [
        {
            id: "rejected-by-reason",
            title: "Rejected events by reason",
            bars: has("rejected_events")
                ? (await rows(`SELECT reason, COUNT(*) AS n FROM ${src("rejected_events")} GROUP BY 1 ORDER BY 2 DESC, 1`)).map((r) => ({ label: String(r.reason), value: Number(r.n) }))
                : [],
        },
    ];
    return dashboardHtml({
        title: `clickstream — local run (stack ${opts.stack}, seed ${opts.seed})`,
        generatedAt: new Date().toISOString(),
        summary: [verdictLine(rec), rec.accounting.line],
        lines,
        bars,
        tables: athena.map((a) => ({ name: `${a.name} (${a.rows.length} rows, ${a.ms} ms)`, columns: a.columns, rows: a.rows, error: a.error })),
    });
}
