/**
 * The permanent lake stack, in the home region: KMS key and bucket (retained), Glue database, one
 * AnalyticsOutput (Glue table + Firehose) per `sql/outputs/` file, partition registration for Spectrum,
 * the Athena workgroup, Redshift Spectrum, alarms and the dashboard. See docs/LAKE.md.
 *
 * The returned record is the stack's outputs; `analyticsOutputs` is read by the region stacks (see
 * docs/CONTRACTS.md, "Lake stack outputs").
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { accountScope } from "../components/account-scope";
import { AnalyticsOutput } from "../components/AnalyticsOutput";
import { AthenaWorkgroup } from "../components/AthenaWorkgroup";
import { DataLake } from "../components/DataLake";
import { LakeMonitoring } from "../components/LakeMonitoring";
import { PartitionRegistrar } from "../components/PartitionRegistrar";
import { SpectrumSchema } from "../components/SpectrumSchema";
import { LakeConfig } from "../lib/config";

import { athenaWorkgroupName, firehoseName, lakeBucketName, partitionRegistrarName, redshiftServerlessName } from "../lib/naming";
import { currentStackId } from "../lib/pulumi-config";
import { defaultSqlDir, lakeOutputs, loadQueryFiles, SqlCatalog, SqlDefinitionError } from "../lib/sql/catalog";

export interface LakeStackOptions {
    /** The `sql/` folder holding `athena/` and `redshift/`. Default the repository's `sql/`. */
    sqlDir?: string;
}

/** One entry of the `analyticsOutputs` stack output (a contract with the region stacks). */
export interface AnalyticsOutputExport {
    firehoseName: pulumi.Output<string>;
    firehoseArn: pulumi.Output<string>;
    /** The lake's region: Flink apps write across regions to this Firehose. */
    region: string;
    glueTable: pulumi.Output<string>;
    /** `s3://<lake>/<output>/` */
    s3Prefix: pulumi.Output<string>;
}

export function createLakeStack(config: LakeConfig, catalog: SqlCatalog, options: LakeStackOptions = {}): Record<string, unknown> {
    const sqlDir = options.sqlDir ?? defaultSqlDir();
    const repoRoot = path.dirname(sqlDir);
    if (lakeOutputs(catalog).length === 0) {
        throw new SqlDefinitionError(`${path.relative(repoRoot, sqlDir) || "sql"}/outputs: no output; add one CREATE TABLE + INSERT file per metric`);
    }
    const stackId = currentStackId();
    const { project } = stackId;
    const scope = accountScope(config.region);

    const lake = new DataLake("lake", {
        scope,
        stackId,
        bucketName: scope.apply((s) => lakeBucketName(stackId, s.accountId, config.region)),
        existingBucketName: config.existingBucketName,
        noncurrentVersionExpirationDays: config.noncurrentVersionExpirationDays,
        errorOutputExpirationDays: config.errorOutputExpirationDays,
        athenaResultsExpirationDays: config.athenaResultsExpirationDays,
    });

    const database = new aws.glue.CatalogDatabase("lake-database", {
        name: config.glueDatabase,
        description: "Clickstream analytics outputs (Parquet, partitioned by year/month/day/hour), one table per sql/outputs file",
    });

    const outputs = lakeOutputs(catalog).map(
        (output) =>
            new AnalyticsOutput(output.name, {
                output,
                scope,
                databaseName: database.name,
                bucketName: lake.bucketName,
                bucketArn: lake.bucketArn,
                kmsKeyArn: lake.keyArn,
                deliveryStreamName: firehoseName(project, output.name),
                bufferingIntervalSeconds: config.firehoseBufferIntervalSeconds,
                bufferingSizeMiB: config.firehoseBufferSizeMiB,
                logRetentionDays: config.logRetentionDays,
            }),
    );

    const registrar = new PartitionRegistrar("partition-registrar", {
        scope,
        databaseName: database.name,
        tables: outputs.map((o) => o.tableName),
        kmsKeyArn: lake.keyArn,
        functionName: partitionRegistrarName(stackId),
        logRetentionDays: config.logRetentionDays,
    });

    const relative = (file: string) => path.relative(repoRoot, file).split(path.sep).join("/");
    const athena = new AthenaWorkgroup("athena", {
        workgroupName: athenaWorkgroupName(project),
        bucketName: lake.bucketName,
        kmsKeyArn: lake.keyArn,
        databaseName: database.name,
        queries: loadQueryFiles(path.join(sqlDir, "athena")).map((q) => ({ ...q, file: relative(q.file) })),
    });

    const spectrum = new SpectrumSchema("spectrum", {
        target: config.redshift,
        scope,
        glueDatabase: database.name,
        bucketArn: lake.bucketArn,
        outputs: lakeOutputs(catalog).map((o) => o.name),
        kmsKeyArn: lake.keyArn,
        schemaName: config.spectrumSchema,
        views: loadQueryFiles(path.join(sqlDir, "redshift")).map((v) => ({ ...v, file: relative(v.file) })),
        serverlessName: redshiftServerlessName(project),
    });

    const monitoring = new LakeMonitoring("lake-monitoring", {
        region: config.region,
        scope,
        stackId,
        kmsKeyArn: lake.keyArn,
        alarmEmails: config.alarmEmails,
        firehoses: lakeOutputs(catalog).map((o) => ({ output: o.name, deliveryStreamName: firehoseName(project, o.name) })),
        bufferIntervalSeconds: config.firehoseBufferIntervalSeconds,
        registrarFunctionName: partitionRegistrarName(stackId),
    });

    const analyticsOutputs: Record<string, AnalyticsOutputExport> = {};
    lakeOutputs(catalog).forEach((o, i) => {
        analyticsOutputs[o.name] = {
            firehoseName: outputs[i].firehoseName,
            firehoseArn: outputs[i].firehoseArn,
            region: config.region,
            glueTable: outputs[i].tableName,
            s3Prefix: outputs[i].s3Prefix,
        };
    });

    return {
        bucketName: lake.bucketName,
        bucketArn: lake.bucketArn,
        bucketAdopted: lake.adopted,
        kmsKeyArn: lake.keyArn,
        glueDatabase: database.name,
        analyticsOutputs,
        athenaWorkgroup: athena.workgroupName,
        spectrumSchema: config.spectrumSchema,
        spectrumRoleArn: spectrum.roleArn,
        spectrumSchemaSql: spectrum.schemaSql,
        ...(spectrum.associationCommand ? { spectrumRoleAssociationCommand: spectrum.associationCommand } : {}),
        ...(spectrum.grantSql ? { spectrumGrantSql: spectrum.grantSql } : {}),
        partitionRegistrarFunction: registrar.functionName,
        alarmTopicArn: monitoring.topicArn,
        lakeDashboard: monitoring.dashboard.dashboardName,
    };
}
