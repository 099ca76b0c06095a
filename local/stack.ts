/**
 * A region stack on this machine: the emulated Kinesis streams, the Firehose stand-in writing the local
 * lake, and one runner JVM per app, each with its REST API on 127.0.0.1 (stop with savepoint, metrics)
 * and its checkpoints under `<run>/checkpoints/<app>`. `npm start` (local/pipeline.ts) and
 * `npm run drill` (local/drill.ts) are sequences of steps over it. Every process is started, tracked by
 * pid and stopped here.
 */
import * as fs from "fs";
import * as path from "path";
import { AppConfig, LakeConfig, outputNamesOf, parseLakeConfig, parseRegionConfig, readStackFile, RegionConfig } from "../lib/config";
import { firehoseName } from "../lib/naming";
import { kaAppOutputs, lakeOutputs, OutputTable, SqlCatalog, loadSqlCatalog } from "../lib/sql/catalog";
import { glueColumns } from "../lib/sql/glue-schema";
import { RunnerCounts, runnerAccounting } from "./accounting";
import { FirehoseStandIn } from "./firehose";
import { SourceFirehose } from "./source-firehose";
import { runningJob, stopWithSavepoint } from "./flink-rest";
import { createStream, Emulator, registerConsumer, startEmulator } from "./kinesis";
import { delay, freePort, Managed, ProcessGroup } from "./processes";
import { buildJar, jarStaleReason, LocalAppPlan, planApps, PROJECT, startApp, StartOptions } from "./runner";

export interface LocalStackOptions {
    repo: string;
    stack: string;
    /** `.local` (npm start) or `.local/drill`. */
    localDir: string;
    keep: boolean;
    log: (line: string) => void;
    /** Shards of each source stream (`index` of `count` sources). */
    shards: (source: { name: string; streamName: string }, index: number, count: number) => number;
    /** False: never build the runner jar (local/bench.ts). Default true. */
    buildJar?: boolean;
    /** Use EFO for attached streams against the emulator (experimental; see docs/LOCAL.md). */
    efo?: boolean;
    /** More SQL outputs the lake has Firehoses for (a SQL change adds outputs). */
    extraOutputs?: OutputTable[];
    /** `runner` options of every app; see docs/LOCAL.md. */
    runnerOptions: Record<string, string>;
    /** Connector options added to each app's Kinesis source table. */
    sourceOptions?: Record<string, string>;
    /** Leave out `mode: firehose` sources and the apps that read them (the drill covers Kinesis sources). */
    kinesisOnly?: boolean;
}

/** One running (or stopped) runner JVM. */
export interface LocalApp {
    plan: LocalAppPlan;
    proc: Managed;
    restPort: number;
    checkpointDir: string;
    logFile: string;
}

export class LocalStack {
    readonly runDir: string;
    readonly lakeDir: string;
    readonly group = new ProcessGroup();
    readonly apps = new Map<string, LocalApp>();
    emulator!: Emulator;
    standIn!: FirehoseStandIn;
    firehoseEndpoint!: string;
    readonly consumerArns: Record<string, string> = {};
    readonly streams: { source: string; streamName: string; shards: number }[] = [];
    /** Stand-ins of the producers' own Firehoses (`mode: firehose` sources), by delivery stream name. */
    readonly sourceFirehoses = new Map<string, SourceFirehose>();

    private constructor(
        readonly o: LocalStackOptions,
        readonly region: RegionConfig,
        readonly lake: LakeConfig,
        readonly catalog: SqlCatalog,
        /** Apps of the stack left out by `kinesisOnly`. */
        readonly leftOut: AppConfig[] = [],
    ) {
        this.runDir = path.join(o.localDir, "run");
        this.lakeDir = path.join(o.localDir, "lake");
    }

