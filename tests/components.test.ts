/**
 * Each component built on its own, with minimal args, as another Pulumi program would use it: what it
 * creates, its type token, and that every child is parented by it. The stacks' tests cover how the
 * stacks wire them together.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { AnalyticsOutput } from "../components/AnalyticsOutput";
import { AthenaWorkgroup } from "../components/AthenaWorkgroup";
import { DataLake } from "../components/DataLake";
import { FlinkSqlApp } from "../components/FlinkSqlApp";
import { PartitionRegistrar } from "../components/PartitionRegistrar";
import { RegionMonitoring } from "../components/RegionMonitoring";
import { SourceStream } from "../components/SourceStream";
import { SpectrumSchema } from "../components/SpectrumSchema";
import { parseOutputFile } from "../lib/sql/catalog";
import { recorded, resetResources, settle, streamLookups, valueOf } from "./mocks";

const LAKE = { partition: "aws", region: "eu-central-1", accountId: "123456789012" };
const REGION = { partition: "aws", region: "eu-west-1", accountId: "123456789012" };
const KEY = "arn:aws:kms:eu-central-1:123456789012:key/k";
const ID = { project: "acme", stack: "s1" };

/** Type and name of every resource registered, in order, after the component's own registration. */
async function built(create: () => pulumi.ComponentResource): Promise<{ type: string; name: string }[]> {
    resetResources();
    create();
    await settle();
    return recorded.map((r) => ({ type: r.type, name: r.name }));
}

const typesOf = (rs: { type: string }[]) => rs.map((r) => r.type).sort();

