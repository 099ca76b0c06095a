/**
 * A seasonal source region (`eu`, `us`): `pulumi up` for the season, `season: paused` to stop the apps
 * with a snapshot, `pulumi destroy` when it ends. Reads the lake's outputs through a StackReference.
 * Runbook: docs/REGION.md.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ClickstreamAnalytics } from "../components/ClickstreamAnalytics";
import { RegionMonitoring } from "../components/RegionMonitoring";
import { monitoredApps } from "../lib/alarms";
import { RegionConfig } from "../lib/config";
import { appResourceName } from "../lib/naming";
import { currentStackId } from "../lib/pulumi-config";
import { LakeAnalyticsOutputs, preflightRuntimeProperties } from "../lib/region-app";
import { resolveRunnerArtifact } from "../lib/runner-artifact";
import { SqlCatalog } from "../lib/sql/catalog";

export interface RegionStackOptions {
    /** Directory that `clickstream:runnerJar` is relative to. Default: the project root. */
    projectRoot?: string;
}

export function createRegionStack(config: RegionConfig, catalog: SqlCatalog, options: RegionStackOptions = {}): Record<string, unknown> {
    // Checks that need no cloud, before any resource exists: the jar, and every app's properties within
    // Managed Flink's limits (with placeholder ARNs).
    const runner = resolveRunnerArtifact(options.projectRoot ?? path.resolve(__dirname, ".."), config.runnerJar);
    preflightRuntimeProperties(config, catalog);

    const stackId = currentStackId();
    const lake = new pulumi.StackReference(config.lakeStack);
    const lakeOutputs = lake.requireOutput("analyticsOutputs") as pulumi.Output<LakeAnalyticsOutputs>;

    const analytics = new ClickstreamAnalytics("clickstream", {
        region: config.region,
        season: config.season,
        sources: config.sources,
        apps: config.apps,
        catalog,
        lakeOutputs,
        lakeStack: config.lakeStack,
        runner,
        logRetentionDays: config.logRetentionDays,
        stackId,
    });

    const monitoring = new RegionMonitoring("clickstream-monitoring", {
        region: config.region,
        scope: analytics.scope,
        kmsKeyArn: analytics.kmsKey.arn,
        alarmEmails: config.alarmEmails,
        apps: monitoredApps(config.apps, (app) => appResourceName(stackId, app)),
        createdStreams: config.sources.filter((s) => s.mode === "create").map((s) => s.streamName),
        sourceStreams: config.sources.filter((s) => s.mode !== "firehose").map((s) => s.streamName),
        deliveryStreams: config.sources.filter((s) => s.mode === "firehose").map((s) => s.streamName),
        stackId,
    });

    return {
        region: config.region,
        season: config.season,
        lakeStack: config.lakeStack,
        sources: Object.fromEntries(
            Object.entries(analytics.sources).map(([name, s]) => [
                name,
                {
                    streamName: s.streamName,
                    ...(s.streamArn ? { streamArn: s.streamArn } : { bucketArn: s.bucketArn }),
                    mode: s.mode,
                    readMode: s.readMode,
                    consumerArns: Object.fromEntries(Object.entries(s.consumers).map(([app, c]) => [app, c.arn])),
                },
            ]),
        ),
        applications: Object.fromEntries(
            Object.entries(analytics.apps).map(([name, a]) => [name, { name: a.applicationName, arn: a.arn, logGroup: a.logGroup.name, role: a.role.arn }]),
        ),
        artifactsBucket: analytics.artifactsBucket.bucket,
        runnerObjectKey: runner.objectKey,
        kmsKeyArn: analytics.kmsKey.arn,
        alarmTopicArn: monitoring.topic.arn,
        dashboardName: monitoring.dashboard.dashboardName,
    };
}