    /** Reads the stack's config and the SQL, and builds the runner jar when it is missing or stale. */
    static async setup(o: LocalStackOptions): Promise<LocalStack> {
        const catalog = loadSqlCatalog(path.join(o.repo, "sql"), o.repo);
        const stackFile = path.join(o.repo, `Pulumi.${o.stack}.yaml`);
        if (!fs.existsSync(stackFile)) throw new Error(`--stack: no ${path.basename(stackFile)} in ${o.repo}`);
        const parsed = parseRegionConfig(readStackFile(stackFile), ...outputNamesOf(catalog.outputs), kaAppOutputs(catalog));
        const kinesis = parsed.sources.filter((s) => s.mode !== "firehose").map((s) => s.name);
        const region = o.kinesisOnly
            ? { ...parsed, sources: parsed.sources.filter((s) => kinesis.includes(s.name)), apps: parsed.apps.filter((a) => kinesis.includes(a.source)) }
            : parsed;
        const leftOut = parsed.apps.filter((a) => !region.apps.includes(a));
        const lake = parseLakeConfig(readStackFile(path.join(o.repo, "Pulumi.lake.yaml")), { project: PROJECT, stack: "lake" });
        const stack = new LocalStack(o, region, lake, catalog, leftOut);
        if (!o.keep) {
            fs.rmSync(stack.runDir, { recursive: true, force: true });
            fs.rmSync(stack.lakeDir, { recursive: true, force: true });
        }
        fs.mkdirSync(stack.runDir, { recursive: true });
        fs.mkdirSync(stack.lakeDir, { recursive: true });
        const stale = jarStaleReason(o.repo);
        if (stale && o.buildJar === false) {
            if (!fs.existsSync(path.join(o.repo, "runner", "target", "clickstream-runner.jar"))) throw new Error(`${stale}, and building it is turned off`);
            o.log(`    ${stale}: NOT rebuilding it (building is turned off); running the jar as it is`);
        } else if (stale) {
            o.log(`    ${stale}: building it`);
            await buildJar(o.repo, o.log);
        } else o.log("    runner jar is up to date");
        return stack;
    }

    /**
     * Starts kinesis-local and creates every source stream (an attached one is simulated by creating it),
     * and a delivery-stream stand-in writing objects into `<run>/sources/<source>/` for each `mode: firehose` source.
     */
    async startKinesis(): Promise<void> {
        this.emulator = await startEmulator(this.group, this.region.region, path.join(this.runDir, "kinesis-local.log"));
        for (const [i, s] of this.region.sources.entries()) {
            if (s.mode === "firehose") {
                this.sourceFirehoses.set(s.streamName, new SourceFirehose(s, path.join(this.runDir, "sources", s.name)));
                continue;
            }
            const shards = this.o.shards(s, i, this.region.sources.length);
            const arn = await createStream(this.emulator.client, s.streamName, shards);
            if (s.mode === "attach" && this.o.efo) this.consumerArns[s.streamName] = await registerConsumer(this.emulator.client, arn, `${PROJECT}-local`);
            this.streams.push({ source: s.name, streamName: s.streamName, shards });
        }
    }

    /** Starts the Firehose stand-in with one delivery stream per lake output, KA applications' included (as the lake stack creates them). */
    async startFirehose(): Promise<void> {
        this.standIn = new FirehoseStandIn({
            lakeDir: this.lakeDir,
            manifestFile: path.join(this.runDir, "lake-files.jsonl"),
            database: this.lake.glueDatabase,
            streams: [...lakeOutputs(this.catalog), ...(this.o.extraOutputs ?? [])].map((o) => ({
                name: firehoseName(PROJECT, o.name),
                output: o.name,
                columns: glueColumns(o),
            })),
        });
        this.firehoseEndpoint = await this.standIn.start();
    }

    /** The runtime properties of every app of `region`, from `catalog` (the SQL that a deployment would send). */
    async plan(region: RegionConfig = this.region, catalog: SqlCatalog = this.catalog): Promise<LocalAppPlan[]> {
        const appRunnerOptions: Record<string, Record<string, string>> = {};
        for (const app of region.apps) {
            const known = this.apps.get(app.name);
            appRunnerOptions[app.name] = {
                "local.rest.port": String(known?.restPort ?? (await freePort())),
                "local.checkpoint.dir": path.join(this.runDir, "checkpoints", app.name),
            };
        }
        return planApps(region, catalog, {
            kinesis: this.emulator.endpoint,
            firehose: this.firehoseEndpoint,
            lakeRegion: this.lake.region,
            consumerArns: this.consumerArns,
            objectDirs: Object.fromEntries([...this.sourceFirehoses].map(([name, f]) => [name, f.dir])),
            runnerOptions: this.o.runnerOptions,
            appRunnerOptions,
            sourceOptions: this.o.sourceOptions,
        });
    }

