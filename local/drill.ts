/**
 * `npm run drill`: a season's transitions on the local pipeline (docs/LOCAL.md, "The season drill"),
 * with every stream on 4 or more shards, an uneven load (a hot shard) and small read batches, so that the
 * shards are read at different positions whenever the apps catch up:
 *   1. steady traffic;
 *   2. pause: every app stopped with a savepoint while traffic continues (what Managed Flink does on
 *      `season: paused`);
 *   3. resume from those savepoints, with the backlog to catch up across shards;
 *   4. SQL change: one app restarted from a savepoint with a changed SQL bundle (an output added, one
 *      output's filter changed) and non-restored state allowed;
 *   5. crash: `kill -9` of one runner JVM, then a restart from its latest checkpoint;
 *   6. catch-up and drain: traffic stops, every app reads everything and stops with drain.
 * Then every window of every output is reconciled against the ground truth, and the accounting
 * `read = rejected + duplicates + late + counted` of every app is checked.
 */
import * as fs from "fs";
import * as path from "path";
import { Command } from "commander";
import { DuckDBInstance } from "@duckdb/node-api";
import { AppConfig, RegionConfig } from "../lib/config";
import { loadSqlCatalog, OutputTable, SqlCatalog } from "../lib/sql/catalog";
import { parseArgs, wholeNumberArg } from "./args";
import { localRunFlags } from "./cli";
import { operatorMetrics } from "./flink-rest";
import { ClickstreamGenerator } from "./generator";
import { installSignalHandlers, LOCAL_RUNNER_OPTIONS, scopes, trafficSources, waitUntilRead } from "./pipeline";
import { delay } from "./processes";
import { DefinitionChange, METRICS, MetricDefinition, reconcile, ReconciliationResult } from "./reconcile";
import { LocalStack } from "./stack";
import { generated, Traffic } from "./traffic";

const REPO = path.resolve(__dirname, "..");

export interface DrillOptions {
    stack: string;
    seed: number;
    /** Events per second, all streams together. */
    rate: number;
    /** Shards of every stream (at least 4). */
    shards: number;
    /** Wall seconds of steady traffic (phase 1); the other phases scale with it. */
    steadySeconds: number;
    repo?: string;
    log?: (line: string) => void;
}

export interface PhaseReport {
    name: string;
    startedMs: number;
    endedMs: number;
    line: string;
}

export interface DrillResult {
    exitCode: number;
    phases: PhaseReport[];
    reconciliation: ReconciliationResult;
    /** Late events recorded per phase (by the time they were read). */
    latePerPhase: Record<string, number>;
    backlog: number;
    maxSkewMs: number;
    line: string;
    seconds: number;
}

/** The app whose SQL changes and which crashes: it has the windows of the web stream. */
const CHANGED_APP = "realtime";
const CHANGED_OUTPUT = "clicks_1m";
const ADDED_OUTPUT = "page_views_1m";

/** The SQL change of phase 4: clicks_1m also counts add-to-cart clicks, and page views per minute are added. Pure over files. */
export function changedSqlDir(repo: string, into: string): string {
    fs.rmSync(into, { recursive: true, force: true });
    fs.cpSync(path.join(repo, "sql"), into, { recursive: true });
    const clicks = path.join(into, "outputs", `${CHANGED_OUTPUT}.sql`);
    const text = fs.readFileSync(clicks, "utf8");
    if (!text.includes("WHERE event_type = 'click'")) throw new Error(`${clicks}: the drill's filter change expects "WHERE event_type = 'click'"`);
    fs.writeFileSync(clicks, text.replace("WHERE event_type = 'click'", "WHERE event_type IN ('click', 'add_to_cart')"));
    fs.writeFileSync(
        path.join(into, "outputs", `${ADDED_OUTPUT}.sql`),
        [
            "-- Added by the drill's SQL change: page views per site and minute.",
            `CREATE TABLE ${ADDED_OUTPUT} (`,
            "  window_start TIMESTAMP(3),",
            "  window_end TIMESTAMP(3),",
            "  region STRING,",
            "  site STRING,",
            "  page_views BIGINT",
            ");",
            "",
            `INSERT INTO ${ADDED_OUTPUT}`,
            "SELECT window_start, window_end, SOURCE_REGION() AS region, site, COUNT(*) AS page_views",
            "FROM TABLE(TUMBLE(TABLE events_on_time, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))",
            "WHERE event_type = 'page_view'",
            "GROUP BY window_start, window_end, site;",
            "",
        ].join("\n"),
    );
    return into;
}

