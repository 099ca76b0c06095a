/**
 * Running the stack's Flink SQL apps locally: the runner jar (built when missing or stale), each app's
 * `application_properties.json` from `appRuntimeProperties` (the function that writes the MSF runtime
 * properties) with only endpoint and credential overrides, and the JVM in Flink local mode.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import { AppConfig, readProjectName, RegionConfig } from "../lib/config";
import { firehoseName } from "../lib/naming";
import { pollIntervalMs } from "../lib/connector-options";
import { appOutputTables, appRuntimeProperties, LakeAnalyticsOutputs } from "../lib/region-app";
import { PropertyGroup } from "../lib/runtime-properties";
import { lakeOutputs, OutputTable, SqlCatalog } from "../lib/sql/catalog";
import { addOpensFromPom } from "./kinesis";
import { Managed, ProcessGroup } from "./processes";

export const PROJECT = readProjectName(path.resolve(__dirname, ".."));
export const RUNNER_MAIN = "com.clickstream.runner.SqlRunner";
/** How often a local app lists a Firehose-fed source's folder (docs/LOCAL.md, deviations). */
export const LOCAL_DISCOVERY_INTERVAL = "1 s";

/** Newest modification time under a path (file or folder), ms; 0 when absent. */
export function newestMtime(p: string): number {
    if (!fs.existsSync(p)) return 0;
    const st = fs.statSync(p);
    if (!st.isDirectory()) return st.mtimeMs;
    return fs.readdirSync(p).reduce((max, f) => Math.max(max, newestMtime(path.join(p, f))), st.mtimeMs);
}

/** Why the jar must be (re)built, or undefined when it is up to date. Pure over the file system. */
export function jarStaleReason(repo: string): string | undefined {
    const jar = path.join(repo, "runner", "target", "clickstream-runner.jar");
    const cp = path.join(repo, "runner", "target", "classpath.txt");
    if (!fs.existsSync(jar)) return "the runner jar is missing";
    if (!fs.existsSync(cp)) return "runner/target/classpath.txt is missing";
    const built = fs.statSync(jar).mtimeMs;
    if (newestMtime(path.join(repo, "runner", "src")) > built) return "runner/src changed after the jar was built";
    if (newestMtime(path.join(repo, "runner", "pom.xml")) > built) return "runner/pom.xml changed after the jar was built";
    return undefined;
}

