import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AppConfig, Season, SourceStreamConfig } from "../lib/config";
import { AccountScope } from "../lib/iam/documents";
import { regionKeyPolicy, SourceAccess } from "../lib/iam/region-policies";
import { appResourceName, keyAliasName, StackId } from "../lib/naming";
import { currentStackId } from "../lib/pulumi-config";
import { accountScope } from "./account-scope";
import { appLakeOutputs, appRuntimeProperties, LakeAnalyticsOutputs, ResolvedSource } from "../lib/region-app";
import { RunnerArtifact } from "../lib/runner-artifact";
import { SqlCatalog } from "../lib/sql/catalog";
import { FlinkSqlApp } from "./FlinkSqlApp";
import { secureBucketSettings } from "./secure-bucket";
import { SourceStream } from "./SourceStream";

export interface ClickstreamAnalyticsArgs {
    /** Source region (`aws:region`); stamped on every output row. */
    readonly region: string;
    /** `on`: apps run. `paused`: apps stopped with a snapshot, streams kept. Default `on`. */
    readonly season?: Season;
    /** Source streams (`clickstream:sources`). Decide which streams and consumers exist. */
    readonly sources: SourceStreamConfig[];
    /** Analytics apps (`clickstream:apps`). One Managed Flink application each. */
    readonly apps: AppConfig[];
    /** The SQL catalog (`sql/`): statements and outputs. */
    readonly catalog: SqlCatalog;
    /** The lake stack's `analyticsOutputs` (Firehose name/ARN/region per output). */
    readonly lakeOutputs: pulumi.Input<LakeAnalyticsOutputs>;
    /** Fully qualified lake stack name, for messages. */
    readonly lakeStack: string;
    /** The checked runner jar (see `resolveRunnerArtifact`). */
    readonly runner: RunnerArtifact;
    /** CloudWatch Logs retention in days. Default 30. */
    readonly logRetentionDays?: number;
    /** Project and stack, for physical names (lib/naming.ts). Default the running stack's. */
    readonly stackId?: StackId;
}

/**
 * The seasonal regional pipeline: the region's KMS key, the source streams (created, or attached through
 * their own EFO consumers), the runner jar in an encrypted artifacts bucket, and one Managed Flink SQL app
 * per analytics app, wired to the lake's Firehoses. Everything here is seasonal: `pulumi destroy` of the
 * region stack removes all of it and nothing of the lake.
 */
export class ClickstreamAnalytics extends pulumi.ComponentResource {
    /** Region key (rotation on): created streams, artifacts bucket, log groups, alarm topic. */
    public readonly kmsKey: aws.kms.Key;
    public readonly artifactsBucket: aws.s3.Bucket;
    public readonly runnerObject: aws.s3.BucketObjectv2;
    public readonly sources: Record<string, SourceStream>;
    public readonly apps: Record<string, FlinkSqlApp>;
    public readonly scope: pulumi.Output<AccountScope>;

