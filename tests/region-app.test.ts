/** Pure logic of the region apps: names, lake wiring, property preflight, the runner jar check. */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { minPauseBetweenCheckpoints } from "../components/FlinkSqlApp";
import { regionDashboardBody } from "../components/RegionMonitoring";
import { AppConfig, RegionConfig, ConfigError } from "../lib/config";
import { appResourceName, flinkLogGroupName } from "../lib/naming";
import { appLakeOutputs, appRuntimeProperties, preflightRuntimeProperties } from "../lib/region-app";
import { RunnerArtifactError, resolveRunnerArtifact, runnerObjectKey } from "../lib/runner-artifact";
import { RuntimePropertiesError } from "../lib/runtime-properties";
import { loadSqlCatalog } from "../lib/sql/catalog";
import { fixtureCatalog, fixtureSqlDir, lakeOutputs, tempJar } from "./region-fixtures";

const app = (outputs: string[], name = "realtime"): AppConfig => ({
    name,
    source: "web",
    streamName: "web",
    read: { readMode: "POLLING", pollIntervalMs: 200 },
    outputs,
    parallelism: 1,
    parallelismPerKpu: 1,
    autoScaling: true,
    startPosition: "TRIM_HORIZON",
    restore: "latest",
    checkpointIntervalMs: 60000,
});

