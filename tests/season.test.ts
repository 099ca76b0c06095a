import {
    ApplicationOperationInfo,
    DescribeApplicationCommand,
    KinesisAnalyticsV2Client,
    KinesisAnalyticsV2ServiceException,
    ListApplicationOperationsCommand,
    ListApplicationSnapshotsCommand,
    ResourceNotFoundException,
    SnapshotDetails,
    UpdateApplicationCommand,
} from "@aws-sdk/client-kinesis-analytics-v2";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import * as path from "path";
import { readStackFile } from "../lib/config";
import { age, desiredStatus, enableRollback, main, seasonStatus } from "../tools/season";

const REPO = path.resolve(__dirname, "..");
const NOW = new Date("2026-11-30T12:00:00Z");
const START = `aws kinesisanalyticsv2 start-application --application-name clickstream-eu-campaigns --run-configuration '{"ApplicationRestoreConfiguration":{"ApplicationRestoreType":"RESTORE_FROM_LATEST_SNAPSHOT"}}' --region eu-west-1`;

const kda = mockClient(KinesisAnalyticsV2Client);
// A real client whose send() is the mock; credentials are given so that nothing looks for real ones.
const client = new KinesisAnalyticsV2Client({ region: "eu-west-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });

interface AppState {
    status?: string;
    versionId?: number;
    rollback?: boolean;
    snapshots?: SnapshotDetails[];
    operations?: ApplicationOperationInfo[];
}

const snapshot = (app: string, at: string, status = "READY"): SnapshotDetails => ({
    SnapshotName: `clickstream-eu-${app}-${at.slice(0, 16).replace(":", "-")}`,
    SnapshotStatus: status as SnapshotDetails["SnapshotStatus"],
    ApplicationVersionId: 7,
    SnapshotCreationTimestamp: new Date(at),
});
const operation = (type: string, status: string, at: string, id = "op-1"): ApplicationOperationInfo => ({
    Operation: type,
    OperationId: id,
    OperationStatus: status as ApplicationOperationInfo["OperationStatus"],
    StartTime: new Date(at),
    EndTime: new Date(new Date(at).getTime() + 60_000),
});

/** The state of every app of Pulumi.eu.yaml: RUNNING, version 7, rollback on, a snapshot 2 h old, an update 35 min ago. */
function healthy(): Record<string, AppState> {
    return Object.fromEntries(
        ["realtime", "campaigns", "mobile"].map((app) => [
            app,
            {
                status: "RUNNING",
                versionId: 7,
                rollback: true,
                snapshots: [snapshot(app, "2026-11-29T10:00:00Z"), snapshot(app, "2026-11-30T10:00:00Z")],
                operations: [
                    operation("UpdateApplication", "SUCCESSFUL", "2026-11-30T11:25:00Z"),
                    operation("StartApplication", "SUCCESSFUL", "2026-11-29T09:00:00Z", "op-0"),
                ],
            },
        ]),
    );
}

/** Apps missing from `apps` answer ResourceNotFoundException, as AWS does. */
function stub(apps: Record<string, AppState>): void {
    kda.reset();
    kda.on(DescribeApplicationCommand).rejects(new ResourceNotFoundException({ message: "Application not found", $metadata: {} }));
    for (const [app, s] of Object.entries(apps)) {
        const ApplicationName = `clickstream-eu-${app}`;
        kda.on(DescribeApplicationCommand, { ApplicationName }).resolves({
            ApplicationDetail: {
                ApplicationARN: `arn:aws:kinesisanalytics:eu-west-1:123456789012:application/${ApplicationName}`,
                ApplicationName,
                RuntimeEnvironment: "FLINK-1_20",
                ApplicationStatus: s.status as never,
                ApplicationVersionId: s.versionId ?? 7,
                ApplicationConfigurationDescription: { ApplicationSystemRollbackConfigurationDescription: { RollbackEnabled: s.rollback ?? true } },
            },
        });
        kda.on(ListApplicationSnapshotsCommand, { ApplicationName }).resolves({ SnapshotSummaries: s.snapshots ?? [] });
        kda.on(ListApplicationOperationsCommand, { ApplicationName }).resolves({ ApplicationOperationInfoList: s.operations ?? [] });
        kda.on(UpdateApplicationCommand, { ApplicationName }).resolves({
            ApplicationDetail: {
                ApplicationARN: `arn:aws:kinesisanalytics:eu-west-1:123456789012:application/${ApplicationName}`,
                ApplicationName,
                RuntimeEnvironment: "FLINK-1_20",
                ApplicationStatus: "UPDATING",
                ApplicationVersionId: (s.versionId ?? 7) + 1,
            },
        });
    }
}

/** A client error as the SDK throws it. */
const awsError = (name: string, httpStatusCode: number, message: string) =>
    new KinesisAnalyticsV2ServiceException({ name, $fault: "client", $metadata: { httpStatusCode }, message });

const ok = (app: string) =>
    `${app}  clickstream-eu-${app}  desired RUNNING  actual RUNNING  OK  snapshot clickstream-eu-${app}-2026-11-30T10-00 (READY, 2 h ago)  last operation UpdateApplication SUCCESSFUL (35 min ago)  rollback on`;

const run = (over: Partial<Parameters<typeof seasonStatus>[0]> = {}) => seasonStatus({ stack: "eu", repo: REPO, client, now: NOW, ...over });

/** Captures what main writes on stdout and stderr. */
async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const [o, e] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
    process.stdout.write = ((s: string) => out.push(s) > 0) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => err.push(s) > 0) as typeof process.stderr.write;
    try {
        const code = await fn();
        return { code, out: out.join(""), err: err.join("") };
    } finally {
        process.stdout.write = o;
        process.stderr.write = e;
    }
}