const TUMBLE = "(event_ms // 60000) * 60000";
/** The recomputation of the two outputs the SQL change touches (local/reconcile.ts METRICS style). */
export const CHANGED_METRICS: Record<string, MetricDefinition> = {
    [CHANGED_OUTPUT]: {
        ...METRICS[CHANGED_OUTPUT],
        sql: METRICS[CHANGED_OUTPUT].sql.replace("WHERE event_type = 'click'", "WHERE event_type IN ('click', 'add_to_cart')"),
    },
    [ADDED_OUTPUT]: {
        keys: ["ws", "we", "region", "site"],
        values: ["page_views"],
        windowEnd: "we",
        sql: `SELECT ${TUMBLE} AS ws, ${TUMBLE} + 60000 AS we, $region AS region, site, COUNT(*) AS page_views FROM u WHERE event_type = 'page_view' GROUP BY ALL`,
    },
};

function withOutput(region: RegionConfig, app: string, output: string): RegionConfig {
    return {
        ...region,
        apps: region.apps.map((a): AppConfig => (a.name === app ? { ...a, outputs: [...a.outputs, output] } : a)),
    };
}

/** Lines appended to a file since `offset`. */
function appended(file: string, offset: number): string[] {
    return fs.readFileSync(file, "utf8").slice(offset).split("\n");
}