    /** Starts the apps' JVMs and waits until every job runs (or fails with the first error of its log). */
    async startApps(plans: LocalAppPlan[], options: (app: string) => StartOptions = () => ({})): Promise<LocalApp[]> {
        const started = plans.map((plan) => {
            const runner = plan.properties.find((g) => g.PropertyGroupId === "runner")!.PropertyMap;
            const app: LocalApp = {
                plan,
                proc: startApp(this.group, this.o.repo, this.runDir, plan, options(plan.app.name)),
                restPort: Number(runner["local.rest.port"]),
                checkpointDir: runner["local.checkpoint.dir"],
                logFile: path.join(this.runDir, `${plan.app.name}.log`),
            };
            this.apps.set(plan.app.name, app);
            return app;
        });
        await Promise.all(started.map((a) => this.waitForJob(a, 240_000)));
        return started;
    }

    private async waitForJob(app: LocalApp, timeoutMs: number): Promise<void> {
        const alive = () => app.proc.child.exitCode === null && app.proc.child.signalCode === null;
        const failed = () => {
            const text = fs.existsSync(app.logFile) ? fs.readFileSync(app.logFile, "utf8") : "";
            return new Error(
                `the Flink app ${app.plan.app.name} exited before its job started; see ${app.logFile}:\n` +
                    text
                        .split("\n")
                        .filter((l) => /startup failed|Exception|Error/.test(l))
                        .slice(-8)
                        .join("\n"),
            );
        };
        const until = Date.now() + timeoutMs;
        while (Date.now() < until) {
            if (!alive()) throw failed();
            try {
                await runningJob(app.restPort, 2_000);
                return;
            } catch {
                // not yet
            }
        }
        throw new Error(`the Flink app ${app.plan.app.name} did not start its job within ${timeoutMs / 1000} s; see ${app.logFile}`);
    }

    /** Stops an app with a savepoint (drain: fire every window first) and waits for its JVM to exit. */
    async stopApp(name: string, drain: boolean): Promise<string> {
        const app = this.apps.get(name)!;
        const dir = path.join(this.runDir, "savepoints", name);
        fs.mkdirSync(dir, { recursive: true });
        const savepoint = await stopWithSavepoint(app.restPort, dir, drain);
        await Promise.race([app.proc.exited, delay(60_000)]);
        await this.group.stop(app.proc, 5_000);
        return savepoint;
    }

    /** `kill -9` of an app's JVM, as when a Managed Flink task manager dies. */
    async killApp(name: string): Promise<number> {
        const app = this.apps.get(name)!;
        const pid = app.proc.child.pid!;
        process.kill(-pid, "SIGKILL");
        await Promise.race([app.proc.exited, delay(10_000)]);
        return pid;
    }

    /** The newest completed checkpoint of an app (`chk-N` with its `_metadata`), as Managed Flink restarts from. */
    latestCheckpoint(name: string): string {
        const root = this.apps.get(name)!.checkpointDir;
        const found: { dir: string; n: number; mtime: number }[] = [];
        for (const job of fs.existsSync(root) ? fs.readdirSync(root) : []) {
            for (const chk of fs.readdirSync(path.join(root, job))) {
                const m = /^chk-(\d+)$/.exec(chk);
                const dir = path.join(root, job, chk);
                if (m && fs.existsSync(path.join(dir, "_metadata")))
                    found.push({ dir, n: Number(m[1]), mtime: fs.statSync(path.join(dir, "_metadata")).mtimeMs });
            }
        }
        const newest = found.sort((a, b) => b.mtime - a.mtime || b.n - a.n)[0];
        if (!newest) throw new Error(`app ${name} has no completed checkpoint under ${root}`);
        return newest.dir;
    }

    /** The runner's own totals for an app (its log, all restarts included). */
    counts(name: string): RunnerCounts | undefined {
        const file = this.apps.get(name)?.logFile;
        return file && fs.existsSync(file) ? runnerAccounting(fs.readFileSync(file, "utf8")) : undefined;
    }

    /** Waits until the Firehose stand-in received nothing for `quietMs` (at most `maxMs`). */
    async waitForQuietOutputs(quietMs: number, maxMs: number): Promise<void> {
        let last = this.standIn.totals().received;
        let quietSince = Date.now();
        const until = Date.now() + maxMs;
        while (Date.now() < until && Date.now() - quietSince < quietMs) {
            await delay(1000);
            const now = this.standIn.totals().received;
            if (now !== last) {
                last = now;
                quietSince = Date.now();
            }
        }
    }

    /** Stops everything this stack started (by pid) and flushes the stand-ins. */
    async close(): Promise<void> {
        for (const f of this.sourceFirehoses.values()) f.close();
        await this.group.stopAll(5_000);
        await this.standIn?.stop().catch(() => undefined);
    }
}
