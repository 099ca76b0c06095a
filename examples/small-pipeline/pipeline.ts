/**
 * A small pipeline from the clickstream package's components, for another Pulumi program: a lake (KMS key
 * and bucket), a Glue database, one `AnalyticsOutput` (Glue table and Firehose) per file of this example's
 * own `sql/outputs/`, and `ClickstreamAnalytics` (the stream and one Managed Flink app per configured app)
 * writing to those Firehoses. Everything comes from the package entry point.
 */
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    accountScope,
    AnalyticsOutput,
    ClickstreamAnalytics,
    ConfigReader,
    DataLake,
    firehoseName,
    LakeAnalyticsOutputs,
    lakeBucketName,
    loadSqlCatalog,
    outputNamesOf,
    parsePipelineConfig,
    resolveRunnerArtifact,
    StackId,
} from "../../components";

export interface SmallPipelineArgs {
    /** The example's `clickstream:` config (sources and apps), checked by the package's parser. */
    readonly config: ConfigReader;
    /** Its SQL folder: `sources/` and `outputs/`. */
    readonly sqlDir: string;
    /** The runner jar (`npm run build:runner` in the package). */
    readonly runnerJar: string;
    readonly stackId: StackId;
}

export function smallPipeline(args: SmallPipelineArgs): {
    bucket: pulumi.Output<string>;
    firehoses: pulumi.Output<string>[];
    applications: pulumi.Output<string>[];
} {
    const catalog = loadSqlCatalog(args.sqlDir);
    const region = parsePipelineConfig(args.config, ...outputNamesOf(catalog.outputs));
    const scope = accountScope(region.region);

    const lake = new DataLake("small-lake", {
        scope,
        stackId: args.stackId,
        bucketName: scope.apply((s) => lakeBucketName(args.stackId, s.accountId, region.region)),
    });
    const database = new aws.glue.CatalogDatabase("small-database", { name: "small_clickstream" });
    const outputs = catalog.outputs.map(
        (output) =>
            new AnalyticsOutput(output.name, {
                output,
                scope,
                databaseName: database.name,
                bucketName: lake.bucketName,
                bucketArn: lake.bucketArn,
                kmsKeyArn: lake.keyArn,
                deliveryStreamName: firehoseName(args.stackId.project, output.name),
                // Defaults otherwise: 60 s / 128 MiB buffering, 30-day logs.
            }),
    );
    const lakeOutputs: pulumi.Output<LakeAnalyticsOutputs> = pulumi
        .all(outputs.map((o) => pulumi.all([o.firehoseName, o.firehoseArn, o.tableName, o.s3Prefix])))
        .apply((resolved) =>
            Object.fromEntries(
                resolved.map(([name, arn, table, prefix], i) => [
                    catalog.outputs[i].name,
                    { firehoseName: name, firehoseArn: arn, region: region.region, glueTable: table, s3Prefix: prefix },
                ]),
            ),
        );

    const analytics = new ClickstreamAnalytics("small", {
        region: region.region,
        sources: region.sources,
        apps: region.apps,
        catalog,
        lakeOutputs,
        lakeStack: "this program",
        runner: resolveRunnerArtifact(path.dirname(args.runnerJar), path.basename(args.runnerJar)),
        stackId: args.stackId,
    });
    return {
        bucket: lake.bucketName,
        firehoses: outputs.map((o) => o.firehoseName),
        applications: Object.values(analytics.apps).map((a) => a.arn),
    };
}