describe("region apps: pure logic", () => {
    it("names applications, consumers and log groups after stack and app", () => {
        expect(appResourceName({ project: "clickstream", stack: "eu" }, "realtime")).to.equal("clickstream-eu-realtime");
        expect(appResourceName({ project: "acme", stack: "us" }, "mobile")).to.equal("acme-us-mobile");
        expect(flinkLogGroupName("clickstream-eu-realtime")).to.equal("/aws/kinesis-analytics/clickstream-eu-realtime");
    });

    it("caps the pause between checkpoints at 5 s and at half the interval", () => {
        expect(minPauseBetweenCheckpoints(60000)).to.equal(5000);
        expect(minPauseBetweenCheckpoints(4000)).to.equal(2000);
    });

    it("an output missing from the lake fails naming it and the lake stack to update", () => {
        const catalog = fixtureCatalog();
        const lake = lakeOutputs(["clicks_1m"]);
        expect(appLakeOutputs(app(["clicks_1m"]), catalog, lake, "acme/clickstream/lake").map((o) => o.firehoseName)).to.deep.equal([
            "clickstream-lake-clicks_1m",
        ]);
        expect(() => appLakeOutputs(app(["clicks_1m", "active_users_1m"]), catalog, lake, "acme/clickstream/lake")).to.throw(
            RuntimePropertiesError,
            "app 'realtime': the lake stack acme/clickstream/lake has no analytics output 'active_users_1m'; run `pulumi up -s lake` first so that its Firehose exists",
        );
    });

    it("a local run gets the deployment's properties plus only loopback endpoints, credentials and runner options", () => {
        const args = {
            app: app(["clicks_1m"]),
            catalog: fixtureCatalog(),
            sourceRegion: "eu-west-1",
            source: { streamName: "clickstream-eu-web", readMode: "POLLING" as const },
            lake: lakeOutputs(["clicks_1m"]),
            lakeStack: "acme/clickstream/lake",
        };
        const deployed = appRuntimeProperties(args);
        const local = appRuntimeProperties({
            ...args,
            local: { kinesisEndpoint: "http://127.0.0.1:4567", firehoseEndpoint: "http://127.0.0.1:4600", runnerOptions: { "local.parallelism": "1" } },
        });
        const group = (groups: typeof deployed, id: string) => groups.find((g) => g.PropertyGroupId === id)!.PropertyMap;
        expect(local.map((g) => g.PropertyGroupId)).to.deep.equal(deployed.map((g) => g.PropertyGroupId));
        expect(group(local, "runner")).to.deep.equal({ ...group(deployed, "runner"), "local.parallelism": "1" });
        expect(group(local, "sql.000")).to.deep.equal(group(deployed, "sql.000"));
        const credentials = {
            "aws.trust.all.certificates": "true",
            "aws.credentials.provider": "BASIC",
            "aws.credentials.basic.accesskeyid": "local",
            "aws.credentials.basic.secretkey": "local",
        };
        expect(group(local, "table.clickstream_raw")).to.deep.equal({
            ...group(deployed, "table.clickstream_raw"),
            "aws.endpoint": "http://127.0.0.1:4567",
            ...credentials,
        });
        expect(group(local, "table.clicks_1m")).to.deep.equal({
            ...group(deployed, "table.clicks_1m"),
            "aws.endpoint": "http://127.0.0.1:4600",
            ...credentials,
        });
    });

    it("preflight fails up front, naming the app, when its SQL cannot fit Managed Flink's property limits", () => {
        // 50 outputs: runner + SQL + source + 50 table groups exceed the 50 groups Managed Flink allows.
        const sql = fixtureSqlDir(Array.from({ length: 44 }, (_, i) => `extra_${i}`));
        const dir = path.dirname(sql);
        const catalog = loadSqlCatalog(sql, dir);
        const region = (mode: "create" | "attach"): RegionConfig => ({
            role: "region",
            region: "eu-west-1",
            season: "on",
            lakeStack: "acme/clickstream/lake",
            sources: [{ name: "web", streamName: "web", mode, capacity: "on-demand", retentionHours: 48 }],
            apps: [{ ...app(catalog.outputs.map((o) => o.name)), ...(mode === "attach" ? { read: { readMode: "EFO" } } : {}) }],
            runnerJar: "runner/target/clickstream-runner.jar",
            logRetentionDays: 30,
            alarmEmails: [],
        });
        expect(() => preflightRuntimeProperties(region("create"), catalog)).to.throw(RuntimePropertiesError, /app 'realtime': needs \d+ property groups/);
        expect(() => preflightRuntimeProperties(region("attach"), fixtureCatalog())).to.not.throw();
    });

    it("the runner jar: a content-hash key; missing → RunnerArtifactError (a ConfigError) in one line", () => {
        const jar = tempJar("jar bytes");
        const artifact = resolveRunnerArtifact(jar.dir, "runner/target/clickstream-runner.jar");
        expect(artifact).to.deep.equal({ path: jar.file, sha256: jar.sha256, objectKey: runnerObjectKey(jar.sha256), sizeBytes: 9 });
        expect(artifact.objectKey).to.equal(`runner/clickstream-runner-${jar.sha256.slice(0, 16)}.jar`);
        expect(resolveRunnerArtifact(tempJar("other bytes").dir, "runner/target/clickstream-runner.jar").objectKey).to.not.equal(artifact.objectKey);
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "clickstream-nojar-"));
        expect(() => resolveRunnerArtifact(empty, "runner/target/clickstream-runner.jar"))
            .to.throw(
                RunnerArtifactError,
                /^clickstream:runnerJar: runner jar 'runner\/target\/clickstream-runner.jar' not found at .*; build it with `npm run build:runner` \(Maven\) and run again$/,
            )
            .and.to.be.instanceOf(ConfigError);
    });

    it("the dashboard has no throttling widget when the region created no stream", () => {
        const body = regionDashboardBody({
            region: "eu-west-1",
            apps: [{ name: "a", applicationName: "clickstream-eu-a", streamName: "s", readMode: "POLLING" }],
            sourceStreams: ["s"],
            createdStreams: [],
            lagThresholdMs: 60000,
        });
        expect((body.widgets as { properties: { title: string } }[]).map((w) => w.properties.title)).to.deep.equal([
            "Records in (Kinesis and Firehose IncomingRecords, sum/min)",
            "App lag (ms behind the stream's tip: iterator age when polling, the consumer's when EFO; max)",
            "Records out (numRecordsOutPerSecond)",
            "Downtime (ms)",
            "Failed checkpoints (since start)",
            "Restarts (since start)",
        ]);
    });
});
