/**
 * `npm run season -- status --stack <name>`
 * `npm run season -- enable-rollback --stack <name>`
 *
 * Tells, after a `pulumi up`, whether each Managed Flink application of a region stack is in the state that
 * `clickstream:season` asks for: `on` → RUNNING, `paused` → READY. The Terraform provider behind
 * @pulumi/aws stops an application only when it is RUNNING and starts it only when it is READY, so a
 * pause during AUTOSCALING, or a resume after a failure, can do nothing and still report success.
 *
 * Per app: DescribeApplication (status, version, system rollback), the newest snapshot
 * (ListApplicationSnapshots) and the newest operation (ListApplicationOperations). One line per app, then
 * the apps whose system rollback is off, then `season <stack>: <n> apps, <m> as desired`. Exit 0 when every
 * app is as desired, 1 otherwise (or on an AWS error), 2 for a bad flag or config.
 *
 * `enable-rollback` turns Managed Flink's system rollback on (UpdateApplication) for every app where it is
 * off: @pulumi/aws 7.48.0 has no `applicationSystemRollbackConfiguration`, so the stack cannot. The update
 * gives the app a new version id that the stack's state does not know, hence `pulumi refresh` after it.
 * Runbook: docs/REGION.md.
 */
import {
    ApplicationDetail,
    ApplicationOperationInfo,
    DescribeApplicationCommand,
    KinesisAnalyticsV2Client,
    ListApplicationOperationsCommand,
    ListApplicationSnapshotsCommand,
    SnapshotDetails,
    UpdateApplicationCommand,
} from "@aws-sdk/client-kinesis-analytics-v2";
import { Command } from "commander";
import * as fs from "fs";
import * as path from "path";
import {
    ConfigError,
    ConfigReader,
    outputNamesOf,
    parseRegionConfig,
    parseRole,
    readProjectName,
    readStackFile,
    RegionConfig,
    regionStacks,
    Season,
} from "../lib/config";
import { appResourceName } from "../lib/naming";
import { kaAppOutputs, loadSqlCatalog, SqlDefinitionError } from "../lib/sql/catalog";
import { ArgError, parseArgs, stackName, validated } from "../local/args";

const REPO = path.resolve(__dirname, "..");

export const COMMANDS = ["status", "enable-rollback"] as const;
export type SeasonCommand = (typeof COMMANDS)[number];

export type DesiredStatus = "RUNNING" | "READY";

/** Statuses an application passes through; the answer is not known yet. */
export const TRANSITION_STATUSES = ["STARTING", "UPDATING", "AUTOSCALING", "STOPPING", "FORCE_STOPPING", "ROLLING_BACK", "MAINTENANCE", "DELETING"];

/** Newest-operation statuses that mean the last change did not take. */
export const PROBLEM_OPERATION_STATUSES = ["FAILED", "ROLLED_BACK"];

/** What `clickstream:season` asks of every app. */
export function desiredStatus(season: Season): DesiredStatus {
    return season === "on" ? "RUNNING" : "READY";
}

/** What was read from AWS about one app. */
export interface AppObservation {
    app: string;
    applicationName: string;
    /** False when DescribeApplication answered ResourceNotFoundException. */
    deployed: boolean;
    status?: string;
    versionId?: number;
    rollbackEnabled?: boolean;
    snapshot?: { name: string; status: string; createdAt?: Date };
    operation?: { type: string; status: string; startTime?: Date; id?: string };
}

export type Verdict = "OK" | "MISMATCH" | "IN TRANSITION" | "PROBLEM";

export interface AppAssessment {
    verdict: Verdict;
    /** The line printed for the app. */
    line: string;
}

export interface Context {
    stack: string;
    region: string;
    now: Date;
}

/** `5 min`, `2 h`, `3 d`: whole units, rounded down; a time in the future counts as 0 min. */
export function age(from: Date, now: Date): string {
    const minutes = Math.max(0, Math.floor((now.getTime() - from.getTime()) / 60_000));
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return `${hours} h`;
    return `${Math.floor(hours / 24)} d`;
}

const cli = "aws kinesisanalyticsv2";
const RESTORE_FROM_LATEST = '{"ApplicationRestoreConfiguration":{"ApplicationRestoreType":"RESTORE_FROM_LATEST_SNAPSHOT"}}';

export function startCommand(applicationName: string, region: string): string {
    return `${cli} start-application --application-name ${applicationName} --run-configuration '${RESTORE_FROM_LATEST}' --region ${region}`;
}