/** Builds the jar with `npm run build:runner` (Maven), printing a heartbeat while it runs. */
export async function buildJar(repo: string, log: (line: string) => void): Promise<void> {
    const started = Date.now();
    const child = spawn("npm", ["run", "--silent", "build:runner"], { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const beat = setInterval(() => log(`  building the runner jar (mvn package) ... ${Math.round((Date.now() - started) / 1000)} s`), 10_000);
    const code: number = await new Promise((resolve) => child.once("exit", (c) => resolve(c ?? 1)));
    clearInterval(beat);
    if (code !== 0) throw new Error(`npm run build:runner failed (exit ${code}):\n${output.slice(-3000)}`);
    log(`  runner jar built in ${Math.round((Date.now() - started) / 1000)} s`);
}

export interface LocalAppPlan {
    app: AppConfig;
    streamName: string;
    outputs: OutputTable[];
    properties: PropertyGroup[];
}

export interface LocalEndpoints {
    kinesis: string;
    firehose: string;
    /** Region of the lake's Firehoses (the lake stack's `aws:region`). */
    lakeRegion: string;
    /** Source streams read with EFO: stream name -> consumer ARN registered on the emulator. */
    consumerArns: Record<string, string>;
    /** `mode: firehose` sources: delivery stream name -> the local folder its stand-in delivers objects to. */
    objectDirs?: Record<string, string>;
    /** Local runner options (`runner` group) of every app: checkpoint interval, parallelism, idle timeout. */
    runnerOptions: Record<string, string>;
    /** More `runner` options per app: its REST port and checkpoint folder. */
    appRunnerOptions?: Record<string, Record<string, string>>;
    /** Connector options added to the source table of every app (the drill's read-batch size). */
    sourceOptions?: Record<string, string>;
}

/**
 * The runtime properties of every app of a region stack, for a local run. Only `aws.endpoint`, trust and
 * static credentials are added to the connector options that the deployment uses.
 */
export function planApps(region: RegionConfig, catalog: SqlCatalog, ep: LocalEndpoints): LocalAppPlan[] {
    // The local lake: one Firehose stand-in stream per output (KA applications' included), named as the lake stack names them.
    const lake: LakeAnalyticsOutputs = Object.fromEntries(
        lakeOutputs(catalog).map((o) => {
            const name = firehoseName(PROJECT, o.name);
            return [o.name, { firehoseName: name, firehoseArn: name, region: ep.lakeRegion, glueTable: o.name, s3Prefix: `${o.name}/` }];
        }),
    );
    return region.apps.map((app) => {
        const source = region.sources.find((s) => s.name === app.source)!;
        const consumerArn = source.mode === "attach" ? ep.consumerArns[source.streamName] : undefined;
        const objectDir = ep.objectDirs?.[source.streamName];
        if (app.read.readMode === "OBJECTS" && !objectDir) throw new Error(`app ${app.name}: no local folder for the objects of ${source.streamName}`);
        // Locally an attached stream is polled too (docs/LOCAL.md): every app of a stream shares its GetRecords limit.
        const properties = appRuntimeProperties({
            app: localStart(app),
            catalog,
            sourceRegion: region.region,
            source:
                app.read.readMode === "OBJECTS"
                    ? { streamName: source.streamName, ...app.read }
                    : consumerArn
                      ? { streamName: source.streamName, readMode: "EFO", consumerArn }
                      : {
                            streamName: source.streamName,
                            readMode: "POLLING",
                            pollIntervalMs: pollIntervalMs(region.apps.filter((a) => a.source === source.name).length),
                        },
            lake,
            lakeStack: "local",
            local: {
                kinesisEndpoint: ep.kinesis,
                firehoseEndpoint: ep.firehose,
                runnerOptions: { ...ep.runnerOptions, ...(ep.appRunnerOptions?.[app.name] ?? {}) },
                sourceOptions: ep.sourceOptions,
                // The folder instead of s3://bucket/prefix, listed every second (deployed: discoveryIntervalSeconds).
                objectsOptions: objectDir ? { path: `${pathToFileURL(objectDir).href}/`, "discovery-interval": LOCAL_DISCOVERY_INTERVAL } : undefined,
            },
        });
        return { app, streamName: source.streamName, outputs: appOutputTables(app, catalog), properties };
    });
}

/**
 * Every local stream is new, created for the run, and traffic starts once the jobs run: an app configured
 * to start at `LATEST` (the default on an attached stream) reads from `TRIM_HORIZON` instead, because
 * `LATEST` would race the first records against the source's first shard iterators (docs/LOCAL.md).
 */
export function localStart(app: AppConfig): AppConfig {
    return app.startPosition === "LATEST" ? { ...app, startPosition: "TRIM_HORIZON" } : app;
}

export interface StartOptions {
    /** A savepoint or retained checkpoint to restore (what Managed Flink does on start). */
    restore?: string;
    /** Let snapshot state without an operator in this job go (a SQL change that removed one). */
    allowNonRestoredState?: boolean;
    jvmArgs?: string[];
}

/**
 * Starts one app's JVM: `java <add-opens> -cp jar:classpath SqlRunner --properties <file> [--restore <snapshot>]`,
 * logging to `<runDir>/<app>.log` (appended across restarts) with local/runner-log4j2.properties.
 */
export function startApp(group: ProcessGroup, repo: string, runDir: string, plan: LocalAppPlan, options: StartOptions = {}): Managed {
    const file = path.join(runDir, `${plan.app.name}.application_properties.json`);
    fs.writeFileSync(file, JSON.stringify(plan.properties, null, 2));
    const target = path.join(repo, "runner", "target");
    const classpath = [path.join(target, "clickstream-runner.jar"), fs.readFileSync(path.join(target, "classpath.txt"), "utf8").trim()].join(":");
    const args = [
        "-Xms256m",
        "-Xmx1g",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        ...addOpensFromPom(path.join(repo, "runner", "pom.xml")),
        `-Dlog4j.configurationFile=${path.join(repo, "local", "runner-log4j2.properties")}`,
        ...(options.jvmArgs ?? []),
        "-cp",
        classpath,
        RUNNER_MAIN,
        "--properties",
        file,
        ...(options.restore ? ["--restore", options.restore] : []),
        ...(options.allowNonRestoredState ? ["--allow-non-restored-state"] : []),
    ];
    return group.spawn(`flink:${plan.app.name}`, "java", args, { cwd: runDir, logFile: path.join(runDir, `${plan.app.name}.log`) });
}
