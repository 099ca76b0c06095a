import { expect } from "chai";
import { athenaEnforceConfiguration, athenaMetrics, athenaResultsEncrypted } from "../../policy/rules/athena";
import { flinkCheckpointing, flinkLogging, flinkRuntime, flinkSnapshots, kinesisAnalyticsSqlDenied } from "../../policy/rules/flink";
import { validateResource } from "./harness";

const WORKGROUP = "aws:athena/workgroup:Workgroup";
function goodWorkgroup() {
    return {
        name: "clickstream",
        configuration: {
            enforceWorkgroupConfiguration: true,
            publishCloudwatchMetricsEnabled: true,
            resultConfiguration: {
                outputLocation: "s3://lake/athena-results/",
                encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: "arn:aws:kms:eu-central-1:123456789012:key/k" },
            },
        },
    };
}

describe("policy: Athena", () => {
    it("athena-workgroup-enforce-configuration passes an enforced workgroup", async () => {
        expect(await validateResource(athenaEnforceConfiguration, WORKGROUP, goodWorkgroup())).to.deep.equal([]);
    });
    it("athena-workgroup-enforce-configuration fails when clients may override", async () => {
        const w = goodWorkgroup();
        w.configuration.enforceWorkgroupConfiguration = false;
        expect(await validateResource(athenaEnforceConfiguration, WORKGROUP, w)).to.deep.equal([
            "configuration.enforceWorkgroupConfiguration is false; set it to true (Athena.1, CKV_AWS_82)",
        ]);
    });
    it("athena-workgroup-results-encrypted passes SSE_KMS with a key", async () => {
        expect(await validateResource(athenaResultsEncrypted, WORKGROUP, goodWorkgroup())).to.deep.equal([]);
    });
    it("athena-workgroup-results-encrypted fails unencrypted, SSE_S3, and KMS without a key", async () => {
        const none = { name: "w", configuration: { resultConfiguration: { outputLocation: "s3://lake/r/" } } };
        expect(await validateResource(athenaResultsEncrypted, WORKGROUP, none)).to.deep.equal([
            "configuration.resultConfiguration.encryptionConfiguration.encryptionOption is not set; use SSE_KMS or CSE_KMS (Athena.1, CKV_AWS_159)",
        ]);
        const s3 = goodWorkgroup();
        s3.configuration.resultConfiguration.encryptionConfiguration = { encryptionOption: "SSE_S3", kmsKeyArn: "" };
        expect(await validateResource(athenaResultsEncrypted, WORKGROUP, s3)).to.deep.equal([
            "configuration.resultConfiguration.encryptionConfiguration.encryptionOption is 'SSE_S3'; use SSE_KMS or CSE_KMS (Athena.1, CKV_AWS_159)",
        ]);
        const noKey = goodWorkgroup();
        noKey.configuration.resultConfiguration.encryptionConfiguration = { encryptionOption: "SSE_KMS", kmsKeyArn: "" };
        expect(await validateResource(athenaResultsEncrypted, WORKGROUP, noKey)).to.deep.equal([
            "configuration.resultConfiguration.encryptionConfiguration.kmsKeyArn is not set; SSE_KMS needs a KMS key",
        ]);
    });
    it("athena-workgroup-cloudwatch-metrics passes metrics on", async () => {
        expect(await validateResource(athenaMetrics, WORKGROUP, goodWorkgroup())).to.deep.equal([]);
    });
    it("athena-workgroup-cloudwatch-metrics fails metrics off", async () => {
        const w = goodWorkgroup();
        w.configuration.publishCloudwatchMetricsEnabled = false;
        expect(await validateResource(athenaMetrics, WORKGROUP, w)).to.deep.equal([
            "configuration.publishCloudwatchMetricsEnabled is false; set it to true (Athena.4)",
        ]);
    });
});

const APP = "aws:kinesisanalyticsv2/application:Application";
function goodApp() {
    return {
        name: "clickstream-eu-realtime",
        runtimeEnvironment: "FLINK-1_20",
        serviceExecutionRole: "arn:aws:iam::123456789012:role/app",
        startApplication: true,
        cloudwatchLoggingOptions: { logStreamArn: "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/msf/realtime:log-stream:app" },
        applicationConfiguration: {
            applicationCodeConfiguration: {
                codeContentType: "ZIPFILE",
                codeContent: { s3ContentLocation: { bucketArn: "arn:aws:s3:::artifacts", fileKey: "runner.jar" } },
            },
            applicationSnapshotConfiguration: { snapshotsEnabled: true },
            runConfiguration: { applicationRestoreConfiguration: { applicationRestoreType: "RESTORE_FROM_LATEST_SNAPSHOT" } },
            flinkApplicationConfiguration: {
                checkpointConfiguration: { configurationType: "CUSTOM", checkpointingEnabled: true, checkpointInterval: 60000 },
                parallelismConfiguration: { configurationType: "CUSTOM", parallelism: 2, parallelismPerKpu: 1, autoScalingEnabled: true },
            },
        },
    };
}