export function stopCommand(applicationName: string, region: string): string {
    return `${cli} stop-application --application-name ${applicationName} --region ${region}`;
}

function operationCommand(o: AppObservation, region: string): string {
    return o.operation?.id
        ? `${cli} describe-application-operation --application-name ${o.applicationName} --operation-id ${o.operation.id} --region ${region}`
        : `${cli} list-application-operations --application-name ${o.applicationName} --region ${region}`;
}

/** True when the newest operation says the last change did not take: it failed, or it was rolled back. */
export function operationProblem(o: AppObservation): boolean {
    return !!o.operation && (PROBLEM_OPERATION_STATUSES.includes(o.operation.status) || o.operation.type === "RollbackApplication");
}

/**
 * One app's line:
 * `<app>  <application>  desired <D>  actual <A>  <verdict>  snapshot <name> (<status>, <age> ago)  last operation <type> <status> (<age> ago)  rollback on|off[  <why>; run: <command>]`
 * Not deployed: `<app>  <application>  desired <D>  actual none  MISMATCH  not deployed: run pulumi up -s <stack>`.
 */
export function assessApp(o: AppObservation, desired: DesiredStatus, ctx: Context): AppAssessment {
    const head = `${o.app}  ${o.applicationName}  desired ${desired}`;
    if (!o.deployed) return { verdict: "MISMATCH", line: `${head}  actual none  MISMATCH  not deployed: run pulumi up -s ${ctx.stack}` };

    const status = o.status ?? "UNKNOWN";
    const snapshot = o.snapshot
        ? `snapshot ${o.snapshot.name} (${o.snapshot.status}${o.snapshot.createdAt ? `, ${age(o.snapshot.createdAt, ctx.now)} ago` : ""})`
        : "snapshot none";
    const operation = o.operation
        ? `last operation ${o.operation.type} ${o.operation.status}${o.operation.startTime ? ` (${age(o.operation.startTime, ctx.now)} ago)` : ""}`
        : "last operation none";
    const rollback = `rollback ${o.rollbackEnabled ? "on" : "off"}`;

    let verdict: Verdict;
    let advice: string | undefined;
    if (status === desired) {
        if (operationProblem(o)) {
            verdict = "PROBLEM";
            advice = `the last operation did not take (the app may run an older version than pulumi deployed); run: ${operationCommand(o, ctx.region)}, fix the cause, then pulumi up -s ${ctx.stack}`;
        } else {
            verdict = "OK";
        }
    } else if (TRANSITION_STATUSES.includes(status)) {
        verdict = "IN TRANSITION";
        advice = `still ${status}; run npm run season -- status --stack ${ctx.stack} again in a minute`;
    } else if (status === "RUNNING" && desired === "READY") {
        verdict = "MISMATCH";
        advice = `the pause did not stop it; run: ${stopCommand(o.applicationName, ctx.region)}`;
    } else if (status === "READY" && desired === "RUNNING") {
        verdict = "MISMATCH";
        advice = `season on did not start it; run: ${startCommand(o.applicationName, ctx.region)}`;
    } else if (status === "ROLLED_BACK") {
        verdict = "MISMATCH";
        advice = `the last change was rolled back; run: ${operationCommand(o, ctx.region)}, fix the cause, then pulumi up -s ${ctx.stack}`;
    } else {
        verdict = "MISMATCH";
        advice = `unexpected status ${status}; run: ${cli} describe-application --application-name ${o.applicationName} --region ${ctx.region}`;
    }

    const line = [head, `actual ${status}`, verdict, snapshot, operation, rollback, ...(advice ? [advice] : [])].join("  ");
    return { verdict, line };
}

/** The line that names the deployed apps without system rollback, and the command that turns it on. */
export function rollbackOffLine(stack: string, apps: string[]): string {
    return `system rollback is off for ${apps.join(", ")} (a failed update then leaves the app stopped); run: npm run season -- enable-rollback --stack ${stack}`;
}

export function summaryLine(stack: string, apps: number, asDesired: number): string {
    return `season ${stack}: ${apps} apps, ${asDesired} as desired`;
}

