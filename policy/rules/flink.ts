/**
 * Managed Service for Apache Flink (`kinesisanalyticsv2`): checkpoints, snapshots with restore from the
 * latest one, logging, and a Flink runtime. Kinesis Data Analytics for SQL is discontinued (no new
 * applications from 2025-10-15; existing ones deleted from 2026-01-27), so it is denied outright.
 */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { MANDATORY, Rule, present } from "./util";

export const flinkCheckpointing: Rule = {
    name: "flink-checkpointing-enabled",
    description: "Managed Flink applications have checkpointing on (cdk-nag KDA3).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.kinesisanalyticsv2.Application, (app, _args, report) => {
        if (!app.runtimeEnvironment?.startsWith("FLINK-")) return;
        const checkpoint = app.applicationConfiguration?.flinkApplicationConfiguration?.checkpointConfiguration;
        if (!checkpoint) {
            report("applicationConfiguration.flinkApplicationConfiguration.checkpointConfiguration is not set; set it explicitly with checkpointing on (KDA3)");
            return;
        }
        // DEFAULT means checkpointing on with the service's interval; CUSTOM must say so.
        if (checkpoint.configurationType === "CUSTOM" && checkpoint.checkpointingEnabled !== true) {
            report("checkpointConfiguration is CUSTOM without checkpointingEnabled: true; turn checkpointing on (KDA3)");
        }
    }),
};

/** The tag FlinkSqlApp sets when `clickstream:apps.<app>.restore: skip` is in the stack's config. */
const RESTORE_TAG = "clickstream:restore";

export const flinkSnapshots: Rule = {
    name: "flink-snapshots-restore-latest",
    description:
        "Managed Flink applications take snapshots and restore from the latest snapshot on update and restart (no state lost on a SQL change or a pause); " +
        `a fresh start (SKIP_RESTORE_FROM_SNAPSHOT) only when the config asks for it (tag ${RESTORE_TAG}=skip).`,
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.kinesisanalyticsv2.Application, (app, _args, report) => {
        if (!app.runtimeEnvironment?.startsWith("FLINK-")) return;
        const configuration = app.applicationConfiguration;
        if (configuration?.applicationSnapshotConfiguration?.snapshotsEnabled !== true) {
            report("applicationConfiguration.applicationSnapshotConfiguration.snapshotsEnabled is not true; turn snapshots on");
        }
        const restore = configuration?.runConfiguration?.applicationRestoreConfiguration?.applicationRestoreType;
        const skipAsked = app.tags?.[RESTORE_TAG] === "skip";
        if (restore === "SKIP_RESTORE_FROM_SNAPSHOT" && !skipAsked) {
            report(
                `runConfiguration.applicationRestoreConfiguration.applicationRestoreType is 'SKIP_RESTORE_FROM_SNAPSHOT' without the tag ${RESTORE_TAG}=skip; ` +
                    "a fresh start drops the state, so it must be asked for in config (clickstream:apps.<app>.restore: skip)",
            );
        } else if (restore !== "RESTORE_FROM_LATEST_SNAPSHOT" && restore !== "SKIP_RESTORE_FROM_SNAPSHOT") {
            report(
                `runConfiguration.applicationRestoreConfiguration.applicationRestoreType is ${restore ? `'${restore}'` : "not set"}; use RESTORE_FROM_LATEST_SNAPSHOT`,
            );
        }
    }),
};

export const flinkLogging: Rule = {
    name: "flink-cloudwatch-logging",
    description: "Managed Flink applications send their logs to CloudWatch Logs (AWS Managed Flink best practices: logging and monitoring).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.kinesisanalyticsv2.Application, (app, _args, report) => {
        if (!present(app.cloudwatchLoggingOptions?.logStreamArn)) {
            report("cloudwatchLoggingOptions.logStreamArn is not set; log to a CloudWatch log stream");
        }
    }),
};

export const flinkRuntime: Rule = {
    name: "flink-runtime-required",
    description: "Managed Flink applications run a FLINK-* runtime; SQL-1_0 (Kinesis Data Analytics for SQL) is discontinued and denied.",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.kinesisanalyticsv2.Application, (app, _args, report) => {
        const runtime = app.runtimeEnvironment;
        if (!/^FLINK-\d+_\d+$/.test(runtime ?? "")) {
            report(`runtimeEnvironment is '${runtime}'; use a Managed Flink runtime such as FLINK-1_20 (KA for SQL is discontinued: deleted from 2026-01-27)`);
        }
    }),
};

export const kinesisAnalyticsSqlDenied: Rule = {
    name: "kinesis-analytics-sql-denied",
    description: "aws.kinesis.AnalyticsApplication (Kinesis Data Analytics for SQL) is never deployed: the service is discontinued (deleted from 2026-01-27).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.kinesis.AnalyticsApplication, (_app, _args, report) => {
        report(
            "Kinesis Data Analytics for SQL is discontinued (no new applications from 2025-10-15, deleted from 2026-01-27); use aws.kinesisanalyticsv2.Application with a FLINK-* runtime",
        );
    }),
};

export const flinkRules: Rule[] = [flinkCheckpointing, flinkSnapshots, flinkLogging, flinkRuntime, kinesisAnalyticsSqlDenied];
