import { createHash } from "crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccountScope } from "../lib/iam/documents";
import { flinkAppPolicy, flinkAssumeRolePolicy, SourceAccess, SourceKey } from "../lib/iam/region-policies";
import { flinkLogGroupName } from "../lib/naming";
import { PropertyGroup } from "../lib/runtime-properties";
import { FLINK_RUNTIME } from "../lib/versions";

export interface FlinkSqlAppArgs {
    /** The app's config key (`clickstream:apps.<app>`), for the description. */
    readonly appName: string;
    /** Initial parallelism, and how many parallel tasks one KPU runs. */
    readonly parallelism: number;
    readonly parallelismPerKpu: number;
    /** Let Managed Flink scale parallelism with CPU. */
    readonly autoScaling: boolean;
    readonly checkpointIntervalMs: number;
    /** `latest`: every start and update restores the latest snapshot; `skip`: they start without state. */
    readonly restore: "latest" | "skip";
    /** Physical application name (plain, so alarms and dashboards know it at plan time). */
    readonly applicationName: string;
    /** Where the app runs: partition, account and region. */
    readonly scope: pulumi.Input<AccountScope>;
    /** Whether the application runs (`season: on`) or is stopped with a snapshot (`season: paused`). */
    readonly start: boolean;
    /** Runtime properties from `appRuntimeProperties` (SQL bundle and connector options). */
    readonly propertyGroups: pulumi.Input<PropertyGroup[]>;
    /** How it reads its source: polling the stream, or through its own EFO consumer (`SourceStream.accessFor`). */
    readonly source: pulumi.Input<SourceAccess>;
    /** Encryption of the source stream. */
    readonly sourceKey: pulumi.Input<SourceKey>;
    /** The lake Firehose ARNs of this app's outputs. */
    readonly firehoseArns: pulumi.Input<string[]>;
    /** The runner jar: artifacts bucket ARN, object key and (versioned bucket) version id. */
    readonly code: { bucketArn: pulumi.Input<string>; objectKey: pulumi.Input<string>; objectVersion?: pulumi.Input<string | undefined> };
    /** The region key: encrypts the artifacts bucket and the log group. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** CloudWatch Logs retention in days. Default 30. */
    readonly logRetentionDays?: number;
    /** Managed Flink metrics level. Default `APPLICATION` (what the alarms and dashboard use; cheapest). */
    readonly metricsLevel?: "APPLICATION" | "TASK" | "OPERATOR" | "PARALLELISM";
}

/**
 * One analytics app on Amazon Managed Service for Apache Flink: the generic runner jar executing the
 * app's Flink SQL, which arrives as runtime properties (a SQL change is one `pulumi up`, no jar rebuild).
 * With it: its least-privilege role, its KMS-encrypted log group and stream, checkpoints, snapshots,
 * restore from the latest snapshot, and parallelism/autoscaling from config.
 */
export class FlinkSqlApp extends pulumi.ComponentResource {
    public readonly applicationName: string;
    public readonly application: aws.kinesisanalyticsv2.Application;
    public readonly role: aws.iam.Role;
    public readonly logGroup: aws.cloudwatch.LogGroup;
    public readonly logStream: aws.cloudwatch.LogStream;
    public readonly arn: pulumi.Output<string>;