export async function runDrill(opts: DrillOptions): Promise<DrillResult> {
    const repo = opts.repo ?? REPO;
    const log = opts.log ?? ((l: string) => process.stdout.write(l + "\n"));
    const started = Date.now();
    const at = () => `[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s]`;
    const note = (l: string) => log(`${at()}     ${l}`);
    const localDir = path.join(repo, ".local", "drill");
    const shards = Math.max(4, opts.shards);
    const stack = await LocalStack.setup({
        repo,
        stack: opts.stack,
        localDir,
        keep: false,
        log: note,
        runnerOptions: { ...LOCAL_RUNNER_OPTIONS, "local.checkpoint.interval.ms": "5000" },
        // Small read batches: catching up takes several reads per shard, so the hot shard lags the others.
        sourceOptions: { "scan.shard.getrecords.maxrecordcount": "100" },
        shards: () => shards,
        extraOutputs: [],
        kinesisOnly: true,
    });
    if (stack.leftOut.length > 0)
        note(
            `not in the drill: ${stack.leftOut.map((a) => `app ${a.name} (reads the S3 objects of delivery stream ${a.streamName})`).join(", ")}; the drill takes the Kinesis sources through the season (docs/LOCAL.md)`,
        );
    const v2Dir = changedSqlDir(repo, path.join(localDir, "sql-v2"));
    const v2: SqlCatalog = loadSqlCatalog(v2Dir, repo);
    const added: OutputTable = v2.outputs.find((o) => o.name === ADDED_OUTPUT)!;
    (stack.o.extraOutputs as OutputTable[]).push(added);
    const uninstall = installSignalHandlers(stack, log);
    const phases: PhaseReport[] = [];
    const phase = (name: string, startedMs: number, line: string) => {
        phases.push({ name, startedMs, endedMs: Date.now(), line });
        log(`${at()} drill: phase ${phases.length}/6 ${name}: ${line}`);
    };
    const gtFile = path.join(stack.runDir, "ground-truth.jsonl");
    let sqlChangeAt = 0;
    let backlog = 0;
    let maxSkewMs = 0;
    let traffic: Traffic | undefined;
    try {
        await stack.startKinesis();
        await stack.startFirehose();
        note(
            `kinesis-local on ${stack.emulator.endpoint}: ${stack.streams.map((s) => `${s.streamName} (${s.shards} shards)`).join(", ")}; Firehose stand-in on ${stack.firehoseEndpoint}`,
        );
        await stack.startApps(await stack.plan());
        note(`${stack.apps.size} apps running: ${[...stack.apps.values()].map((a) => `${a.plan.app.name} (pid ${a.proc.child.pid})`).join(", ")}`);

        // The traffic runs through phases 1-5, with a hot shard per stream.
        const gen = new ClickstreamGenerator({
            seed: opts.seed,
            rate: opts.rate,
            timeScale: 10,
            startTimeMs: Math.floor(Date.now() / 60_000) * 60_000,
            sources: trafficSources(stack),
        });
        fs.writeFileSync(gtFile, "");
        traffic = new Traffic({ client: stack.emulator.client, groundTruth: gtFile, rate: opts.rate, records: generated(gen), hotShardShare: 0.4 });
        const sending = traffic.start();
        const sent = (stream: string) => traffic!.perStream.get(stream) ?? 0;

        // 1. Steady: the traffic, and every app reading it. A stop before an app's source has started its
        // shard consumers races the connector's own start (its executor is shut down while a consumer
        // is being submitted, and the savepoint fails), and would test nothing: wait for the first reads.
        let t0 = Date.now();
        await delay(opts.steadySeconds * 1000);
        await waitUntilRead(stack, () => 1, 120_000);
        phase(
            "steady",
            t0,
            `${opts.steadySeconds} s of traffic at ${opts.rate}/s: ${traffic.sent} records on ${stack.streams.length} streams (${stack.streams.map((s) => s.shards).join(" and ")} shards, 40% of each stream on its first shard); ${stack.standIn.totals().converted} rows in the lake`,
        );

        // 2. Pause: every app stopped with a savepoint; traffic continues into the streams.
        t0 = Date.now();
        const savepoints: Record<string, string> = {};
        await Promise.all(stack.region.apps.map(async (a) => (savepoints[a.name] = await stack.stopApp(a.name, false))));
        const stoppedIn = (Date.now() - t0) / 1000;
        await delay(opts.steadySeconds * 700);
        const readAtPause = Object.fromEntries(stack.region.apps.map((a) => [a.name, stack.counts(a.name)?.read ?? 0]));
        backlog = stack.region.apps.reduce((n, a) => Math.max(n, sent(stack.apps.get(a.name)!.plan.streamName) - readAtPause[a.name]), 0);
        phase(
            "pause",
            t0,
            `${stack.region.apps.length} apps stopped with a savepoint in ${stoppedIn.toFixed(1)} s while traffic continued; backlog ${stack.region.apps.map((a) => `${a.name} ${sent(stack.apps.get(a.name)!.plan.streamName) - readAtPause[a.name]}`).join(", ")} records`,
        );

        // 3. Resume from the savepoints, and catch up across the shards.
        t0 = Date.now();
        const offsets = new Map([...stack.apps].map(([n, a]) => [n, fs.statSync(a.logFile).size]));
        await stack.startApps(await stack.plan(), (app) => ({ restore: savepoints[app] }));
        const restoredAt = Date.now();
        const target = Object.fromEntries(stack.region.apps.map((a) => [a.name, sent(stack.apps.get(a.name)!.plan.streamName)]));
        const caughtUp = new Map<string, number>();
        while (caughtUp.size < stack.apps.size && Date.now() - restoredAt < 180_000) {
            for (const [name, app] of stack.apps) {
                if (caughtUp.has(name)) continue;
                const m = await operatorMetrics(app.restPort, ["read", "eventTimeSkewMs"]).catch(() => ({ read: 0, eventTimeSkewMs: 0 }));
                maxSkewMs = Math.max(maxSkewMs, m.eventTimeSkewMs);
                if (m.read >= target[name]) caughtUp.set(name, Date.now() - restoredAt);
            }
            await delay(300);
        }
        if (caughtUp.size < stack.apps.size) throw new Error(`the apps did not catch up within 180 s after the resume`);
        const kept = [...stack.apps].map(([n, a]) => appended(a.logFile, offsets.get(n)!).filter((l) => l.includes("restore: kept")).length);
        const dropped = [...stack.apps].map(([n, a]) => appended(a.logFile, offsets.get(n)!).filter((l) => l.includes("restore: dropped")).length);
        phase(
            "resume",
            t0,
            `restored from the savepoints (state kept by ${kept.reduce((a, b) => a + b, 0)} operators, ${dropped.reduce((a, b) => a + b, 0)} dropped); ` +
                `backlog of up to ${backlog} records per app caught up in ${[...caughtUp].map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)} s`).join(", ")}; ` +
                `largest event-time skew between shards during the catch-up ${(maxSkewMs / 1000).toFixed(0)} s`,
        );

        // 4. SQL change of one app: stop with a savepoint, restart with the new bundle.
        await delay(opts.steadySeconds * 300);
        t0 = Date.now();
        const changed = await stack.stopApp(CHANGED_APP, false);
        sqlChangeAt = Date.now();
        const offset = fs.statSync(stack.apps.get(CHANGED_APP)!.logFile).size;
        const v2Region = withOutput(stack.region, CHANGED_APP, ADDED_OUTPUT);
        const v2Plans = (await stack.plan(v2Region, v2)).filter((p) => p.app.name === CHANGED_APP);
        await stack.startApps(v2Plans, () => ({ restore: changed, allowNonRestoredState: true }));
        const report = appended(stack.apps.get(CHANGED_APP)!.logFile, offset).filter((l) => l.includes("clickstream-runner: restore:"));
        const keptOps = report.filter((l) => l.includes("restore: kept")).map((l) => l.split(" ")[3]);
        const emptyOps = report.filter((l) => l.includes("restore: empty")).map((l) => l.split(" ")[3]);
        const droppedOps = report.filter((l) => l.includes("restore: dropped"));
        for (const l of report) note(l.replace("clickstream-runner: ", ""));
        await delay(opts.steadySeconds * 500);
        phase(
            "SQL change",
            t0,
            `${CHANGED_APP} restarted from a savepoint with ${CHANGED_OUTPUT}'s filter changed and ${ADDED_OUTPUT} added (non-restored state allowed): ` +
                `state kept by ${keptOps.length} operators, ${emptyOps.length} start empty (${emptyOps.map((u) => u.split(":")[0]).join(", ")}), ${droppedOps.length} snapshot states dropped`,
        );

        // 5. Crash: kill -9, restart from the latest checkpoint.
        t0 = Date.now();
        const pid = await stack.killApp(CHANGED_APP);
        const checkpoint = stack.latestCheckpoint(CHANGED_APP);
        await stack.startApps(v2Plans, () => ({ restore: checkpoint }));
        const restartedIn = (Date.now() - t0) / 1000;
        await delay(opts.steadySeconds * 500);
        phase(
            "crash",
            t0,
            `kill -9 of ${CHANGED_APP} (pid ${pid}); restarted from its latest checkpoint ${path.basename(checkpoint)} and running again after ${restartedIn.toFixed(1)} s (new pid ${stack.apps.get(CHANGED_APP)!.proc.child.pid})`,
        );

        // 6. Catch up and drain.
        t0 = Date.now();
        await traffic.stop();
        await sending;
        traffic.close();
        await waitUntilRead(stack, sent, 180_000);
        await Promise.all(stack.region.apps.map((a) => stack.stopApp(a.name, true)));
        await stack.close();
        phase(
            "drain",
            t0,
            `traffic stopped after ${traffic.sent} records; every app read all of them and stopped with a savepoint and drain (every window fired)`,
        );
    } catch (e) {
        await traffic?.stop().catch(() => undefined);
        await stack.close();
        uninstall();
        throw e;
    }
    uninstall();

    // Reconciliation: every window, the late events, and every app's accounting.
    const db = await (await DuckDBInstance.create(":memory:")).connect();
    const outputsOf = (app: string) => [...stack.region.apps.find((a) => a.name === app)!.outputs, ...(app === CHANGED_APP ? [ADDED_OUTPUT] : [])];
    const changes: DefinitionChange[] = [
        { output: CHANGED_OUTPUT, atMs: sqlChangeAt, before: METRICS[CHANGED_OUTPUT], after: CHANGED_METRICS[CHANGED_OUTPUT] },
        { output: ADDED_OUTPUT, atMs: sqlChangeAt, after: CHANGED_METRICS[ADDED_OUTPUT] },
    ];
    const rec = await reconcile(db, gtFile, stack.lakeDir, stack.region.region, scopes(stack, outputsOf), {
        allWindowsClosed: true,
        changes,
        manifest: path.join(stack.runDir, "lake-files.jsonl"),
    });
    const latePerPhase: Record<string, number> = {};
    const lateFiles = `${stack.lakeDir}/late_events/**/*.parquet`;
    for (const p of phases) {
        const n = fs.existsSync(path.join(stack.lakeDir, "late_events"))
            ? Number(
                  (
                      await db.runAndReadAll(
                          `SELECT COUNT(DISTINCT event_id) AS n FROM read_parquet('${lateFiles}') WHERE epoch_ms(received_at) >= ${p.startedMs} AND epoch_ms(received_at) < ${p.endedMs}`,
                      )
                  ).getRowObjectsJson()[0].n,
              )
            : 0;
        latePerPhase[p.name] = n;
    }
    db.closeSync();
    for (const [o, s] of Object.entries(rec.perOutput)) {
        const straddling =
            s.straddling === undefined
                ? ""
                : o === ADDED_OUTPUT
                  ? `; ${s.straddling} of its windows were open when it was added (their ${s.lostCounts} earlier events were read before it existed)`
                  : `; ${s.straddling} windows straddled the SQL change and lost ${s.lostCounts} partial counts`;
        log(`     ${o.padEnd(24)} ${String(s.compared).padStart(5)} windows compared, ${s.mismatches} mismatches${straddling}`);
    }
    log(
        `     late_events              ${String(rec.late).padStart(5)} late events, each a valid unique event of its stream; per phase: ${Object.entries(
            latePerPhase,
        )
            .map(([p, n]) => `${p} ${n}`)
            .join(", ")}`,
    );
    for (const a of rec.accounting.apps) log(`     ${a.line}`);
    for (const m of rec.mismatches.slice(0, 10))
        log(`     MISMATCH ${m.output} ${JSON.stringify(m.key)}: expected ${JSON.stringify(m.expected)}, lake ${JSON.stringify(m.actual)}`);
    log(`${at()} drill: reconciled every window of every output and the accounting of every app`);
    const lost = rec.accounting.lost;
    const line = `drill: ${phases.length} phases, ${rec.windows} windows, ${rec.mismatches.length} mismatches, ${rec.late} late, ${lost} lost`;
    log(line);
    const exitCode = rec.mismatches.length > 0 || !rec.accounting.ok || rec.windows === 0 ? 1 : 0;
    return { exitCode, phases, reconciliation: rec, latePerPhase, backlog, maxSkewMs, line, seconds: (Date.now() - started) / 1000 };
}

export async function main(argv: string[]): Promise<number> {
    const program = localRunFlags(
        new Command("npm run drill --").description(
            "Takes the local pipeline through a season: steady, pause, resume, SQL change, crash, drain; then reconciles every window. See docs/LOCAL.md.",
        ),
    )
        .option("--rate <events/s>", "events per second, all streams", wholeNumberArg("--rate", 20, 2000), 240)
        .option("--shards <n>", "shards of every stream", wholeNumberArg("--shards", 4, 32), 4)
        .option("--steady <seconds>", "seconds of steady traffic; the other phases scale with it", wholeNumberArg("--steady", 10, 600), 25);
    const o = parseArgs(program, argv);
    if (typeof o === "number") return o;
    try {
        return (await runDrill({ stack: o.stack, seed: o.seed, rate: o.rate, shards: o.shards, steadySeconds: o.steady })).exitCode;
    } catch (e) {
        process.stderr.write(`npm run drill failed: ${(e as Error).message}\n`);
        return 1;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