/** The printed report and its exit code, from observations in config order. */
export function formatReport(observations: AppObservation[], desired: DesiredStatus, ctx: Context): { lines: string[]; exitCode: number } {
    const assessed = observations.map((o) => assessApp(o, desired, ctx));
    const rollbackOff = observations.filter((o) => o.deployed && !o.rollbackEnabled).map((o) => o.app);
    const ok = assessed.filter((a) => a.verdict === "OK").length;
    const lines = [
        ...assessed.map((a) => a.line),
        ...(rollbackOff.length > 0 ? [rollbackOffLine(ctx.stack, rollbackOff)] : []),
        summaryLine(ctx.stack, observations.length, ok),
    ];
    return { lines, exitCode: ok === observations.length ? 0 : 1 };
}

type Sendable = Pick<KinesisAnalyticsV2Client, "send">;

/** Pages through a list call (at most 20 pages) and keeps the newest item. */
async function newest<T>(page: (token?: string) => Promise<{ items?: T[]; next?: string }>, time: (t: T) => number): Promise<T | undefined> {
    let best: T | undefined;
    let token: string | undefined;
    for (let i = 0; i < 20; i++) {
        const r = await page(token);
        for (const item of r.items ?? []) if (best === undefined || time(item) > time(best)) best = item;
        token = r.next;
        if (!token) break;
    }
    return best;
}

function isNotFound(e: unknown): boolean {
    return (e as { name?: string })?.name === "ResourceNotFoundException";
}

/** Reads one app; ResourceNotFoundException means not deployed, any other error is thrown. */
export async function observeApp(client: Sendable, app: string, applicationName: string): Promise<AppObservation> {
    let detail: ApplicationDetail | undefined;
    try {
        detail = (await client.send(new DescribeApplicationCommand({ ApplicationName: applicationName }))).ApplicationDetail;
    } catch (e) {
        if (isNotFound(e)) return { app, applicationName, deployed: false };
        throw e;
    }
    if (!detail) return { app, applicationName, deployed: false };
    const [snapshot, operation] = await Promise.all([
        newest<SnapshotDetails>(
            async (token) => {
                const r = await client.send(new ListApplicationSnapshotsCommand({ ApplicationName: applicationName, Limit: 50, NextToken: token }));
                return { items: r.SnapshotSummaries, next: r.NextToken };
            },
            (s) => s.SnapshotCreationTimestamp?.getTime() ?? 0,
        ),
        newest<ApplicationOperationInfo>(
            async (token) => {
                const r = await client.send(new ListApplicationOperationsCommand({ ApplicationName: applicationName, Limit: 50, NextToken: token }));
                return { items: r.ApplicationOperationInfoList, next: r.NextToken };
            },
            (op) => op.StartTime?.getTime() ?? 0,
        ),
    ]);
    return {
        app,
        applicationName,
        deployed: true,
        status: detail.ApplicationStatus,
        versionId: detail.ApplicationVersionId,
        rollbackEnabled: detail.ApplicationConfigurationDescription?.ApplicationSystemRollbackConfigurationDescription?.RollbackEnabled === true,
        snapshot: snapshot
            ? { name: snapshot.SnapshotName ?? "(unnamed)", status: snapshot.SnapshotStatus ?? "UNKNOWN", createdAt: snapshot.SnapshotCreationTimestamp }
            : undefined,
        operation: operation
            ? {
                  type: operation.Operation ?? "(unknown)",
                  status: operation.OperationStatus ?? "UNKNOWN",
                  startTime: operation.StartTime,
                  id: operation.OperationId,
              }
            : undefined,
    };
}

/** One line for an AWS error other than not-found: the app, the error, and a hint. */
export function awsErrorLine(stack: string, app: string, applicationName: string, region: string, e: unknown): string {
    const err = e as { name?: string; message?: string };
    const name = err?.name && err.name !== "Error" ? err.name : "error";
    const message = String(err?.message ?? e)
        .replace(/\s+/g, " ")
        .trim();
    let hint = "";
    if (/credential/i.test(`${name} ${message}`)) hint = "; log in first (aws sso login, or set AWS_PROFILE)";
    else if (/AccessDenied|not authorized/i.test(`${name} ${message}`)) {
        hint =
            "; the caller needs kinesisanalytics:DescribeApplication, ListApplicationSnapshots and ListApplicationOperations (status), and UpdateApplication (enable-rollback)";
    }
    return `season ${stack}: app ${app} (${applicationName}) in ${region}: ${name}: ${message}${hint}`;
}

export interface SeasonStatusOptions {
    stack: string;
    /** Where Pulumi.<stack>.yaml and sql/ are; the repository by default. */
    repo?: string;
    /** Injected for tests; by default a client in the config's region with the default credential chain. */
    client?: Sendable;
    now?: Date;
    /** Replaces the reader over Pulumi.<stack>.yaml (e.g. to try season: paused). */
    read?: ConfigReader;
}