    constructor(name: string, args: FlinkSqlAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clickstream:index:FlinkSqlApp", name, {}, opts);
        this.applicationName = args.applicationName;

        this.logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: flinkLogGroupName(args.applicationName), retentionInDays: args.logRetentionDays ?? 30, kmsKeyId: args.kmsKeyArn },
            { parent: this },
        );
        this.logStream = new aws.cloudwatch.LogStream(`${name}-log-stream`, { name: "flink", logGroupName: this.logGroup.name }, { parent: this });

        const scope = pulumi.output(args.scope);
        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `Managed Flink application ${args.applicationName}: its source, the lake Firehoses of its outputs, its code and logs`,
                assumeRolePolicy: pulumi.jsonStringify(scope.apply((s) => flinkAssumeRolePolicy(s, args.applicationName))),
            },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: this.role.id,
                policy: pulumi.jsonStringify(
                    pulumi
                        .output({
                            scope,
                            source: args.source,
                            sourceKey: args.sourceKey,
                            firehoseArns: args.firehoseArns,
                            bucketArn: args.code.bucketArn,
                            objectKey: args.code.objectKey,
                            keyArn: args.kmsKeyArn,
                            logGroupArn: this.logGroup.arn,
                            logStreamArn: this.logStream.arn,
                        })
                        .apply((v) =>
                            flinkAppPolicy({
                                scope: v.scope,
                                source: v.source as SourceAccess,
                                sourceKey: v.sourceKey as SourceKey,
                                firehoseArns: v.firehoseArns,
                                runnerObjectArn: `${v.bucketArn}/${v.objectKey}`,
                                artifactsKeyArn: v.keyArn,
                                logGroupArn: v.logGroupArn,
                                logStreamArn: v.logStreamArn,
                            }),
                        ),
                ),
            },
            { parent: this },
        );

        this.application = new aws.kinesisanalyticsv2.Application(
            `${name}-flink`,
            {
                name: args.applicationName,
                description: `Clickstream Flink SQL app '${args.appName}' (generic runner, SQL from runtime properties)`,
                runtimeEnvironment: FLINK_RUNTIME,
                applicationMode: "STREAMING",
                serviceExecutionRole: this.role.arn,
                // `season: paused` stops the app. With snapshots enabled and no force, Managed Flink takes a
                // snapshot on stop; `season: on` starts it again from that snapshot (runConfiguration below).
                startApplication: args.start,
                forceStop: false,
                applicationConfiguration: {
                    applicationCodeConfiguration: {
                        codeContentType: "ZIPFILE",
                        codeContent: {
                            s3ContentLocation: { bucketArn: args.code.bucketArn, fileKey: args.code.objectKey, objectVersion: args.code.objectVersion },
                        },
                    },
                    applicationSnapshotConfiguration: { snapshotsEnabled: true },
                    environmentProperties: {
                        propertyGroups: pulumi
                            .output(args.propertyGroups)
                            .apply((groups) => groups.map((g) => ({ propertyGroupId: g.PropertyGroupId, propertyMap: g.PropertyMap }))),
                    },
                    flinkApplicationConfiguration: {
                        checkpointConfiguration: {
                            configurationType: "CUSTOM",
                            checkpointingEnabled: true,
                            checkpointInterval: args.checkpointIntervalMs,
                            minPauseBetweenCheckpoints: minPauseBetweenCheckpoints(args.checkpointIntervalMs),
                        },
                        monitoringConfiguration: { configurationType: "CUSTOM", logLevel: "INFO", metricsLevel: args.metricsLevel ?? "APPLICATION" },
                        parallelismConfiguration: {
                            configurationType: "CUSTOM",
                            parallelism: args.parallelism,
                            parallelismPerKpu: args.parallelismPerKpu,
                            autoScalingEnabled: args.autoScaling,
                        },
                    },
                    runConfiguration: {
                        // Every start and every update (a SQL change is an update) restores the latest snapshot,
                        // unless the config asks for a fresh start (restore: skip; then startPosition applies).
                        applicationRestoreConfiguration: {
                            applicationRestoreType: args.restore === "skip" ? "SKIP_RESTORE_FROM_SNAPSHOT" : "RESTORE_FROM_LATEST_SNAPSHOT",
                            // Ignored with these restore types: it changes with every update, so that every update
                            // sends allowNonRestoredState (see updateToken). Not with the season: a pause or a resume
                            // is a stop or a start, and StartApplication carries this run configuration itself; an
                            // update on top would restart a running app once more before it stops.
                            snapshotName: pulumi.all([args.propertyGroups, args.code.objectKey, args.code.objectVersion]).apply(([groups, key, version]) =>
                                updateToken({
                                    groups,
                                    key,
                                    version,
                                    parallelism: [args.parallelism, args.parallelismPerKpu, args.autoScaling],
                                    checkpointIntervalMs: args.checkpointIntervalMs,
                                    restore: args.restore,
                                }),
                            ),
                        },
                        // A SQL change alters the job graph; state that no longer maps to an operator is dropped
                        // instead of failing the restore (a failed restore is a stopped pipeline: the KA lesson).
                        // The runner's stable operator uids keep the state of everything the change did not
                        // touch, the source's offsets included (docs/REGION.md).
                        flinkRunConfiguration: { allowNonRestoredState: true },
                    },
                },
                cloudwatchLoggingOptions: { logStreamArn: this.logStream.arn },
                ...(args.restore === "skip" ? { tags: { [RESTORE_TAG]: "skip" } } : {}),
            },
            { parent: this, dependsOn: [policy] },
        );
        this.arn = this.application.arn;

        this.registerOutputs({ applicationName: this.applicationName, arn: this.arn, roleArn: this.role.arn, logGroup: this.logGroup.name });
    }
}

/**
 * The value that makes every application update carry the run configuration: the Terraform provider
 * behind `aws.kinesisanalyticsv2.Application` sends `RunConfigurationUpdate` only when that block
 * changed, and Managed Flink resets `allowNonRestoredState` to false when an update omits it (a SQL
 * change that drops an operator would then fail its restore). `snapshotName` is read only with
 * `RESTORE_FROM_CUSTOM_SNAPSHOT`; with the other restore types it is ignored, so it carries a hash of
 * everything an update changes. Pure.
 */
export function updateToken(update: unknown): string {
    return `update-${createHash("sha256").update(JSON.stringify(update)).digest("hex").slice(0, 16)}`;
}

/** The tag that says a skip-restore was asked for in config (`clickstream:apps.<app>.restore: skip`); the policy pack reads it. */
export const RESTORE_TAG = "clickstream:restore";

/** Managed Flink's default minimum pause between checkpoints, capped at half the interval. */
export function minPauseBetweenCheckpoints(checkpointIntervalMs: number): number {
    return Math.min(5000, Math.floor(checkpointIntervalMs / 2));
}