    constructor(name: string, args: ClickstreamAnalyticsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clickstream:index:ClickstreamAnalytics", name, {}, opts);
        const stackId = args.stackId ?? currentStackId();
        const season = args.season ?? "on";
        this.scope = accountScope(args.region, { parent: this });

        this.kmsKey = new aws.kms.Key(
            `${name}-key`,
            {
                description: `${stackId.project} ${stackId.stack} (${args.region}): streams, runner artifacts, logs, alarm topic`,
                enableKeyRotation: true,
                // A region is seasonal: destroy schedules the key's deletion with it (the lake's key is retained).
                deletionWindowInDays: 7,
                policy: pulumi.jsonStringify(this.scope.apply(regionKeyPolicy)),
            },
            { parent: this },
        );
        new aws.kms.Alias(`${name}-key-alias`, { name: keyAliasName(stackId), targetKeyId: this.kmsKey.keyId }, { parent: this });

        // Artifacts bucket: the runner jar only (rebuildable), so destroy may empty it (forceDestroy).
        this.artifactsBucket = new aws.s3.Bucket(`${name}-artifacts`, { forceDestroy: true }, { parent: this });
        const bucket = this.artifactsBucket.bucket;
        const { encryption, versioning } = secureBucketSettings(`${name}-artifacts`, {
            bucket,
            bucketArn: this.artifactsBucket.arn,
            kmsKeyArn: this.kmsKey.arn,
            lifecycleRules: [
                { id: "expire-replaced-jars", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 7 } },
                { id: "abort-incomplete-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
            ],
            options: () => ({ parent: this }),
        });
        this.runnerObject = new aws.s3.BucketObjectv2(
            `${name}-runner-jar`,
            {
                bucket,
                key: args.runner.objectKey,
                source: new pulumi.asset.FileAsset(args.runner.path),
                contentType: "application/java-archive",
                serverSideEncryption: "aws:kms",
                kmsKeyId: this.kmsKey.arn,
                bucketKeyEnabled: true,
            },
            // After versioning is on: the apps pin the object's version id, which an upload made before
            // it would lack (it would read "null" and change once versioning starts).
            { parent: this, dependsOn: [encryption, versioning] },
        );

        // Sources, with the apps reading each (one EFO consumer per app on an attached stream).
        this.sources = {};
        for (const source of args.sources) {
            this.sources[source.name] = new SourceStream(
                `${name}-src-${source.name}`,
                {
                    source,
                    readers: args.apps.filter((a) => a.source === source.name).map((a) => a.name),
                    kmsKey: source.mode === "create" ? this.kmsKey : undefined,
                    stackId,
                },
                { parent: this },
            );
        }

        this.apps = {};
        for (const app of args.apps) {
            const source = this.sources[app.source];
            const access = source.accessFor(app.name);
            const lake = pulumi.output(args.lakeOutputs);
            // Plain data only: the properties are computed from resolved values; no resource is created here.
            const propertyGroups = pulumi.all([lake, access]).apply(([lakeOutputs, a]) =>
                appRuntimeProperties({
                    app,
                    catalog: args.catalog,
                    sourceRegion: args.region,
                    source: resolvedSource(app, a),
                    lake: lakeOutputs,
                    lakeStack: args.lakeStack,
                }),
            );
            const firehoseArns = lake.apply((l) => appLakeOutputs(app, args.catalog, l, args.lakeStack).map((o) => o.firehoseArn));
            this.apps[app.name] = new FlinkSqlApp(
                `${name}-app-${app.name}`,
                {
                    appName: app.name,
                    parallelism: app.parallelism,
                    parallelismPerKpu: app.parallelismPerKpu,
                    autoScaling: app.autoScaling,
                    checkpointIntervalMs: app.checkpointIntervalMs,
                    restore: app.restore,
                    applicationName: appResourceName(stackId, app.name),
                    scope: this.scope,
                    start: season === "on",
                    propertyGroups,
                    source: access,
                    sourceKey: source.sourceKey,
                    firehoseArns,
                    code: { bucketArn: this.artifactsBucket.arn, objectKey: this.runnerObject.key, objectVersion: this.runnerObject.versionId },
                    kmsKeyArn: this.kmsKey.arn,
                    logRetentionDays: args.logRetentionDays,
                },
                { parent: this, dependsOn: [this.runnerObject] },
            );
        }

        this.registerOutputs({
            kmsKeyArn: this.kmsKey.arn,
            artifactsBucket: this.artifactsBucket.bucket,
            runnerObjectKey: this.runnerObject.key,
            applications: Object.fromEntries(Object.entries(this.apps).map(([k, a]) => [k, a.arn])),
        });
    }
}

/** How an app reads its source, from its config and what the source component resolved (the EFO consumer's ARN). */
function resolvedSource(app: AppConfig, access: SourceAccess): ResolvedSource {
    if (app.read.readMode !== "EFO") return { streamName: app.streamName, ...app.read };
    if (access.readMode !== "EFO") throw new Error(`app '${app.name}': source '${app.source}' has no EFO consumer for it`);
    return { streamName: app.streamName, readMode: "EFO", consumerArn: access.consumerArn };
}