export interface SeasonStatusResult {
    /** Printed on stdout. */
    lines: string[];
    /** One line printed on stderr instead of the report (a bad config, an AWS error). */
    error?: string;
    exitCode: number;
}

function lakeRefusal(stack: string, repo: string): string {
    return `--stack: '${stack}' is a lake stack; the season commands are for region stacks: ${regionStacks(repo).join(", ") || "(none found)"}`;
}

/** The stack's region config and a client in its region, or the one line that says why not (exit 2). */
function loadStack(opts: SeasonStatusOptions): { config: RegionConfig; client: Sendable } | SeasonStatusResult {
    const repo = opts.repo ?? REPO;
    const { stack } = opts;
    const file = `Pulumi.${stack}.yaml`;
    const fail = (error: string): SeasonStatusResult => ({ lines: [], error, exitCode: 2 });

    let read = opts.read;
    if (!read) {
        if (!fs.existsSync(path.join(repo, file))) return fail(`--stack: '${stack}' is not valid; ${file} does not exist`);
        read = readStackFile(path.join(repo, file));
    }
    let config: RegionConfig;
    try {
        if (parseRole(read) === "lake") return fail(lakeRefusal(stack, repo));
        const catalog = loadSqlCatalog(path.join(repo, "sql"), repo);
        config = parseRegionConfig(read, ...outputNamesOf(catalog.outputs), kaAppOutputs(catalog));
    } catch (e) {
        if (e instanceof ConfigError) return fail(`${file}: ${e.message}`);
        if (e instanceof SqlDefinitionError) return fail(e.message);
        throw e;
    }
    return { config, client: opts.client ?? new KinesisAnalyticsV2Client({ region: config.region }) };
}

/** Runs `work` for every app of the stack, in config order; the first AWS error becomes the one error line (exit 1). */
async function forEachApp<T>(
    opts: SeasonStatusOptions,
    work: (client: Sendable, app: string, applicationName: string) => Promise<T>,
): Promise<{ config: RegionConfig; results: T[] } | SeasonStatusResult> {
    const loaded = loadStack(opts);
    if ("exitCode" in loaded) return loaded;
    const { config, client } = loaded;
    const outcomes = await Promise.all(
        config.apps.map(async (a) => {
            const applicationName = appResourceName({ project: readProjectName(opts.repo ?? REPO), stack: opts.stack }, a.name);
            try {
                return { result: await work(client, a.name, applicationName) };
            } catch (e) {
                return { error: awsErrorLine(opts.stack, a.name, applicationName, config.region, e) };
            }
        }),
    );
    const firstError = outcomes.find((o) => o.error !== undefined)?.error;
    if (firstError) return { lines: [], error: firstError, exitCode: 1 };
    return { config, results: outcomes.map((o) => o.result!) };
}

export async function seasonStatus(opts: SeasonStatusOptions): Promise<SeasonStatusResult> {
    const read = await forEachApp(opts, observeApp);
    if ("exitCode" in read) return read;
    const ctx: Context = { stack: opts.stack, region: read.config.region, now: opts.now ?? new Date() };
    return formatReport(read.results, desiredStatus(read.config.season), ctx);
}

const ROLLBACK_ON = { ApplicationSystemRollbackConfigurationUpdate: { RollbackEnabledUpdate: true } };

/**
 * Turns system rollback on for one app where it is off, with the version id DescribeApplication just
 * returned (UpdateApplication refuses any other). Returns the app's line.
 */
export async function enableAppRollback(
    client: Sendable,
    app: string,
    applicationName: string,
): Promise<{ line: string; enabled: boolean; deployed: boolean }> {
    let detail: ApplicationDetail | undefined;
    try {
        detail = (await client.send(new DescribeApplicationCommand({ ApplicationName: applicationName }))).ApplicationDetail;
    } catch (e) {
        if (!isNotFound(e)) throw e;
    }
    if (!detail) return { line: `${app}  ${applicationName}  not deployed`, enabled: false, deployed: false };
    if (detail.ApplicationConfigurationDescription?.ApplicationSystemRollbackConfigurationDescription?.RollbackEnabled === true) {
        return { line: `${app}  ${applicationName}  rollback already on`, enabled: false, deployed: true };
    }
    const version = detail.ApplicationVersionId!;
    const updated = await client.send(
        new UpdateApplicationCommand({ ApplicationName: applicationName, CurrentApplicationVersionId: version, ApplicationConfigurationUpdate: ROLLBACK_ON }),
    );
    const next = updated.ApplicationDetail?.ApplicationVersionId;
    return { line: `${app}  ${applicationName}  rollback turned on (version ${version} -> ${next ?? "?"})`, enabled: true, deployed: true };
}