describe("season status (tools/season.ts)", () => {
    after(() => kda.restore());

    describe("pure logic", () => {
        it("season on wants RUNNING, paused wants READY", () => {
            expect(desiredStatus("on")).to.equal("RUNNING");
            expect(desiredStatus("paused")).to.equal("READY");
        });

        it("ages are whole minutes, hours below 48 h, then days; a future time is 0 min", () => {
            const at = (iso: string) => age(new Date(iso), NOW);
            expect(at("2026-11-30T11:59:30Z")).to.equal("0 min");
            expect(at("2026-11-30T11:01:00Z")).to.equal("59 min");
            expect(at("2026-11-30T11:00:00Z")).to.equal("1 h");
            expect(at("2026-11-28T12:00:01Z")).to.equal("47 h");
            expect(at("2026-11-28T12:00:00Z")).to.equal("2 d");
            expect(at("2026-12-01T00:00:00Z")).to.equal("0 min");
        });
    });

    describe("Pulumi.eu.yaml (season on, eu-west-1: realtime, campaigns, mobile)", () => {
        it("all RUNNING with a recent snapshot and rollback on: every app OK, exit 0", async () => {
            stub(healthy());
            expect(await run()).to.deep.equal({
                lines: [ok("realtime"), ok("campaigns"), ok("mobile"), "season eu: 3 apps, 3 as desired"],
                exitCode: 0,
            });
            // DescribeApplication, ListApplicationSnapshots and ListApplicationOperations, once per app.
            expect(kda.commandCalls(DescribeApplicationCommand).map((c) => c.args[0].input.ApplicationName)).to.have.members([
                "clickstream-eu-realtime",
                "clickstream-eu-campaigns",
                "clickstream-eu-mobile",
            ]);
            expect(kda.commandCalls(ListApplicationSnapshotsCommand)).to.have.length(3);
            expect(kda.commandCalls(ListApplicationOperationsCommand)).to.have.length(3);
        });

        it("an app READY although the season is on: MISMATCH with the start command, exit 1", async () => {
            const apps = healthy();
            apps.campaigns.status = "READY";
            apps.campaigns.operations = [operation("StartApplication", "FAILED", "2026-11-30T11:40:00Z")];
            stub(apps);
            expect(await run()).to.deep.equal({
                lines: [
                    ok("realtime"),
                    `campaigns  clickstream-eu-campaigns  desired RUNNING  actual READY  MISMATCH  snapshot clickstream-eu-campaigns-2026-11-30T10-00 (READY, 2 h ago)  last operation StartApplication FAILED (20 min ago)  rollback on  season on did not start it; run: ${START}`,
                    ok("mobile"),
                    "season eu: 3 apps, 2 as desired",
                ],
                exitCode: 1,
            });
        });

        it("an app in AUTOSCALING: IN TRANSITION, run again in a minute, exit 1", async () => {
            const apps = healthy();
            apps.mobile.status = "AUTOSCALING";
            stub(apps);
            const r = await run();
            expect(r.lines[2]).to.equal(
                "mobile  clickstream-eu-mobile  desired RUNNING  actual AUTOSCALING  IN TRANSITION  snapshot clickstream-eu-mobile-2026-11-30T10-00 (READY, 2 h ago)  last operation UpdateApplication SUCCESSFUL (35 min ago)  rollback on  still AUTOSCALING; run npm run season -- status --stack eu again in a minute",
            );
            expect(r.lines[3]).to.equal("season eu: 3 apps, 2 as desired");
            expect(r.exitCode).to.equal(1);
        });

        it("an app that does not exist: not deployed, run pulumi up, exit 1", async () => {
            const apps = healthy();
            delete apps.mobile;
            stub(apps);
            expect(await run()).to.deep.equal({
                lines: [
                    ok("realtime"),
                    ok("campaigns"),
                    "mobile  clickstream-eu-mobile  desired RUNNING  actual none  MISMATCH  not deployed: run pulumi up -s eu",
                    "season eu: 3 apps, 2 as desired",
                ],
                exitCode: 1,
            });
        });

        it("the newest operation ROLLED_BACK, found among unsorted operations on two pages: PROBLEM, exit 1", async () => {
            const apps = healthy();
            stub(apps);
            const ApplicationName = "clickstream-eu-realtime";
            kda.on(ListApplicationOperationsCommand, { ApplicationName })
                .resolves({ ApplicationOperationInfoList: [operation("UpdateApplication", "SUCCESSFUL", "2026-11-30T11:25:00Z", "op-1")], NextToken: "page-2" })
                .on(ListApplicationOperationsCommand, { ApplicationName, NextToken: "page-2" })
                .resolves({
                    ApplicationOperationInfoList: [
                        operation("StartApplication", "SUCCESSFUL", "2026-11-29T09:00:00Z", "op-0"),
                        operation("UpdateApplication", "ROLLED_BACK", "2026-11-30T11:50:00Z", "op-2"),
                    ],
                });
            expect(await run()).to.deep.equal({
                lines: [
                    "realtime  clickstream-eu-realtime  desired RUNNING  actual RUNNING  PROBLEM  snapshot clickstream-eu-realtime-2026-11-30T10-00 (READY, 2 h ago)  last operation UpdateApplication ROLLED_BACK (10 min ago)  rollback on  " +
                        "the last operation did not take (the app may run an older version than pulumi deployed); run: aws kinesisanalyticsv2 describe-application-operation --application-name clickstream-eu-realtime --operation-id op-2 --region eu-west-1, fix the cause, then pulumi up -s eu",
                    ok("campaigns"),
                    ok("mobile"),
                    "season eu: 3 apps, 2 as desired",
                ],
                exitCode: 1,
            });
            expect(kda.commandCalls(ListApplicationOperationsCommand, { ApplicationName })).to.have.length(2);
        });

        it("a system rollback (newest operation RollbackApplication) is a PROBLEM too", async () => {
            const apps = healthy();
            apps.campaigns.operations = [
                operation("UpdateApplication", "FAILED", "2026-11-30T11:30:00Z"),
                operation("RollbackApplication", "SUCCESSFUL", "2026-11-30T11:32:00Z", "op-9"),
            ];
            stub(apps);
            const r = await run();
            expect(r.lines[1]).to.match(
                /^campaigns {2}clickstream-eu-campaigns {2}desired RUNNING {2}actual RUNNING {2}PROBLEM {2}.* {2}last operation RollbackApplication SUCCESSFUL \(28 min ago\) {2}rollback on {2}the last operation did not take/,
            );
            expect(r.lines[1]).to.contain("--operation-id op-9 --region eu-west-1");
            expect(r.exitCode).to.equal(1);
        });

        it("rollback off: the line says so and one line names those apps and the enable-rollback command (exit 0: the state is as desired)", async () => {
            const apps = healthy();
            apps.realtime.rollback = false;
            apps.realtime.versionId = 12;
            apps.mobile.rollback = false;
            apps.mobile.versionId = 3;
            stub(apps);
            expect(await run()).to.deep.equal({
                lines: [
                    ok("realtime").replace("rollback on", "rollback off"),
                    ok("campaigns"),
                    ok("mobile").replace("rollback on", "rollback off"),
                    "system rollback is off for realtime, mobile (a failed update then leaves the app stopped); run: npm run season -- enable-rollback --stack eu",
                    "season eu: 3 apps, 3 as desired",
                ],
                exitCode: 0,
            });
        });

        it("no snapshot and no operation yet", async () => {
            const apps = healthy();
            apps.mobile.snapshots = [];
            apps.mobile.operations = [];
            stub(apps);
            expect((await run()).lines[2]).to.equal(
                "mobile  clickstream-eu-mobile  desired RUNNING  actual RUNNING  OK  snapshot none  last operation none  rollback on",
            );
        });

        it("AccessDenied: one line naming the error and the app, no report, exit 1", async () => {
            stub(healthy());
            kda.on(DescribeApplicationCommand, { ApplicationName: "clickstream-eu-campaigns" }).rejects(
                awsError(
                    "AccessDeniedException",
                    403,
                    "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: kinesisanalytics:DescribeApplication\n on resource: clickstream-eu-campaigns",
                ),
            );
            expect(await run()).to.deep.equal({
                lines: [],
                error:
                    "season eu: app campaigns (clickstream-eu-campaigns) in eu-west-1: AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: kinesisanalytics:DescribeApplication on resource: clickstream-eu-campaigns; " +
                    "the caller needs kinesisanalytics:DescribeApplication, ListApplicationSnapshots and ListApplicationOperations (status), and UpdateApplication (enable-rollback)",
                exitCode: 1,
            });
        });

        it("no credentials: one line with how to log in, exit 1", async () => {
            stub(healthy());
            kda.on(DescribeApplicationCommand).rejects(
                Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }),
            );
            const r = await run();
            expect(r.error).to.equal(
                "season eu: app realtime (clickstream-eu-realtime) in eu-west-1: CredentialsProviderError: Could not load credentials from any providers; log in first (aws sso login, or set AWS_PROFILE)",
            );
            expect(r.exitCode).to.equal(1);
        });
    });

    describe("season paused (Pulumi.eu.yaml read with clickstream:season paused)", () => {
        const file = readStackFile(path.join(REPO, "Pulumi.eu.yaml"));
        const paused = (k: string) => (k === "clickstream:season" ? "paused" : file(k));
        const stopped = () => {
            const apps = healthy();
            for (const s of Object.values(apps)) {
                s.status = "READY";
                s.snapshots = [snapshot("x", "2026-11-30T11:58:00Z")];
                s.operations = [operation("StopApplication", "SUCCESSFUL", "2026-11-30T11:57:00Z")];
            }
            return apps;
        };

        it("all READY: OK, exit 0", async () => {
            stub(stopped());
            const r = await run({ read: paused });
            expect(r.lines[0]).to.equal(
                "realtime  clickstream-eu-realtime  desired READY  actual READY  OK  snapshot clickstream-eu-x-2026-11-30T11-58 (READY, 2 min ago)  last operation StopApplication SUCCESSFUL (3 min ago)  rollback on",
            );
            expect(r.lines[3]).to.equal("season eu: 3 apps, 3 as desired");
            expect(r.exitCode).to.equal(0);
        });

        it("an app still RUNNING: the pause did not stop it, with the stop command, exit 1", async () => {
            const apps = stopped();
            apps.realtime = healthy().realtime;
            stub(apps);
            const r = await run({ read: paused });
            expect(r.lines[0]).to.equal(
                "realtime  clickstream-eu-realtime  desired READY  actual RUNNING  MISMATCH  snapshot clickstream-eu-realtime-2026-11-30T10-00 (READY, 2 h ago)  last operation UpdateApplication SUCCESSFUL (35 min ago)  rollback on  " +
                    "the pause did not stop it; run: aws kinesisanalyticsv2 stop-application --application-name clickstream-eu-realtime --region eu-west-1",
            );
            expect(r.lines[3]).to.equal("season eu: 3 apps, 2 as desired");
            expect(r.exitCode).to.equal(1);
        });
    });

    describe("enable-rollback (Pulumi.eu.yaml)", () => {
        const updates = () => kda.commandCalls(UpdateApplicationCommand).map((c) => c.args[0].input);
        const enable = () => enableRollback({ stack: "eu", repo: REPO, client });

        it("turns rollback on, with each app's current version id, only where it is off; then asks for a refresh; exit 0", async () => {
            const apps = healthy();
            apps.realtime.rollback = false;
            apps.realtime.versionId = 12;
            apps.mobile.rollback = false;
            apps.mobile.versionId = 3;
            stub(apps);
            expect(await enable()).to.deep.equal({
                lines: [
                    "realtime  clickstream-eu-realtime  rollback turned on (version 12 -> 13)",
                    "campaigns  clickstream-eu-campaigns  rollback already on",
                    "mobile  clickstream-eu-mobile  rollback turned on (version 3 -> 4)",
                    "season eu: rollback on for 3 of 3 apps (2 turned on now)",
                    "next: pulumi refresh -s eu --yes (the stack must learn the apps' new version ids before its next update)",
                ],
                exitCode: 0,
            });
            const rollbackOn = { ApplicationSystemRollbackConfigurationUpdate: { RollbackEnabledUpdate: true } };
            expect(updates()).to.have.deep.members([
                { ApplicationName: "clickstream-eu-realtime", CurrentApplicationVersionId: 12, ApplicationConfigurationUpdate: rollbackOn },
                { ApplicationName: "clickstream-eu-mobile", CurrentApplicationVersionId: 3, ApplicationConfigurationUpdate: rollbackOn },
            ]);
        });

        it("rollback already on everywhere: no update, no refresh, exit 0", async () => {
            stub(healthy());
            const r = await enable();
            expect(r.lines.slice(-1)).to.deep.equal(["season eu: rollback on for 3 of 3 apps (0 turned on now)"]);
            expect(r.exitCode).to.equal(0);
            expect(updates()).to.deep.equal([]);
        });

        it("an app not deployed: said so, the others are done, exit 1", async () => {
            const apps = healthy();
            delete apps.mobile;
            apps.campaigns.rollback = false;
            stub(apps);
            expect(await enable()).to.deep.equal({
                lines: [
                    "realtime  clickstream-eu-realtime  rollback already on",
                    "campaigns  clickstream-eu-campaigns  rollback turned on (version 7 -> 8)",
                    "mobile  clickstream-eu-mobile  not deployed",
                    "season eu: rollback on for 2 of 3 apps (1 turned on now)",
                    "next: pulumi refresh -s eu --yes (the stack must learn the apps' new version ids before its next update)",
                    "deploy the missing apps first: pulumi up -s eu",
                ],
                exitCode: 1,
            });
        });

        it("an update refused by AWS (the version moved meanwhile): one line naming the app and the error, exit 1", async () => {
            const apps = healthy();
            apps.realtime.rollback = false;
            stub(apps);
            kda.on(UpdateApplicationCommand, { ApplicationName: "clickstream-eu-realtime" }).rejects(
                awsError("ConcurrentModificationException", 400, "Current application version id 7 does not match 8"),
            );
            expect(await enable()).to.deep.equal({
                lines: [],
                error: "season eu: app realtime (clickstream-eu-realtime) in eu-west-1: ConcurrentModificationException: Current application version id 7 does not match 8",
                exitCode: 1,
            });
        });

        it("from the command line: the lines on stdout, the exit code", async () => {
            const apps = healthy();
            apps.mobile.rollback = false;
            stub(apps);
            const r = await capture(() => main(["enable-rollback", "--stack", "eu"], { client, now: NOW }));
            expect(r.code).to.equal(0);
            expect(r.out.split("\n")).to.include("mobile  clickstream-eu-mobile  rollback turned on (version 7 -> 8)");
            expect(r.err).to.equal("");
        });
    });

    describe("command line", () => {
        it("prints the report on stdout and returns its exit code", async () => {
            stub(healthy());
            expect(await capture(() => main(["status", "--stack", "eu"], { client, now: NOW }))).to.deep.equal({
                code: 0,
                out: [ok("realtime"), ok("campaigns"), ok("mobile"), "season eu: 3 apps, 3 as desired", ""].join("\n"),
                err: "",
            });
        });

        it("an AWS error is one line on stderr, exit 1", async () => {
            stub(healthy());
            kda.on(DescribeApplicationCommand).rejects(
                Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }),
            );
            const r = await capture(() => main(["status", "--stack", "eu"], { client, now: NOW }));
            expect(r.code).to.equal(1);
            expect(r.out).to.equal("");
            expect(r.err.split("\n")).to.have.length(2); // one line and its newline
        });

        const bad: [string[], string][] = [
            [["status", "--stack", "xx"], "--stack: 'xx' is not valid; expected a region stack: eu, us\n"],
            [["status", "--stack", "lake"], "--stack: 'lake' is a lake stack; the season commands are for region stacks: eu, us\n"],
            [["status"], "required option '--stack <name>' not specified\n"],
            [["status", "--stack", "eu", "--region", "eu-west-1"], "unknown option '--region'\n"],
            [
                ["start", "--stack", "eu"],
                "unknown command 'start'; expected: status, enable-rollback (usage: npm run season -- status|enable-rollback --stack <name>)\n",
            ],
            [[], "missing command; expected: status, enable-rollback (usage: npm run season -- status|enable-rollback --stack <name>)\n"],
        ];
        for (const [argv, line] of bad) {
            it(`'${argv.join(" ")}': one line on stderr, exit 2, no AWS call`, async () => {
                stub(healthy());
                expect(await capture(() => main(argv, { client, now: NOW }))).to.deep.equal({ code: 2, out: "", err: line });
                expect(kda.calls()).to.have.length(0);
            });
        }

        it("seasonStatus refuses a lake stack with one line, exit 2", async () => {
            expect(await run({ stack: "lake" })).to.deep.equal({
                lines: [],
                error: "--stack: 'lake' is a lake stack; the season commands are for region stacks: eu, us",
                exitCode: 2,
            });
        });
    });
});
