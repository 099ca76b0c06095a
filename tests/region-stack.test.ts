/**
 * The region stacks (Pulumi.eu.yaml, Pulumi.us.yaml) evaluated as they are under the shared mocks:
 * exact inputs of the streams, consumers, Managed Flink applications, IAM, encryption and monitoring.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { firehoseSinkOptions, kinesisSourceOptions } from "../lib/connector-options";
import { flinkAssumeRolePolicy, regionKeyPolicy, tlsOnlyBucketPolicy } from "../lib/iam/region-policies";
import { RunnerArtifactError, runnerObjectKey } from "../lib/runner-artifact";
import { PropertyGroup, reassembleSqlBundle } from "../lib/runtime-properties";
import { loadSqlCatalog } from "../lib/sql/catalog";
import { FLINK_RUNTIME } from "../lib/versions";
import { outputNamesOf, parseRegionConfig, readStackFile } from "../lib/config";
import { createRegionStack } from "../stacks/region";
import { evaluateRegion, Evaluated, fixtureCatalog, fixtureSqlDir, LAKE_REGION, REPO, settleAll } from "./region-fixtures";
import { invokes, recorded, RecordedResource, resetResources, resourcesOfType, streamLookups, valueOf } from "./mocks";

const SCOPE = { partition: "aws", accountId: "123456789012", region: "eu-west-1" };
const KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/key-clickstream-key";
const BUCKET_ARN = "arn:aws:s3:::clickstream-artifacts-bucket";
const firehoseArn = (o: string) => `arn:aws:firehose:${LAKE_REGION}:123456789012:deliverystream/clickstream-lake-${o}`;
// Outputs in sql/outputs/ file order, as each app of the example stacks fills them.
const EU_REALTIME = ["active_users_1m", "active_users_5m", "clicks_1m", "late_events", "rejected_events"];
const EU_CAMPAIGNS = ["cart_value_by_campaign", "late_events", "rejected_events"];
const EU_MOBILE = ["late_events", "page_clicks_late", "rejected_events"];
const ALL = ["active_users_1m", "active_users_5m", "cart_value_by_campaign", "clicks_1m", "late_events", "page_clicks_late", "rejected_events"];

function one(type: string, name: string): RecordedResource {
    const found = recorded.filter((r) => r.type === type && r.name === name);
    expect(found, `${type} ${name}`).to.have.length(1);
    return found[0];
}
const app = (name: string) => one("aws:kinesisanalyticsv2/application:Application", `clickstream-app-${name}-flink`);
const groupsOf = (name: string): PropertyGroup[] =>
    app(name).inputs.applicationConfiguration.environmentProperties.propertyGroups.map(
        (g: { propertyGroupId: string; propertyMap: Record<string, string> }) => ({
            PropertyGroupId: g.propertyGroupId,
            PropertyMap: g.propertyMap,
        }),
    );
const tableGroup = (appName: string, table: string) => groupsOf(appName).find((g) => g.PropertyGroupId === `table.${table}`)?.PropertyMap;
const policyOf = (appName: string) => JSON.parse(one("aws:iam/rolePolicy:RolePolicy", `clickstream-app-${appName}-policy`).inputs.policy);
const jarKey = (e: Evaluated) => runnerObjectKey(e.jar.sha256);

describe("region stack eu (Pulumi.eu.yaml)", function () {
    this.timeout(60000);
    let eu: Evaluated;
    before(async () => {
        eu = await evaluateRegion("Pulumi.eu.yaml");
    });

    it("creates the web stream only: KMS with the region key, on-demand, 48 h, no billed shard metrics", () => {
        const streams = resourcesOfType("aws:kinesis/stream:Stream");
        expect(streams.map((s) => s.inputs.name)).to.deep.equal(["clickstream-eu-web"]);
        expect(streams[0].inputs).to.deep.equal({
            name: "clickstream-eu-web",
            streamModeDetails: { streamMode: "ON_DEMAND" },
            retentionPeriod: 48,
            encryptionType: "KMS",
            kmsKeyId: KEY_ARN,
            shardLevelMetrics: [],
            enforceConsumerDeletion: true,
        });
    });

    it("attaches mobile-events-eu without creating or modifying it: a lookup and one EFO consumer per app", () => {
        expect(resourcesOfType("aws:kinesis/stream:Stream").some((s) => s.inputs.name === "mobile-events-eu")).to.equal(false);
        expect(recorded.filter((r) => JSON.stringify(r.inputs).includes("mobile-events-eu") && r.type.startsWith("aws:kinesis/stream:"))).to.deep.equal([]);
        expect(invokes.filter((i) => i.token === "aws:kinesis/getStream:getStream").map((i) => i.args.name)).to.deep.equal(["mobile-events-eu"]);
        const consumers = resourcesOfType("aws:kinesis/streamConsumer:StreamConsumer");
        expect(consumers.map((c) => [c.name, c.inputs])).to.deep.equal([
            [
                "clickstream-src-mobile-mobile-consumer",
                { name: "clickstream-test-mobile", streamArn: "arn:aws:kinesis:eu-west-1:123456789012:stream/mobile-events-eu" },
            ],
        ]);
    });

    it("runs one Managed Flink application per app on the FLINK runtime, never SQL-1_0 or KA for SQL", () => {
        const apps = resourcesOfType("aws:kinesisanalyticsv2/application:Application");
        expect(apps.map((a) => a.inputs.name)).to.have.members(["clickstream-test-realtime", "clickstream-test-campaigns", "clickstream-test-mobile"]);
        for (const a of apps) {
            expect(a.inputs.runtimeEnvironment)
                .to.equal(FLINK_RUNTIME)
                .and.to.match(/^FLINK-/);
            expect(a.inputs.applicationMode).to.equal("STREAMING");
            expect(a.inputs.startApplication).to.equal(true);
            expect(a.inputs.forceStop).to.equal(false);
            expect(a.inputs.cloudwatchLoggingOptions.logStreamArn).to.be.a("string");
        }
        expect(recorded.filter((r) => r.type === "aws:kinesis/analyticsApplication:AnalyticsApplication")).to.deep.equal([]);
    });

    it("runs the runner jar from the encrypted, versioned artifacts bucket, under a content-hash key, uploaded after versioning is on", () => {
        const object = one("aws:s3/bucketObjectv2:BucketObjectv2", "clickstream-runner-jar");
        expect(object.inputs.key)
            .to.equal(jarKey(eu))
            .and.to.match(/^runner\/clickstream-runner-[0-9a-f]{16}\.jar$/);
        expect(object.inputs).to.include({
            bucket: "clickstream-artifacts-bucket",
            serverSideEncryption: "aws:kms",
            kmsKeyId: KEY_ARN,
            bucketKeyEnabled: true,
        });
        // Uploaded after encryption and versioning are on, so the version id the apps pin is a real one.
        expect(object.dependsOn).to.include.members(["clickstream-artifacts-encryption", "clickstream-artifacts-versioning"]);
        expect(app("realtime").inputs.applicationConfiguration.applicationCodeConfiguration).to.deep.equal({
            codeContentType: "ZIPFILE",
            codeContent: { s3ContentLocation: { bucketArn: BUCKET_ARN, fileKey: jarKey(eu) } },
        });
    });

    it("checkpoints, snapshots, restores from the latest snapshot and sets parallelism from config", () => {
        const expected = {
            realtime: { parallelism: 2, parallelismPerKpu: 1, autoScalingEnabled: true },
            campaigns: { parallelism: 1, parallelismPerKpu: 1, autoScalingEnabled: true },
            mobile: { parallelism: 2, parallelismPerKpu: 1, autoScalingEnabled: true },
        };
        for (const [name, parallelism] of Object.entries(expected)) {
            const c = app(name).inputs.applicationConfiguration;
            expect(c.applicationSnapshotConfiguration).to.deep.equal({ snapshotsEnabled: true });
            expect(c.flinkApplicationConfiguration).to.deep.equal({
                checkpointConfiguration: {
                    configurationType: "CUSTOM",
                    checkpointingEnabled: true,
                    checkpointInterval: 60000,
                    minPauseBetweenCheckpoints: 5000,
                },
                monitoringConfiguration: { configurationType: "CUSTOM", logLevel: "INFO", metricsLevel: "APPLICATION" },
                parallelismConfiguration: { configurationType: "CUSTOM", ...parallelism },
            });
            const token = c.runConfiguration.applicationRestoreConfiguration.snapshotName;
            expect(token).to.match(/^update-[0-9a-f]{16}$/);
            expect(c.runConfiguration).to.deep.equal({
                applicationRestoreConfiguration: { applicationRestoreType: "RESTORE_FROM_LATEST_SNAPSHOT", snapshotName: token },
                flinkRunConfiguration: { allowNonRestoredState: true },
            });
            expect(app(name).inputs.tags).to.equal(undefined); // no fresh start asked for
        }
        // One token per app: each app's SQL and settings differ.
        expect(
            new Set(Object.keys(expected).map((n) => app(n).inputs.applicationConfiguration.runConfiguration.applicationRestoreConfiguration.snapshotName))
                .size,
        ).to.equal(3);
    });

    it("passes each app's statements as runtime properties: source, views, its outputs' tables, then its inserts", () => {
        const catalog = fixtureCatalog();
        const files = (outs: string[]) => [
            "sql/sources/clickstream_raw.sql",
            "sql/views/events.sql",
            ...outs.map((o) => `sql/outputs/${o}.sql`),
            ...outs.map((o) => `sql/outputs/${o}.sql`),
        ];
        const expectBundle = (name: string, outs: string[]) => {
            const groups = groupsOf(name);
            const bundle = reassembleSqlBundle(groups);
            expect(bundle.version).to.equal(1);
            expect(bundle.statements.map((s) => s.file)).to.deep.equal(files(outs));
            const sqlByOutput = (o: string) => catalog.outputs.find((x) => x.name === o)!;
            expect(bundle.statements.map((s) => s.sql)).to.deep.equal([
                catalog.sources[0].statement.sql,
                catalog.views[0].sql,
                ...outs.map((o) => sqlByOutput(o).createTable.sql),
                ...outs.map((o) => sqlByOutput(o).insert.sql),
            ]);
            const runner = groups.find((g) => g.PropertyGroupId === "runner")!;
            const sqlGroups = groups.filter((g) => g.PropertyGroupId.startsWith("sql."));
            expect(runner.PropertyMap).to.deep.equal({ "app.name": name, "source.region": "eu-west-1", "sql.groups": String(sqlGroups.length) });
            expect(groups.filter((g) => g.PropertyGroupId.startsWith("table.")).map((g) => g.PropertyGroupId)).to.deep.equal([
                "table.clickstream_raw",
                ...outs.map((o) => `table.${o}`),
            ]);
            for (const o of outs) {
                expect(tableGroup(name, o)).to.deep.equal(firehoseSinkOptions({ deliveryStreamName: `clickstream-lake-${o}`, region: LAKE_REGION }));
            }
        };
        expectBundle("realtime", EU_REALTIME);
        expectBundle("campaigns", EU_CAMPAIGNS);
        expectBundle("mobile", EU_MOBILE);
    });

    it("polls the created stream, reads the attached one through its own consumer (EFO, no registration) and the checkout Firehose's objects", () => {
        // One app polls web: every 200 ms, Kinesis's 5 GetRecords per second per shard.
        expect(tableGroup("realtime", "clickstream_raw")).to.deep.equal({
            connector: "kinesis",
            stream: "clickstream-eu-web",
            "aws.region": "eu-west-1",
            format: "raw",
            "scan.stream.initpos": "TRIM_HORIZON",
            "scan.stream.recordpublisher": "POLLING",
            "scan.shard.getrecords.intervalmillis": "200",
        });
        // The objects the checkout delivery stream writes, from the app's first start on (LATEST by default).
        expect(tableGroup("campaigns", "clickstream_raw")).to.deep.equal({
            connector: "firehose-objects",
            path: "s3://acme-checkout-events-eu/events/",
            compression: "gzip",
            "record-separator": "none",
            start: "LATEST",
            "discovery-interval": "30 s",
        });
        const consumerArn = "arn:aws:kinesis:eu-west-1:123456789012:stream/mobile-events-eu/consumer/clickstream-test-mobile:1700000000";
        expect(tableGroup("mobile", "clickstream_raw")).to.deep.equal({
            connector: "kinesis",
            stream: "mobile-events-eu",
            "aws.region": "eu-west-1",
            format: "raw",
            // An attached stream starts at LATEST: its retention holds someone else's days of events.
            "scan.stream.initpos": "LATEST",
            "scan.stream.recordpublisher": "EFO",
            "scan.stream.efo.registration": "NONE",
            "scan.stream.efo.consumername": "clickstream-test-mobile",
            "scan.stream.efo.consumerarn.mobile-events-eu": consumerArn,
        });
        expect(tableGroup("mobile", "clickstream_raw")).to.deep.equal(
            kinesisSourceOptions({ streamName: "mobile-events-eu", region: "eu-west-1", readMode: "EFO", consumerArn, startPosition: "LATEST" }),
        );
    });

    it("gives each app a role trusted only by Managed Flink for that application", () => {
        for (const name of ["realtime", "campaigns", "mobile"]) {
            const role = one("aws:iam/role:Role", `clickstream-app-${name}-role`);
            expect(JSON.parse(role.inputs.assumeRolePolicy)).to.deep.equal({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "ManagedFlinkAssumeRole",
                        Effect: "Allow",
                        Principal: { Service: "kinesisanalytics.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: {
                            StringEquals: { "aws:SourceAccount": "123456789012" },
                            ArnEquals: { "aws:SourceArn": `arn:aws:kinesisanalytics:eu-west-1:123456789012:application/clickstream-test-${name}` },
                        },
                    },
                ],
            });
            expect(JSON.parse(role.inputs.assumeRolePolicy)).to.deep.equal(flinkAssumeRolePolicy(SCOPE, `clickstream-test-${name}`));
        }
    });

    it("limits each app's role to its source, its outputs' Firehoses, its jar and its own logs (every statement)", () => {
        const logs = (name: string) => ({
            group: `arn:aws:cloudwatch:eu-central-1:123456789012:/aws/kinesis-analytics/clickstream-test-${name}`,
            stream: "arn:aws:cloudwatch:eu-central-1:123456789012:flink",
        });
        const tail = (name: string) => [
            { Sid: "ReadRunnerJar", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `${BUCKET_ARN}/${jarKey(eu)}` },
            { Sid: "ListLogGroups", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "arn:aws:logs:eu-west-1:123456789012:log-group:*" },
            { Sid: "DescribeOwnLogStreams", Effect: "Allow", Action: "logs:DescribeLogStreams", Resource: `${logs(name).group}:log-stream:*` },
            { Sid: "WriteOwnLogStream", Effect: "Allow", Action: "logs:PutLogEvents", Resource: logs(name).stream },
        ];
        const firehoses = (outs: string[]) => ({
            Sid: "WriteLakeFirehoses",
            Effect: "Allow",
            Action: ["firehose:DescribeDeliveryStream", "firehose:PutRecord", "firehose:PutRecordBatch"],
            Resource: outs.map(firehoseArn),
        });
        const decrypt = { Sid: "DecryptSourceAndCode", Effect: "Allow", Action: "kms:Decrypt", Resource: KEY_ARN };
        const polling = {
            Sid: "ReadSourceStream",
            Effect: "Allow",
            Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"],
            Resource: "arn:aws:kinesis:eu-west-1:123456789012:stream/clickstream-eu-web",
        };
        expect(policyOf("realtime")).to.deep.equal({ Version: "2012-10-17", Statement: [polling, decrypt, firehoses(EU_REALTIME), ...tail("realtime")] });
        // Only the checkout bucket's prefix (and the prefix's own key, which the S3 file system probes), and its key through S3 only.
        expect(policyOf("campaigns")).to.deep.equal({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ListSourceObjects",
                    Effect: "Allow",
                    Action: "s3:ListBucket",
                    Resource: "arn:aws:s3:::acme-checkout-events-eu",
                    Condition: { StringLike: { "s3:prefix": ["events", "events/*"] } },
                },
                {
                    Sid: "ReadSourceObjects",
                    Effect: "Allow",
                    Action: "s3:GetObject",
                    Resource: ["arn:aws:s3:::acme-checkout-events-eu/events", "arn:aws:s3:::acme-checkout-events-eu/events/*"],
                },
                {
                    Sid: "DecryptSourceObjects",
                    Effect: "Allow",
                    Action: "kms:Decrypt",
                    Resource: "arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
                    Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } },
                },
                { Sid: "DecryptSourceAndCode", Effect: "Allow", Action: "kms:Decrypt", Resource: KEY_ARN },
                firehoses(EU_CAMPAIGNS),
                ...tail("campaigns"),
            ],
        });
        // The bucket is looked up (it must exist at preview); nothing is created or changed on it.
        expect(invokes.filter((i) => i.token === "aws:s3/getBucket:getBucket").map((i) => i.args.bucket)).to.include("acme-checkout-events-eu");
        for (const type of ["aws:s3/bucketPolicy:BucketPolicy", "aws:s3/bucketNotification:BucketNotification"]) {
            expect(resourcesOfType(type).filter((r) => JSON.stringify(r.inputs).includes("acme-checkout-events-eu"))).to.deep.equal([]);
        }
        expect(policyOf("mobile")).to.deep.equal({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "DescribeSourceStream",
                    Effect: "Allow",
                    Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:ListShards"],
                    Resource: "arn:aws:kinesis:eu-west-1:123456789012:stream/mobile-events-eu",
                },
                {
                    Sid: "ReadThroughOwnConsumer",
                    Effect: "Allow",
                    Action: ["kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard"],
                    Resource: "arn:aws:kinesis:eu-west-1:123456789012:stream/mobile-events-eu/consumer/clickstream-test-mobile:1700000000",
                },
                decrypt,
                firehoses(EU_MOBILE),
                ...tail("mobile"),
            ],
        });
        for (const name of ["realtime", "campaigns", "mobile"]) {
            for (const s of policyOf(name).Statement) {
                expect(
                    [s.Action].flat().every((a: string) => a !== "*" && !a.endsWith(":*")),
                    s.Sid,
                ).to.equal(true);
                expect([s.Resource].flat()).to.not.include("*");
            }
        }
    });

    it("encrypts everything with the region key (rotation on) and locks the artifacts bucket down", () => {
        const key = one("aws:kms/key:Key", "clickstream-key");
        expect(key.inputs.enableKeyRotation).to.equal(true);
        expect(key.inputs.deletionWindowInDays).to.equal(7);
        expect(JSON.parse(key.inputs.policy)).to.deep.equal(regionKeyPolicy({ ...SCOPE, accountId: "123456789012" }));
        expect(one("aws:kms/alias:Alias", "clickstream-key-alias").inputs).to.deep.equal({
            name: "alias/clickstream-test",
            targetKeyId: "key-clickstream-key",
        });
        expect(one("aws:s3/bucket:Bucket", "clickstream-artifacts").inputs).to.deep.equal({ forceDestroy: true });
        expect(
            one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "clickstream-artifacts-encryption").inputs.rules,
        ).to.deep.equal([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN }, bucketKeyEnabled: true }]);
        expect(one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "clickstream-artifacts-public-access").inputs).to.deep.equal({
            bucket: "clickstream-artifacts-bucket",
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        expect(one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "clickstream-artifacts-ownership").inputs.rule).to.deep.equal({
            objectOwnership: "BucketOwnerEnforced",
        });
        expect(one("aws:s3/bucketVersioning:BucketVersioning", "clickstream-artifacts-versioning").inputs.versioningConfiguration).to.deep.equal({
            status: "Enabled",
        });
        expect(JSON.parse(one("aws:s3/bucketPolicy:BucketPolicy", "clickstream-artifacts-tls-only").inputs.policy)).to.deep.equal(
            tlsOnlyBucketPolicy(BUCKET_ARN),
        );
        expect(one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "clickstream-artifacts-lifecycle").inputs.rules).to.have.length(2);
        for (const name of ["realtime", "campaigns", "mobile"]) {
            expect(one("aws:cloudwatch/logGroup:LogGroup", `clickstream-app-${name}-logs`).inputs).to.deep.equal({
                name: `/aws/kinesis-analytics/clickstream-test-${name}`,
                retentionInDays: 30,
                kmsKeyId: KEY_ARN,
            });
        }
        expect(one("aws:sns/topic:Topic", "clickstream-monitoring-alarms").inputs).to.deep.equal({ name: "clickstream-test-alarms", kmsMasterKeyId: KEY_ARN });
    });

    it("alarms on downtime, failed checkpoints, restarts and lag per app, and on write throttling of the created stream", () => {
        const topic = "arn:aws:sns:eu-central-1:123456789012:clickstream-test-alarms";
        const alarm = (n: string) => one("aws:cloudwatch/metricAlarm:MetricAlarm", `clickstream-monitoring-${n}`).inputs;
        // Every alarm tells the reader where the runbook entry is; the rest is compared exactly.
        const described = (n: string) => {
            const inputs = { ...alarm(n) };
            expect(inputs.alarmDescription).to.match(/See docs\/REGION\.md#[a-z-]+\.$/);
            delete inputs.alarmDescription;
            return inputs;
        };
        // Four per app reading Kinesis (realtime, mobile), three for campaigns (S3 objects: no lag metric), one for the created stream.
        expect(resourcesOfType("aws:cloudwatch/metricAlarm:MetricAlarm")).to.have.length(4 * 2 + 3 + 1);
        expect(recorded.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.name.includes("campaigns-lag"))).to.deep.equal([]);
        const downtime = described("realtime-downtime");
        expect(downtime).to.deep.equal({
            name: "clickstream-test-realtime-downtime",
            namespace: "AWS/KinesisAnalytics",
            metricName: "downtime",
            dimensions: { Application: "clickstream-test-realtime" },
            statistic: "Average",
            period: 60,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [topic],
            okActions: [topic],
        });
        const checkpoints = described("campaigns-failed-checkpoints");
        expect(checkpoints).to.deep.equal({
            name: "clickstream-test-campaigns-failed-checkpoints",
            metricQueries: [
                {
                    id: "counter",
                    metric: {
                        namespace: "AWS/KinesisAnalytics",
                        metricName: "numberOfFailedCheckpoints",
                        dimensions: { Application: "clickstream-test-campaigns" },
                        stat: "Maximum",
                        period: 300,
                    },
                    returnData: false,
                },
                { id: "increase", expression: "RATE(counter)", label: "failed checkpoints per second", returnData: true },
            ],
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [topic],
            okActions: [topic],
        });
        expect(described("realtime-restarts").metricQueries[0].metric).to.deep.equal({
            namespace: "AWS/KinesisAnalytics",
            metricName: "fullRestarts",
            dimensions: { Application: "clickstream-test-realtime" },
            stat: "Maximum",
            period: 300,
        });
        // Lag from Kinesis's own metrics: the polled stream's iterator age, the EFO consumer's millisBehindLatest.
        expect(described("realtime-lag")).to.include({ namespace: "AWS/Kinesis", metricName: "GetRecords.IteratorAgeMilliseconds" });
        expect(described("realtime-lag").dimensions).to.deep.equal({ StreamName: "clickstream-eu-web" });
        const lag = described("mobile-lag");
        expect(lag).to.deep.equal({
            name: "clickstream-test-mobile-lag",
            namespace: "AWS/Kinesis",
            metricName: "SubscribeToShardEvent.MillisBehindLatest",
            dimensions: { StreamName: "mobile-events-eu", ConsumerName: "clickstream-test-mobile" },
            statistic: "Maximum",
            period: 60,
            evaluationPeriods: 5,
            datapointsToAlarm: 5,
            threshold: 60000,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [topic],
            okActions: [topic],
        });
        const throttled = described("clickstream-eu-web-write-throttled");
        expect(throttled).to.deep.equal({
            name: "clickstream-test-clickstream-eu-web-write-throttled",
            namespace: "AWS/Kinesis",
            metricName: "WriteProvisionedThroughputExceeded",
            dimensions: { StreamName: "clickstream-eu-web" },
            statistic: "Sum",
            period: 300,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [topic],
            okActions: [topic],
        });
        // No write-throttling alarm on the attached stream: its producers are not ours.
        expect(recorded.some((r) => r.name.includes("mobile-events-eu"))).to.equal(false);
        expect(resourcesOfType("aws:sns/topicSubscription:TopicSubscription").map((s) => s.inputs)).to.deep.equal([
            { topic, protocol: "email", endpoint: "data-platform-oncall@example.com" },
        ]);
        const topicPolicy = JSON.parse(one("aws:sns/topicPolicy:TopicPolicy", "clickstream-monitoring-alarms-policy").inputs.policy);
        expect(topicPolicy.Statement).to.deep.equal([
            {
                Sid: "CloudWatchAlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topic,
                Condition: {
                    StringEquals: { "aws:SourceAccount": "123456789012" },
                    ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*" },
                },
            },
        ]);
    });

    it("draws a dashboard with records in (both streams and the checkout delivery stream), app lag, records out and downtime", () => {
        const dashboard = one("aws:cloudwatch/dashboard:Dashboard", "clickstream-monitoring-dashboard");
        expect(dashboard.inputs.dashboardName).to.equal("clickstream-test");
        const body = JSON.parse(dashboard.inputs.dashboardBody);
        const metricsOf = (title: string) =>
            body.widgets.find((w: { properties: { title: string } }) => w.properties.title.startsWith(title)).properties.metrics;
        expect(metricsOf("Records in")).to.deep.equal([
            ["AWS/Kinesis", "IncomingRecords", "StreamName", "clickstream-eu-web", { stat: "Sum", label: "clickstream-eu-web" }],
            ["AWS/Kinesis", "IncomingRecords", "StreamName", "mobile-events-eu", { stat: "Sum", label: "mobile-events-eu" }],
            ["AWS/Firehose", "IncomingRecords", "DeliveryStreamName", "checkout-events-eu", { stat: "Sum", label: "checkout-events-eu" }],
        ]);
        const perApp = (metric: string, stat: string) =>
            ["realtime", "campaigns", "mobile"].map((a) => ["AWS/KinesisAnalytics", metric, "Application", `clickstream-test-${a}`, { stat, label: a }]);
        expect(metricsOf("App lag")).to.deep.equal([
            ["AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", "StreamName", "clickstream-eu-web", { stat: "Maximum", label: "realtime" }],
            [
                "AWS/Kinesis",
                "SubscribeToShardEvent.MillisBehindLatest",
                "StreamName",
                "mobile-events-eu",
                "ConsumerName",
                "clickstream-test-mobile",
                { stat: "Maximum", label: "mobile" },
            ],
        ]);
        expect(metricsOf("Restarts")).to.deep.equal(perApp("fullRestarts", "Maximum"));
        expect(metricsOf("Records out")).to.deep.equal(perApp("numRecordsOutPerSecond", "Average"));
        expect(metricsOf("Downtime")).to.deep.equal(perApp("downtime", "Maximum"));
        expect(body.widgets.every((w: { properties: { region: string } }) => w.properties.region === "eu-west-1")).to.equal(true);
    });

    it("builds every resource inside the components, named from them", () => {
        const components = recorded.filter((r) => r.type.startsWith("clickstream:index:")).map((r) => `${r.type} ${r.name}`);
        expect(components).to.have.members([
            "clickstream:index:ClickstreamAnalytics clickstream",
            "clickstream:index:RegionMonitoring clickstream-monitoring",
            "clickstream:index:SourceStream clickstream-src-web",
            "clickstream:index:SourceStream clickstream-src-mobile",
            "clickstream:index:SourceStream clickstream-src-checkout",
            "clickstream:index:FlinkSqlApp clickstream-app-realtime",
            "clickstream:index:FlinkSqlApp clickstream-app-campaigns",
            "clickstream:index:FlinkSqlApp clickstream-app-mobile",
        ]);
        for (const r of recorded.filter((r) => r.type.startsWith("aws:"))) expect(r.name).to.match(/^clickstream-/);
        expect(recorded.filter((r) => r.type === "pulumi:pulumi:StackReference").map((r) => r.inputs.name)).to.deep.equal(["acme/clickstream/lake"]);
    });

    it("exports the streams, consumers, applications, bucket, topic and dashboard", async () => {
        const out = (await valueOf(eu.outputs as never)) as Record<string, unknown>;
        expect(out).to.deep.include({
            region: "eu-west-1",
            season: "on",
            lakeStack: "acme/clickstream/lake",
            runnerObjectKey: jarKey(eu),
            dashboardName: "clickstream-test",
        });
        expect(out.sources).to.deep.equal({
            web: {
                streamName: "clickstream-eu-web",
                streamArn: "arn:aws:kinesis:eu-west-1:123456789012:stream/clickstream-eu-web",
                mode: "create",
                readMode: "POLLING",
                consumerArns: {},
            },
            mobile: {
                streamName: "mobile-events-eu",
                streamArn: "arn:aws:kinesis:eu-west-1:123456789012:stream/mobile-events-eu",
                mode: "attach",
                readMode: "EFO",
                consumerArns: { mobile: "arn:aws:kinesis:eu-west-1:123456789012:stream/mobile-events-eu/consumer/clickstream-test-mobile:1700000000" },
            },
            checkout: {
                streamName: "checkout-events-eu",
                bucketArn: "arn:aws:s3:::acme-checkout-events-eu",
                mode: "firehose",
                readMode: "OBJECTS",
                consumerArns: {},
            },
        });
        expect(Object.keys(out.applications as object)).to.deep.equal(["realtime", "campaigns", "mobile"]);
    });
});

describe("region stack us (Pulumi.us.yaml)", function () {
    this.timeout(60000);
    before(async () => {
        await evaluateRegion("Pulumi.us.yaml");
    });

    it("creates a provisioned 8-shard stream kept 72 h, and no consumer", () => {
        expect(resourcesOfType("aws:kinesis/stream:Stream").map((s) => s.inputs)).to.deep.equal([
            {
                name: "clickstream-us-web",
                streamModeDetails: { streamMode: "PROVISIONED" },
                shardCount: 8,
                retentionPeriod: 72,
                encryptionType: "KMS",
                kmsKeyId: KEY_ARN,
                shardLevelMetrics: [],
                enforceConsumerDeletion: true,
            },
        ]);
        expect(resourcesOfType("aws:kinesis/streamConsumer:StreamConsumer")).to.deep.equal([]);
        expect(invokes.filter((i) => i.token === "aws:kinesis/getStream:getStream")).to.deep.equal([]);
    });

    it("runs realtime with every output, parallelism 4 at 2 per KPU, in us-east-1", () => {
        const c = app("realtime").inputs.applicationConfiguration;
        expect(c.flinkApplicationConfiguration.parallelismConfiguration).to.deep.equal({
            configurationType: "CUSTOM",
            parallelism: 4,
            parallelismPerKpu: 2,
            autoScalingEnabled: true,
        });
        expect(groupsOf("realtime").find((g) => g.PropertyGroupId === "runner")!.PropertyMap["source.region"]).to.equal("us-east-1");
        expect(
            groupsOf("realtime")
                .filter((g) => g.PropertyGroupId.startsWith("table."))
                .map((g) => g.PropertyGroupId),
        ).to.deep.equal(["table.clickstream_raw", ...ALL.map((o) => `table.${o}`)]);
        // Sinks write across regions to the lake's Firehoses.
        expect(tableGroup("realtime", "clicks_1m")!["aws.region"]).to.equal(LAKE_REGION);
        expect(policyOf("realtime").Statement.find((s: { Sid: string }) => s.Sid === "WriteLakeFirehoses").Resource).to.deep.equal(ALL.map(firehoseArn));
    });

    it("subscribes both alarm emails and alarms on the provisioned stream", () => {
        expect(resourcesOfType("aws:sns/topicSubscription:TopicSubscription").map((s) => s.inputs.endpoint)).to.deep.equal([
            "data-platform-oncall@example.com",
            "us-ecommerce-ops@example.com",
        ]);
        expect(resourcesOfType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.name)).to.have.members([
            "clickstream-monitoring-realtime-downtime",
            "clickstream-monitoring-realtime-failed-checkpoints",
            "clickstream-monitoring-realtime-restarts",
            "clickstream-monitoring-realtime-lag",
            "clickstream-monitoring-web_metrics-downtime",
            "clickstream-monitoring-web_metrics-failed-checkpoints",
            "clickstream-monitoring-web_metrics-restarts",
            "clickstream-monitoring-web_metrics-lag",
            "clickstream-monitoring-clickstream-us-web-write-throttled",
        ]);
    });

    it("runs the KA application sql/ka/web_metrics as app web_metrics on the same stream, parallelism 1, into its outputs and rejected_events", () => {
        expect(app("web_metrics").inputs.applicationConfiguration.flinkApplicationConfiguration.parallelismConfiguration).to.include({ parallelism: 1 });
        expect(
            groupsOf("web_metrics")
                .filter((g) => g.PropertyGroupId.startsWith("table."))
                .map((g) => g.PropertyGroupId),
        ).to.deep.equal(["table.ka_raw", "table.ka_active_users_1m", "table.ka_clicks_1m", "table.rejected_events"]);
        // The same stream, read the same way: both apps poll it and share its GetRecords limit.
        expect(tableGroup("web_metrics", "ka_raw")).to.deep.equal(tableGroup("realtime", "clickstream_raw"));
        expect(tableGroup("web_metrics", "ka_clicks_1m")).to.deep.equal(
            firehoseSinkOptions({ deliveryStreamName: "clickstream-lake-ka_clicks_1m", region: LAKE_REGION }),
        );
    });
});

describe("region stack: season, new outputs, attached-stream keys, missing jar", function () {
    this.timeout(60000);

    it("season: paused stops every app (with a snapshot, not forced) and keeps streams, consumers and state settings", async () => {
        const e = await evaluateRegion("Pulumi.eu.yaml", { overrides: { "clickstream:season": "paused" } });
        expect(e.config.season).to.equal("paused");
        const apps = resourcesOfType("aws:kinesisanalyticsv2/application:Application");
        expect(apps).to.have.length(3);
        for (const a of apps) {
            expect(a.inputs.startApplication).to.equal(false);
            expect(a.inputs.forceStop).to.equal(false);
            expect(a.inputs.applicationConfiguration.applicationSnapshotConfiguration).to.deep.equal({ snapshotsEnabled: true });
            expect(a.inputs.applicationConfiguration.runConfiguration.applicationRestoreConfiguration.applicationRestoreType).to.equal(
                "RESTORE_FROM_LATEST_SNAPSHOT",
            );
        }
        expect(resourcesOfType("aws:kinesis/stream:Stream")).to.have.length(1);
        expect(resourcesOfType("aws:kinesis/streamConsumer:StreamConsumer")).to.have.length(1);
    });

    it("every update carries the run configuration: the token changes with the SQL, not with the season or a re-evaluation", async () => {
        const token = () =>
            resourcesOfType("aws:kinesisanalyticsv2/application:Application").map(
                (a) => a.inputs.applicationConfiguration.runConfiguration.applicationRestoreConfiguration.snapshotName,
            );
        await evaluateRegion("Pulumi.us.yaml");
        const base = token();
        await evaluateRegion("Pulumi.us.yaml");
        expect(token()).to.deep.equal(base); // nothing changed: no update, no spurious diff
        await evaluateRegion("Pulumi.us.yaml", { overrides: { "clickstream:season": "paused" } });
        expect(token()).to.deep.equal(base); // a pause is a stop: no update that would restart the app first
        const dir = fixtureSqlDir(["bounce_rate_1m"]);
        await evaluateRegion("Pulumi.us.yaml", { catalog: loadSqlCatalog(dir, path.dirname(dir)) });
        expect(token()[0]).to.not.equal(base[0]);
    });

    it("restore: skip starts the app without state at its startPosition, and tags it so the policy pack knows it was asked for", async () => {
        await evaluateRegion("Pulumi.us.yaml", {
            overrides: {
                "clickstream:apps": {
                    realtime: { source: "web", outputs: "all", restore: "skip", startPosition: "AT_TIMESTAMP", startTimestamp: "2026-11-27T10:00:00Z" },
                },
            },
        });
        const [a] = resourcesOfType("aws:kinesisanalyticsv2/application:Application");
        expect(a.inputs.applicationConfiguration.runConfiguration.applicationRestoreConfiguration.applicationRestoreType).to.equal(
            "SKIP_RESTORE_FROM_SNAPSHOT",
        );
        expect(a.inputs.tags).to.deep.equal({ "clickstream:restore": "skip" });
        expect(tableGroup("realtime", "clickstream_raw")).to.include({
            "scan.stream.initpos": "AT_TIMESTAMP",
            "scan.stream.initpos-timestamp": "2026-11-27T10:00:00.000Z",
        });
    });

    it("a new SQL output file becomes a new table group and Firehose grant for apps with outputs: all, with no TypeScript change", async () => {
        const dir = fixtureSqlDir(["bounce_rate_1m"]);
        const catalog = loadSqlCatalog(dir, path.dirname(dir));
        await evaluateRegion("Pulumi.us.yaml", { catalog });
        expect(tableGroup("realtime", "bounce_rate_1m")).to.deep.equal(
            firehoseSinkOptions({ deliveryStreamName: "clickstream-lake-bounce_rate_1m", region: LAKE_REGION }),
        );
        expect(reassembleSqlBundle(groupsOf("realtime")).statements.map((s) => s.file)).to.include("sql/outputs/bounce_rate_1m.sql");
        expect(policyOf("realtime").Statement.find((s: { Sid: string }) => s.Sid === "WriteLakeFirehoses").Resource).to.include(firehoseArn("bounce_rate_1m"));
    });

    it("grants kms:Decrypt on an attached stream's customer managed key, found by lookup", async () => {
        const streamKey = "arn:aws:kms:eu-west-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        streamLookups["mobile-events-eu"] = { encryptionType: "KMS", kmsKeyId: streamKey };
        try {
            await evaluateRegion("Pulumi.eu.yaml");
            expect(policyOf("mobile").Statement.find((s: { Sid: string }) => s.Sid === "DecryptSourceAndCode")).to.deep.equal({
                Sid: "DecryptSourceAndCode",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: [streamKey, KEY_ARN],
            });
        } finally {
            delete streamLookups["mobile-events-eu"];
        }
    });

    it("fails before creating anything when the runner jar is missing, naming npm run build:runner", async () => {
        resetResources();
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "clickstream-nojar-"));
        const catalog = fixtureCatalog();
        const config = parseRegionConfig(readStackFile(path.join(REPO, "Pulumi.eu.yaml")), ...outputNamesOf(catalog.outputs));
        const run = () => createRegionStack(config, catalog, { projectRoot: empty });
        expect(run).to.throw(RunnerArtifactError);
        try {
            run();
        } catch (e) {
            const message = (e as Error).message;
            expect(message).to.equal(
                `clickstream:runnerJar: runner jar 'runner/target/clickstream-runner.jar' not found at ${path.join(empty, "runner/target/clickstream-runner.jar")}; ` +
                    "build it with `npm run build:runner` (Maven) and run again",
            );
            expect(message).to.not.include("\n");
        }
        await settleAll();
        expect(recorded).to.deep.equal([]);
    });
});

describe("region stack on the real sql/ folder", function () {
    this.timeout(60000);
    it("evaluates Pulumi.eu.yaml with the repository's SQL: every app's properties fit and reassemble to its files", async () => {
        const catalog = loadSqlCatalog();
        await evaluateRegion("Pulumi.eu.yaml", { catalog });
        for (const name of ["realtime", "campaigns", "mobile"]) {
            const files = reassembleSqlBundle(groupsOf(name)).statements.map((s) => s.file);
            expect(files[0]).to.equal(catalog.sources[0].file);
            expect(files).to.include.members(catalog.views.map((v) => v.file));
        }
        expect(
            reassembleSqlBundle(groupsOf("campaigns"))
                .statements.filter((s) => s.file.startsWith("sql/outputs/"))
                .map((s) => s.file),
        ).to.deep.equal([...EU_CAMPAIGNS, ...EU_CAMPAIGNS].map((o) => `sql/outputs/${o}.sql`));
    });
});

describe("region stack: a KA for SQL application (sql/ka/web_metrics)", function () {
    this.timeout(60000);
    it("deploys as a Managed Flink app on the FLINK runtime whose properties carry the translated statements, writing to its outputs' Firehoses", async () => {
        const catalog = loadSqlCatalog();
        const base = readStackFile(path.join(REPO, "Pulumi.eu.yaml"));
        const apps = { ...(base("clickstream:apps") as Record<string, unknown>), legacy: { source: "web", ka: "web_metrics", parallelism: 1 } };
        await evaluateRegion("Pulumi.eu.yaml", { catalog, overrides: { "clickstream:apps": apps } });
        expect(app("legacy").inputs.name).to.equal("clickstream-test-legacy");
        expect(app("legacy").inputs.runtimeEnvironment)
            .to.equal(FLINK_RUNTIME)
            .and.to.match(/^FLINK-/);
        expect(recorded.filter((r) => r.type === "aws:kinesis/analyticsApplication:AnalyticsApplication")).to.deep.equal([]);
        expect(resourcesOfType("aws:kinesisanalyticsv2/application:Application").map((a) => a.inputs.runtimeEnvironment)).to.deep.equal(
            Array(4).fill(FLINK_RUNTIME),
        );

        const ka = catalog.kaApps.find((a) => a.name === "web_metrics")!;
        expect(reassembleSqlBundle(groupsOf("legacy")).statements).to.deep.equal(ka.statements.map((s) => ({ file: s.file, sql: s.sql })));
        expect(reassembleSqlBundle(groupsOf("legacy")).statements.map((s) => s.sql.split("\n")[0])).to.deep.equal([
            "CREATE TABLE ka_raw (",
            "CREATE VIEW ka_parsed AS",
            "CREATE VIEW events_unique AS",
            "CREATE VIEW `source_sql_stream_001` AS",
            "CREATE VIEW `active_users_1m` AS",
            "CREATE VIEW `clicks_1m` AS",
            "CREATE TABLE ka_active_users_1m (",
            "CREATE TABLE ka_clicks_1m (",
            "CREATE TABLE rejected_events (",
            "INSERT INTO ka_active_users_1m",
            "INSERT INTO ka_clicks_1m",
            "INSERT INTO rejected_events",
        ]);
        const runner = groupsOf("legacy").find((g) => g.PropertyGroupId === "runner")!.PropertyMap;
        expect(runner["app.name"]).to.equal("legacy");
        expect(
            groupsOf("legacy")
                .filter((g) => g.PropertyGroupId.startsWith("table."))
                .map((g) => g.PropertyGroupId),
        ).to.deep.equal(["table.ka_raw", "table.ka_active_users_1m", "table.ka_clicks_1m", "table.rejected_events"]);
        // Two apps now poll web: each every 400 ms.
        expect(tableGroup("legacy", "ka_raw")).to.deep.equal(
            kinesisSourceOptions({ streamName: "clickstream-eu-web", region: "eu-west-1", readMode: "POLLING", pollIntervalMs: 400 }),
        );
        for (const o of ["ka_active_users_1m", "ka_clicks_1m", "rejected_events"]) {
            expect(tableGroup("legacy", o)).to.deep.equal(firehoseSinkOptions({ deliveryStreamName: `clickstream-lake-${o}`, region: LAKE_REGION }));
        }
        const statements = (policyOf("legacy") as { Statement: { Sid: string; Resource: unknown }[] }).Statement;
        expect(statements.find((s) => s.Sid === "WriteLakeFirehoses")!.Resource).to.deep.equal(
            ["rejected_events", "ka_active_users_1m", "ka_clicks_1m"].map(firehoseArn),
        );
    });
});