/**
 * `enable-rollback`: one line per app, then `season <stack>: rollback on for <n> of <m> apps (<k> turned on now)`
 * and, when any was turned on, the `pulumi refresh` that records the new version ids. Exit 0 when every
 * app has rollback on, 1 when some app is not deployed or on an AWS error, 2 for a bad flag or config.
 */
export async function enableRollback(opts: SeasonStatusOptions): Promise<SeasonStatusResult> {
    const done = await forEachApp(opts, enableAppRollback);
    if ("exitCode" in done) return done;
    const on = done.results.filter((r) => r.deployed).length;
    const turned = done.results.filter((r) => r.enabled).length;
    const lines = [
        ...done.results.map((r) => r.line),
        `season ${opts.stack}: rollback on for ${on} of ${done.results.length} apps (${turned} turned on now)`,
        ...(turned > 0 ? [`next: pulumi refresh -s ${opts.stack} --yes (the stack must learn the apps' new version ids before its next update)`] : []),
        ...(on < done.results.length ? [`deploy the missing apps first: pulumi up -s ${opts.stack}`] : []),
    ];
    return { lines, exitCode: on === done.results.length ? 0 : 1 };
}

function stackFlag(repo: string): (value: string) => string {
    return validated((v) => {
        const file = path.join(repo, `Pulumi.${v}.yaml`);
        if (/^[A-Za-z0-9_.-]+$/.test(v) && fs.existsSync(file)) {
            let role: string | undefined;
            try {
                role = parseRole(readStackFile(file));
            } catch {
                role = undefined;
            }
            if (role === "lake") throw new ArgError(lakeRefusal(v, repo));
        }
        return stackName(v, regionStacks(repo));
    });
}

const USAGE = "usage: npm run season -- status|enable-rollback --stack <name>";

const DESCRIPTIONS: Record<SeasonCommand, string> = {
    status:
        "Whether each Managed Flink app of a region stack is in the state clickstream:season asks for (on: RUNNING, paused: READY). " +
        "Exit 0 when every app is as desired, 1 otherwise or on an AWS error, 2 on a bad flag.",
    "enable-rollback":
        "Turns Managed Flink's system rollback on for every app of a region stack where it is off, then asks for a pulumi refresh. " +
        "Exit 0 when every app has it on, 1 when an app is not deployed or on an AWS error, 2 on a bad flag.",
};

export async function main(argv: string[], deps: Omit<SeasonStatusOptions, "stack"> = {}): Promise<number> {
    const repo = deps.repo ?? REPO;
    const [command, ...rest] = argv;
    if (command === "--help" || command === "-h" || command === "help") {
        process.stdout.write(
            `${USAGE}\n  status           whether each Managed Flink app of the stack is in the state clickstream:season asks for\n` +
                `  enable-rollback  turn Managed Flink's system rollback on for every app of the stack\n`,
        );
        return 0;
    }
    if (command === undefined || !(COMMANDS as readonly string[]).includes(command)) {
        process.stderr.write(`${command === undefined ? "missing command" : `unknown command '${command}'`}; expected: ${COMMANDS.join(", ")} (${USAGE})\n`);
        return 2;
    }
    const program = new Command(`npm run season -- ${command}`)
        .description(DESCRIPTIONS[command as SeasonCommand])
        .requiredOption("--stack <name>", "region stack (Pulumi.<name>.yaml)", stackFlag(repo));
    const o = parseArgs(program, rest);
    if (typeof o === "number") return o;
    const run = command === "status" ? seasonStatus : enableRollback;
    const result = await run({ ...deps, stack: o.stack as string });
    if (result.lines.length > 0) process.stdout.write(result.lines.join("\n") + "\n");
    if (result.error) process.stderr.write(result.error + "\n");
    return result.exitCode;
}

if (require.main === module) {
    // The SDK's multi-line notice that releases after January 2027 need Node 22 would break the one-line output.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (e) => {
            process.stderr.write(`season: ${(e as Error).message}\n`);
            process.exitCode = 1;
        },
    );
}