describe("components on their own", function () {
    this.timeout(30_000);

    it("DataLake: key (alias after project and stack), and a bucket with its six protections", async () => {
        const rs = await built(() => new DataLake("l", { scope: LAKE, bucketName: "acme-s1-123456789012-eu-central-1", stackId: ID }));
        expect(typesOf(rs)).to.deep.equal(
            [
                "clickstream:index:DataLake",
                "aws:kms/key:Key",
                "aws:kms/alias:Alias",
                "aws:s3/bucket:Bucket",
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "aws:s3/bucketVersioning:BucketVersioning",
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
                "aws:s3/bucketPolicy:BucketPolicy",
                "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            ].sort(),
        );
        expect(recorded.find((r) => r.type === "aws:kms/alias:Alias")!.inputs.name).to.equal("alias/acme-s1");
    });

    it("DataLake adopting a bucket: only the key and its alias", async () => {
        const rs = await built(() => new DataLake("l", { scope: LAKE, bucketName: "unused", existingBucketName: "their-bucket", stackId: ID }));
        expect(typesOf(rs)).to.deep.equal(["aws:kms/alias:Alias", "aws:kms/key:Key", "clickstream:index:DataLake"]);
    });

    it("AnalyticsOutput: Glue table, Firehose with its role, policy and log group", async () => {
        const output = parseOutputFile(
            "sql/outputs/clicks_1m.sql",
            "CREATE TABLE clicks_1m (window_start TIMESTAMP(3), clicks BIGINT); INSERT INTO clicks_1m SELECT 1, 2",
        );
        const rs = await built(
            () =>
                new AnalyticsOutput("o", {
                    output,
                    scope: LAKE,
                    databaseName: "db",
                    bucketName: "b",
                    bucketArn: "arn:aws:s3:::b",
                    kmsKeyArn: KEY,
                    deliveryStreamName: "acme-clicks_1m",
                }),
        );
        expect(typesOf(rs)).to.deep.equal(
            [
                "clickstream:index:AnalyticsOutput",
                "aws:glue/catalogTable:CatalogTable",
                "aws:cloudwatch/logGroup:LogGroup",
                "aws:cloudwatch/logStream:LogStream",
                "aws:iam/role:Role",
                "aws:iam/rolePolicy:RolePolicy",
                "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
            ].sort(),
        );
        const table = recorded.find((r) => r.type === "aws:glue/catalogTable:CatalogTable")!;
        expect(table.inputs.storageDescriptor.columns).to.deep.equal([
            { name: "window_start", type: "timestamp" },
            { name: "clicks", type: "bigint" },
        ]);
    });

    it("AthenaWorkgroup: the workgroup (named after the project by default) and one named query per file", async () => {
        const rs = await built(
            () =>
                new AthenaWorkgroup("a", {
                    bucketName: "b",
                    kmsKeyArn: KEY,
                    databaseName: "db",
                    queries: [{ name: "q1", file: "sql/athena/q1.sql", sql: "SELECT 1" }],
                }),
        );
        expect(typesOf(rs)).to.deep.equal(["aws:athena/namedQuery:NamedQuery", "aws:athena/workgroup:Workgroup", "clickstream:index:AthenaWorkgroup"]);
        // The mocks run as project "clickstream".
        expect(recorded.find((r) => r.type === "aws:athena/workgroup:Workgroup")!.inputs.name).to.equal("clickstream");
    });

    it("PartitionRegistrar: the Lambda with its role, logs and schedule", async () => {
        const rs = await built(
            () =>
                new PartitionRegistrar("p", {
                    scope: LAKE,
                    databaseName: "db",
                    tables: ["clicks_1m"],
                    kmsKeyArn: KEY,
                    functionName: "acme-s1-partition-registrar",
                }),
        );
        expect(new Set(typesOf(rs))).to.deep.equal(
            new Set([
                "clickstream:index:PartitionRegistrar",
                "aws:cloudwatch/logGroup:LogGroup",
                "aws:iam/role:Role",
                "aws:iam/rolePolicy:RolePolicy",
                "aws:lambda/function:Function",
                "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
                "aws:cloudwatch/eventRule:EventRule",
                "aws:cloudwatch/eventTarget:EventTarget",
                "aws:lambda/permission:Permission",
            ]),
        );
    });

    it("SpectrumSchema with mode none: only the role and its policy, and the DDL to run by hand", async () => {
        let schema: SpectrumSchema | undefined;
        const rs = await built(
            () =>
                (schema = new SpectrumSchema("sp", {
                    target: { mode: "none" },
                    scope: LAKE,
                    glueDatabase: "db",
                    bucketArn: "arn:aws:s3:::b",
                    outputs: ["clicks_1m"],
                    kmsKeyArn: KEY,
                    schemaName: "lake",
                })),
        );
        expect(typesOf(rs)).to.deep.equal(["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "clickstream:index:SpectrumSchema"]);
        expect(await valueOf(schema!.schemaSql)).to.match(/^CREATE EXTERNAL SCHEMA IF NOT EXISTS lake FROM DATA CATALOG DATABASE 'db' IAM_ROLE 'arn:aws:iam:/);
    });

    it("SourceStream: a created stream, encrypted with the given key; an attached one only gets a consumer per reader", async () => {
        const key = () => new aws.kms.Key("k", {});
        const created = await built(
            () =>
                new SourceStream("c", {
                    source: { name: "web", streamName: "w", mode: "create", capacity: "on-demand", retentionHours: 24 },
                    readers: ["a", "b"],
                    kmsKey: key(),
                    stackId: ID,
                }),
        );
        expect(typesOf(created)).to.deep.equal(["aws:kinesis/stream:Stream", "aws:kms/key:Key", "clickstream:index:SourceStream"]);
        streamLookups["m"] = {};
        const attached = await built(
            () =>
                new SourceStream("a", {
                    source: { name: "mob", streamName: "m", mode: "attach", capacity: "on-demand", retentionHours: 24 },
                    readers: ["x"],
                    stackId: ID,
                }),
        );
        expect(typesOf(attached)).to.deep.equal(["aws:kinesis/streamConsumer:StreamConsumer", "clickstream:index:SourceStream"]);
        expect(recorded.find((r) => r.type === "aws:kinesis/streamConsumer:StreamConsumer")!.inputs.name).to.equal("acme-s1-x");
    });

    it("SourceStream: a created stream without a key is one ResourceError naming the source", async () => {
        resetResources();
        expect(
            () =>
                new SourceStream("c", {
                    source: { name: "web", streamName: "w", mode: "create", capacity: "on-demand", retentionHours: 24 },
                    readers: [],
                    stackId: ID,
                }),
        ).to.throw(pulumi.ResourceError, "source 'web' (mode: create) needs kmsKey to encrypt the stream");
    });

    it("FlinkSqlApp: the application with its role, policy, log group and stream", async () => {
        const rs = await built(
            () =>
                new FlinkSqlApp("f", {
                    appName: "realtime",
                    parallelism: 1,
                    parallelismPerKpu: 1,
                    autoScaling: true,
                    checkpointIntervalMs: 60_000,
                    restore: "latest",
                    applicationName: "acme-s1-realtime",
                    scope: REGION,
                    start: true,
                    propertyGroups: [{ PropertyGroupId: "runner", PropertyMap: { "sql.groups": "0" } }],
                    source: { readMode: "POLLING", streamArn: "arn:aws:kinesis:eu-west-1:123456789012:stream/w" },
                    sourceKey: { kind: "none" },
                    firehoseArns: [],
                    code: { bucketArn: "arn:aws:s3:::art", objectKey: "runner/r.jar" },
                    kmsKeyArn: KEY,
                }),
        );
        expect(typesOf(rs)).to.deep.equal(
            [
                "clickstream:index:FlinkSqlApp",
                "aws:cloudwatch/logGroup:LogGroup",
                "aws:cloudwatch/logStream:LogStream",
                "aws:iam/role:Role",
                "aws:iam/rolePolicy:RolePolicy",
                "aws:kinesisanalyticsv2/application:Application",
            ].sort(),
        );
        const app = recorded.find((r) => r.type === "aws:kinesisanalyticsv2/application:Application")!;
        expect(app.inputs).to.include({ name: "acme-s1-realtime", runtimeEnvironment: "FLINK-1_20", startApplication: true });
        expect(app.inputs.tags).to.equal(undefined);
    });

    it("RegionMonitoring: topic, policy, four alarms per app and one per created stream, the dashboard", async () => {
        const rs = await built(
            () =>
                new RegionMonitoring("m", {
                    region: "eu-west-1",
                    scope: REGION,
                    kmsKeyArn: KEY,
                    stackId: ID,
                    apps: [{ name: "realtime", applicationName: "acme-s1-realtime", streamName: "w", readMode: "POLLING" }],
                    createdStreams: ["w"],
                    sourceStreams: ["w"],
                }),
        );
        expect(rs.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm")).to.have.length(5);
        expect(recorded.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => r.inputs.name)).to.have.members([
            "acme-s1-realtime-downtime",
            "acme-s1-realtime-failed-checkpoints",
            "acme-s1-realtime-restarts",
            "acme-s1-realtime-lag",
            "acme-s1-w-write-throttled",
        ]);
        expect(recorded.find((r) => r.type === "aws:cloudwatch/dashboard:Dashboard")!.inputs.dashboardName).to.equal("acme-s1");
        expect(recorded.find((r) => r.type === "aws:sns/topic:Topic")!.inputs.name).to.equal("acme-s1-alarms");
    });
});