describe("policy: Managed Flink", () => {
    it("flink-checkpointing-enabled passes CUSTOM with checkpointing, and DEFAULT", async () => {
        expect(await validateResource(flinkCheckpointing, APP, goodApp())).to.deep.equal([]);
        const d = goodApp();
        d.applicationConfiguration.flinkApplicationConfiguration.checkpointConfiguration = {
            configurationType: "DEFAULT",
            checkpointingEnabled: false,
            checkpointInterval: 0,
        };
        expect(await validateResource(flinkCheckpointing, APP, d)).to.deep.equal([]);
    });
    it("flink-checkpointing-enabled fails CUSTOM without checkpointing, and a missing configuration", async () => {
        const a = goodApp();
        a.applicationConfiguration.flinkApplicationConfiguration.checkpointConfiguration.checkpointingEnabled = false;
        expect(await validateResource(flinkCheckpointing, APP, a)).to.deep.equal([
            "checkpointConfiguration is CUSTOM without checkpointingEnabled: true; turn checkpointing on (KDA3)",
        ]);
        const b = goodApp() as { applicationConfiguration: { flinkApplicationConfiguration: Record<string, unknown> } };
        delete b.applicationConfiguration.flinkApplicationConfiguration.checkpointConfiguration;
        expect(await validateResource(flinkCheckpointing, APP, b)).to.deep.equal([
            "applicationConfiguration.flinkApplicationConfiguration.checkpointConfiguration is not set; set it explicitly with checkpointing on (KDA3)",
        ]);
    });
    it("flink-snapshots-restore-latest passes snapshots with restore from the latest", async () => {
        expect(await validateResource(flinkSnapshots, APP, goodApp())).to.deep.equal([]);
    });
    it("flink-snapshots-restore-latest fails snapshots off and a skip-restore", async () => {
        const a = goodApp();
        a.applicationConfiguration.applicationSnapshotConfiguration.snapshotsEnabled = false;
        a.applicationConfiguration.runConfiguration.applicationRestoreConfiguration.applicationRestoreType = "SKIP_RESTORE_FROM_SNAPSHOT";
        expect(await validateResource(flinkSnapshots, APP, a)).to.deep.equal([
            "applicationConfiguration.applicationSnapshotConfiguration.snapshotsEnabled is not true; turn snapshots on",
            "runConfiguration.applicationRestoreConfiguration.applicationRestoreType is 'SKIP_RESTORE_FROM_SNAPSHOT' without the tag clickstream:restore=skip; a fresh start drops the state, so it must be asked for in config (clickstream:apps.<app>.restore: skip)",
        ]);
        const b = goodApp();
        b.applicationConfiguration.runConfiguration.applicationRestoreConfiguration.applicationRestoreType = "RESTORE_FROM_CUSTOM_SNAPSHOT";
        expect(await validateResource(flinkSnapshots, APP, b)).to.deep.equal([
            "runConfiguration.applicationRestoreConfiguration.applicationRestoreType is 'RESTORE_FROM_CUSTOM_SNAPSHOT'; use RESTORE_FROM_LATEST_SNAPSHOT",
        ]);
    });
    it("flink-snapshots-restore-latest passes a skip-restore that the config asked for (tag clickstream:restore=skip)", async () => {
        const a = goodApp() as ReturnType<typeof goodApp> & { tags?: Record<string, string> };
        a.applicationConfiguration.runConfiguration.applicationRestoreConfiguration.applicationRestoreType = "SKIP_RESTORE_FROM_SNAPSHOT";
        a.tags = { "clickstream:restore": "skip" };
        expect(await validateResource(flinkSnapshots, APP, a)).to.deep.equal([]);
    });
    it("flink-cloudwatch-logging passes a log stream", async () => {
        expect(await validateResource(flinkLogging, APP, goodApp())).to.deep.equal([]);
    });
    it("flink-cloudwatch-logging fails without logging", async () => {
        const a = goodApp() as Record<string, unknown>;
        delete a.cloudwatchLoggingOptions;
        expect(await validateResource(flinkLogging, APP, a)).to.deep.equal([
            "cloudwatchLoggingOptions.logStreamArn is not set; log to a CloudWatch log stream",
        ]);
    });
    it("flink-runtime-required passes FLINK-1_20", async () => {
        expect(await validateResource(flinkRuntime, APP, goodApp())).to.deep.equal([]);
    });
    it("flink-runtime-required denies SQL-1_0", async () => {
        const a = { ...goodApp(), runtimeEnvironment: "SQL-1_0" };
        expect(await validateResource(flinkRuntime, APP, a)).to.deep.equal([
            "runtimeEnvironment is 'SQL-1_0'; use a Managed Flink runtime such as FLINK-1_20 (KA for SQL is discontinued: deleted from 2026-01-27)",
        ]);
    });
    it("kinesis-analytics-sql-denied denies any aws.kinesis.AnalyticsApplication", async () => {
        expect(
            await validateResource(kinesisAnalyticsSqlDenied, "aws:kinesis/analyticsApplication:AnalyticsApplication", { name: "legacy", code: "SELECT 1" }),
        ).to.deep.equal([
            "Kinesis Data Analytics for SQL is discontinued (no new applications from 2025-10-15, deleted from 2026-01-27); use aws.kinesisanalyticsv2.Application with a FLINK-* runtime",
        ]);
    });
    it("kinesis-analytics-sql-denied lets a Managed Flink application pass", async () => {
        expect(await validateResource(kinesisAnalyticsSqlDenied, APP, goodApp())).to.equal(undefined);
    });
});
