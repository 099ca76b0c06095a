import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { glueColumns, glueStorageDescriptor, glueTableParameters, PARQUET } from "../lib/sql/glue-schema";
import { bundlePartitionRegistrar } from "../components/PartitionRegistrar";
import { ConfigError } from "../lib/config";
import { firehoseDeliveryPolicy, firehoseTrustPolicy, lakeKeyPolicy, partitionRegistrarPolicy, tlsOnlyBucketPolicy } from "../lib/iam/lake-policies";
import { retainedResourceOptions } from "../lib/resource-options";
import { lakeOutputs, loadQueryFiles, loadSqlCatalog, SqlDefinitionError } from "../lib/sql/catalog";
import { createLakeStack } from "../stacks/lake";
import { lakeConfig, writeFixtureSql } from "./lake-fixtures";
import { all, AWS, BUCKET, BUCKET_ARN, evaluateLake, expectLeastPrivilege, GLUE, KEY_ARN, one, policyOf } from "./lake-helpers";
import { recorded } from "./mocks";

const scope = { partition: "aws", region: "eu-central-1", accountId: AWS };

describe("lake stack (Pulumi.lake.yaml, fixture sql/)", function () {
    this.timeout(60_000);
    let sqlDir: string;
    let outputs: Record<string, unknown>;

    before(async () => {
        sqlDir = writeFixtureSql();
        ({ outputs } = await evaluateLake(lakeConfig(), sqlDir));
    });

    it("exports the contract the region stacks read, and the lake's names", () => {
        expect(outputs).to.deep.equal({
            bucketName: BUCKET,
            bucketArn: BUCKET_ARN,
            bucketAdopted: false,
            kmsKeyArn: KEY_ARN,
            glueDatabase: "clickstream",
            analyticsOutputs: {
                clicks_1m: {
                    firehoseName: "clickstream-clicks_1m",
                    firehoseArn: "arn:aws:firehose:eu-central-1:123456789012:deliverystream/clickstream-clicks_1m",
                    region: "eu-central-1",
                    glueTable: "clicks_1m",
                    s3Prefix: `s3://${BUCKET}/clicks_1m/`,
                },
                revenue_1m: {
                    firehoseName: "clickstream-revenue_1m",
                    firehoseArn: "arn:aws:firehose:eu-central-1:123456789012:deliverystream/clickstream-revenue_1m",
                    region: "eu-central-1",
                    glueTable: "revenue_1m",
                    s3Prefix: `s3://${BUCKET}/revenue_1m/`,
                },
            },
            athenaWorkgroup: "clickstream",
            spectrumSchema: "clickstream",
            spectrumRoleArn: "arn:aws:iam:eu-central-1:123456789012:spectrum-role",
            spectrumSchemaSql:
                "CREATE EXTERNAL SCHEMA IF NOT EXISTS clickstream FROM DATA CATALOG DATABASE 'clickstream' " +
                "IAM_ROLE 'arn:aws:iam:eu-central-1:123456789012:spectrum-role' REGION 'eu-central-1'",
            spectrumRoleAssociationCommand:
                "aws redshift-serverless update-namespace --region eu-central-1 --namespace-name analytics-ns " +
                "--iam-roles arn:aws:iam::123456789012:role/existing-redshift-role arn:aws:iam:eu-central-1:123456789012:spectrum-role " +
                "--default-iam-role-arn arn:aws:iam:eu-central-1:123456789012:spectrum-role",
            spectrumGrantSql: 'GRANT CREATE ON DATABASE dev TO "<your database user>"; GRANT CREATE ON SCHEMA public TO "<your database user>";',
            partitionRegistrarFunction: "clickstream-test-partition-registrar",
            alarmTopicArn: "arn:aws:sns:eu-central-1:123456789012:clickstream-test-alarms",
            lakeDashboard: "clickstream-test",
        });
    });

    it("KMS key: rotation on, 30-day deletion window, the lake key policy", () => {
        const key = one("aws:kms/key:Key", "lake-key");
        expect(key.inputs.enableKeyRotation).to.equal(true);
        expect(key.inputs.deletionWindowInDays).to.equal(30);
        expect(policyOf(key)).to.deep.equal(lakeKeyPolicy(scope));
        expect(one("aws:kms/alias:Alias", "lake-key-alias").inputs).to.deep.equal({ name: "alias/clickstream-test", targetKeyId: "key-lake-key" });
    });

    it("bucket: SSE-KMS with bucket key, versioning, four public-access blocks, ACLs disabled, TLS only", () => {
        expect(one("aws:s3/bucket:Bucket", "lake-bucket").inputs).to.deep.equal({ bucket: BUCKET, forceDestroy: false });
        const bucketId = "lake-bucket-id";
        expect(one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "lake-encryption").inputs).to.deep.equal({
            bucket: bucketId,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY_ARN }, bucketKeyEnabled: true }],
        });
        expect(one("aws:s3/bucketVersioning:BucketVersioning", "lake-versioning").inputs).to.deep.equal({
            bucket: bucketId,
            versioningConfiguration: { status: "Enabled" },
        });
        expect(one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "lake-public-access").inputs).to.deep.equal({
            bucket: bucketId,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        expect(one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "lake-ownership").inputs).to.deep.equal({
            bucket: bucketId,
            rule: { objectOwnership: "BucketOwnerEnforced" },
        });
        const policy = one("aws:s3/bucketPolicy:BucketPolicy", "lake-tls-only");
        expect(policyOf(policy)).to.deep.equal(tlsOnlyBucketPolicy(BUCKET_ARN));
    });

    it("lifecycle: noncurrent versions, incomplete uploads, Firehose errors and Athena results expire", () => {
        expect(one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "lake-lifecycle").inputs.rules).to.deep.equal([
            { id: "expire-noncurrent-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 } },
            { id: "abort-incomplete-multipart-uploads", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
            { id: "expire-firehose-errors", status: "Enabled", filter: { prefix: "errors/" }, expiration: { days: 14 } },
            { id: "expire-athena-results", status: "Enabled", filter: { prefix: "athena-results/" }, expiration: { days: 7 } },
        ]);
    });

    it("Glue database, and one table per output with columns derived from its SQL file", () => {
        expect(one("aws:glue/catalogDatabase:CatalogDatabase", "lake-database").inputs.name).to.equal("clickstream");
        const clicks = one("aws:glue/catalogTable:CatalogTable", "clicks_1m-table").inputs;
        expect(clicks.storageDescriptor.columns).to.deep.equal([
            { name: "window_start", type: "timestamp" },
            { name: "window_end", type: "timestamp" },
            { name: "region", type: "string" },
            { name: "site", type: "string" },
            { name: "clicks", type: "bigint" },
        ]);
        const revenue = one("aws:glue/catalogTable:CatalogTable", "revenue_1m-table").inputs;
        expect(revenue.storageDescriptor.columns).to.deep.equal([
            { name: "window_start", type: "timestamp" },
            { name: "region", type: "string" },
            { name: "campaign", type: "varchar(64)" },
            { name: "revenue", type: "decimal(18,2)" },
            { name: "tags", type: "array<string>" },
        ]);
    });

    it("Glue table: external Parquet, partition keys year/month/day/hour, projection matching the Firehose prefix", () => {
        expect(one("aws:glue/catalogTable:CatalogTable", "clicks_1m-table").inputs).to.deep.equal({
            name: "clicks_1m",
            databaseName: "clickstream",
            description: "Clickstream output 'clicks_1m', derived from sql/outputs/clicks_1m.sql; written by Firehose as Parquet",
            tableType: "EXTERNAL_TABLE",
            partitionKeys: [
                { name: "year", type: "string" },
                { name: "month", type: "string" },
                { name: "day", type: "string" },
                { name: "hour", type: "string" },
            ],
            parameters: {
                EXTERNAL: "TRUE",
                classification: "parquet",
                "parquet.compression": "SNAPPY",
                "projection.enabled": "true",
                "projection.year.type": "integer",
                "projection.year.range": "2025,2035",
                "projection.month.type": "integer",
                "projection.month.range": "1,12",
                "projection.month.digits": "2",
                "projection.day.type": "integer",
                "projection.day.range": "1,31",
                "projection.day.digits": "2",
                "projection.hour.type": "integer",
                "projection.hour.range": "0,23",
                "projection.hour.digits": "2",
                "storage.location.template": `s3://${BUCKET}/clicks_1m/year=\${year}/month=\${month}/day=\${day}/hour=\${hour}/`,
            },
            storageDescriptor: {
                location: `s3://${BUCKET}/clicks_1m/`,
                inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                compressed: false,
                storedAsSubDirectories: false,
                columns: [
                    { name: "window_start", type: "timestamp" },
                    { name: "window_end", type: "timestamp" },
                    { name: "region", type: "string" },
                    { name: "site", type: "string" },
                    { name: "clicks", type: "bigint" },
                ],
                serDeInfo: {
                    name: "parquet",
                    serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                    parameters: { "serialization.format": "1" },
                },
            },
        });
        expect(PARQUET.serializationLibrary).to.equal("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");
    });

    it("Firehose: Direct PUT to S3, hourly prefix, error prefix, 128 MiB / 60 s, JSON to Snappy Parquet via the table, SSE with the lake key", () => {
        expect(one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "clicks_1m-firehose").inputs).to.deep.equal({
            name: "clickstream-clicks_1m",
            destination: "extended_s3",
            serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: KEY_ARN },
            extendedS3Configuration: {
                roleArn: "arn:aws:iam:eu-central-1:123456789012:clicks_1m-firehose-role",
                bucketArn: BUCKET_ARN,
                prefix: "clicks_1m/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/",
                errorOutputPrefix:
                    "errors/clicks_1m/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/",
                bufferingSize: 128,
                bufferingInterval: 60,
                compressionFormat: "UNCOMPRESSED",
                kmsKeyArn: KEY_ARN,
                cloudwatchLoggingOptions: { enabled: true, logGroupName: "/aws/kinesisfirehose/clickstream-clicks_1m", logStreamName: "DestinationDelivery" },
                dataFormatConversionConfiguration: {
                    enabled: true,
                    inputFormatConfiguration: { deserializer: { hiveJsonSerDe: {} } },
                    outputFormatConfiguration: { serializer: { parquetSerDe: { compression: "SNAPPY" } } },
                    schemaConfiguration: {
                        catalogId: AWS,
                        databaseName: "clickstream",
                        tableName: "clicks_1m",
                        region: "eu-central-1",
                        roleArn: "arn:aws:iam:eu-central-1:123456789012:clicks_1m-firehose-role",
                        versionId: "LATEST",
                    },
                },
            },
        });
        // Firehose has no Kinesis stream source: the Flink apps PUT directly.
        expect(one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "clicks_1m-firehose").inputs).not.to.have.property(
            "kinesisSourceConfiguration",
        );
    });

    it("Firehose error logging: a KMS-encrypted log group with retention, and its stream", () => {
        expect(one("aws:cloudwatch/logGroup:LogGroup", "clicks_1m-logs").inputs).to.deep.equal({
            name: "/aws/kinesisfirehose/clickstream-clicks_1m",
            retentionInDays: 90,
            kmsKeyId: KEY_ARN,
        });
        expect(one("aws:cloudwatch/logStream:LogStream", "clicks_1m-log-stream").inputs).to.deep.equal({
            name: "DestinationDelivery",
            logGroupName: "/aws/kinesisfirehose/clickstream-clicks_1m",
        });
    });

    it("Firehose role: trusted by Firehose for this account only, least privilege for its output", () => {
        const role = one("aws:iam/role:Role", "clicks_1m-firehose-role");
        expect(policyOf(role, "assumeRolePolicy")).to.deep.equal(firehoseTrustPolicy(AWS));
        const policy = policyOf(one("aws:iam/rolePolicy:RolePolicy", "clicks_1m-firehose-policy"));
        expect(policy).to.deep.equal(
            firehoseDeliveryPolicy({
                ...scope,
                bucketArn: BUCKET_ARN,
                output: "clicks_1m",
                database: "clickstream",
                kmsKeyArn: KEY_ARN,
                logGroupName: "/aws/kinesisfirehose/clickstream-clicks_1m",
                logStreamName: "DestinationDelivery",
            }),
        );
        // And concretely: the revenue_1m role cannot touch clicks_1m.
        const other = JSON.stringify(policyOf(one("aws:iam/rolePolicy:RolePolicy", "revenue_1m-firehose-policy")));
        expect(other).not.to.contain("clicks_1m");
        expect(other).to.contain(`${GLUE}:table/clickstream/revenue_1m`);
    });

    it("partition registrar: a bundled nodejs22.x Lambda naming the database and tables, on a 15-minute schedule", () => {
        const fn = one("aws:lambda/function:Function", "partition-registrar-function").inputs;
        const { code, role, ...rest } = fn;
        expect(rest).to.deep.equal({
            name: "clickstream-test-partition-registrar",
            description: "Registers the clickstream outputs' hourly partitions in Glue for Redshift Spectrum",
            runtime: "nodejs22.x",
            architectures: ["arm64"],
            handler: "index.handler",
            timeout: 120,
            memorySize: 256,
            environment: { variables: { GLUE_DATABASE: "clickstream", GLUE_TABLES: "clicks_1m,revenue_1m", LOOKBACK_HOURS: "3", AHEAD_HOURS: "1" } },
            loggingConfig: { logFormat: "JSON", logGroup: "/aws/lambda/clickstream-test-partition-registrar" },
        });
        expect(role).to.equal("arn:aws:iam:eu-central-1:123456789012:partition-registrar-role");
        // Mocks serialize an archive without its contents; the bundle itself is checked below.
        expect(code).to.have.property("__pulumiArchive", true);
        expect(one("aws:cloudwatch/logGroup:LogGroup", "partition-registrar-logs").inputs).to.deep.equal({
            name: "/aws/lambda/clickstream-test-partition-registrar",
            retentionInDays: 90,
            kmsKeyId: KEY_ARN,
        });
        expect(policyOf(one("aws:iam/rolePolicy:RolePolicy", "partition-registrar-policy"))).to.deep.equal(
            partitionRegistrarPolicy({
                ...scope,
                database: "clickstream",
                tables: ["clicks_1m", "revenue_1m"],
                logGroupName: "/aws/lambda/clickstream-test-partition-registrar",
            }),
        );
        expect(policyOf(one("aws:iam/role:Role", "partition-registrar-role"), "assumeRolePolicy").Statement).to.deep.equal([
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
        ]);
        expect(one("aws:cloudwatch/eventRule:EventRule", "partition-registrar-schedule").inputs).to.deep.equal({
            name: "clickstream-test-partition-registrar",
            description: "Registers clickstream partitions for Spectrum",
            scheduleExpression: "rate(15 minutes)",
        });
        expect(one("aws:cloudwatch/eventTarget:EventTarget", "partition-registrar-target").inputs).to.deep.equal({
            rule: "clickstream-test-partition-registrar",
            arn: "arn:aws:lambda:eu-central-1:123456789012:clickstream-test-partition-registrar",
        });
        expect(one("aws:lambda/permission:Permission", "partition-registrar-invoke-permission").inputs).to.deep.equal({
            action: "lambda:InvokeFunction",
            function: "clickstream-test-partition-registrar",
            principal: "events.amazonaws.com",
            sourceArn: "arn:aws:cloudwatch:eu-central-1:123456789012:clickstream-test-partition-registrar",
        });
        expect(one("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "partition-registrar-invoke-config").inputs).to.deep.equal({
            functionName: "clickstream-test-partition-registrar",
            maximumRetryAttempts: 2,
            maximumEventAgeInSeconds: 900,
        });
    });

    it("Athena: enforced workgroup, SSE_KMS results under athena-results/, metrics on, one named query per sql/athena file", () => {
        expect(one("aws:athena/workgroup:Workgroup", "athena-workgroup").inputs).to.deep.equal({
            name: "clickstream",
            description: "Clickstream lake dashboards and ad-hoc queries",
            state: "ENABLED",
            forceDestroy: true,
            configuration: {
                enforceWorkgroupConfiguration: true,
                publishCloudwatchMetricsEnabled: true,
                bytesScannedCutoffPerQuery: 10737418240,
                engineVersion: { selectedEngineVersion: "Athena engine version 3" },
                resultConfiguration: {
                    outputLocation: `s3://${BUCKET}/athena-results/`,
                    encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: KEY_ARN },
                },
            },
        });
        expect(all("aws:athena/namedQuery:NamedQuery").map((q) => q.inputs)).to.deep.equal([
            {
                name: "clicks_last_hour",
                description: "From sql/athena/clicks_last_hour.sql",
                workgroup: "clickstream",
                database: "clickstream",
                query: "SELECT site, SUM(clicks) AS clicks FROM clicks_1m WHERE year = '2025' GROUP BY site",
            },
        ]);
    });

    it("every IAM policy: named actions, resources scoped to ARNs", () => {
        const policies = all("aws:iam/rolePolicy:RolePolicy");
        expect(policies.map((p) => p.name).sort()).to.deep.equal([
            "clicks_1m-firehose-policy",
            "partition-registrar-policy",
            "revenue_1m-firehose-policy",
            "spectrum-policy",
        ]);
        for (const p of policies) expectLeastPrivilege(policyOf(p) as never);
    });

    it("components: type tokens, and every child named after and parented by its component", () => {
        const components = recorded.filter((r) => r.type.startsWith("clickstream:index:"));
        expect(components.map((c) => `${c.type} ${c.name}`).sort()).to.deep.equal([
            "clickstream:index:AnalyticsOutput clicks_1m",
            "clickstream:index:AnalyticsOutput revenue_1m",
            "clickstream:index:AthenaWorkgroup athena",
            "clickstream:index:DataLake lake",
            "clickstream:index:LakeMonitoring lake-monitoring",
            "clickstream:index:PartitionRegistrar partition-registrar",
            "clickstream:index:SpectrumSchema spectrum",
        ]);
        const children = recorded.filter((r) => !r.type.startsWith("clickstream:index:") && r.name !== "lake-database");
        for (const child of children) {
            expect(
                components.some((c) => child.name.startsWith(`${c.name}-`)),
                child.name,
            ).to.equal(true);
        }
    });
});

describe("lake stack: a new SQL output file is a new table, Firehose, alarms and grants, with no TypeScript change", function () {
    this.timeout(60_000);
    it("adds bounces_1m everywhere", async () => {
        const sqlDir = writeFixtureSql({
            "outputs/bounces_1m.sql": `CREATE TABLE bounces_1m (
  window_start TIMESTAMP(3),
  region STRING,
  site STRING,
  bounces INT,
  bounce_rate DOUBLE
);
INSERT INTO bounces_1m
SELECT window_start, SOURCE_REGION() AS region, site, CAST(COUNT(*) AS INT) AS bounces, 0.5 AS bounce_rate
FROM TABLE(TUMBLE(TABLE clickstream_raw, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, site;
`,
        });
        const { outputs } = await evaluateLake(lakeConfig(), sqlDir);
        expect(Object.keys(outputs.analyticsOutputs as object)).to.deep.equal(["bounces_1m", "clicks_1m", "revenue_1m"]);
        expect(one("aws:glue/catalogTable:CatalogTable", "bounces_1m-table").inputs.storageDescriptor.columns).to.deep.equal([
            { name: "window_start", type: "timestamp" },
            { name: "region", type: "string" },
            { name: "site", type: "string" },
            { name: "bounces", type: "int" },
            { name: "bounce_rate", type: "double" },
        ]);
        const firehose = one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "bounces_1m-firehose").inputs;
        expect(firehose.name).to.equal("clickstream-bounces_1m");
        expect(firehose.extendedS3Configuration.prefix).to.equal(
            "bounces_1m/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/",
        );
        expect(firehose.extendedS3Configuration.dataFormatConversionConfiguration.schemaConfiguration.tableName).to.equal("bounces_1m");
        expect(all("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")).to.have.length(3);
        expect(one("aws:lambda/function:Function", "partition-registrar-function").inputs.environment.variables.GLUE_TABLES).to.equal(
            "bounces_1m,clicks_1m,revenue_1m",
        );
        expect(
            all("aws:cloudwatch/metricAlarm:MetricAlarm")
                .filter((a) => a.name.includes("bounces_1m"))
                .map((a) => a.inputs.metricName),
        ).to.deep.equal(["DeliveryToS3.DataFreshness", "FailedConversion.Records", "ThrottledRecords"]);
        const spectrum = policyOf(one("aws:iam/rolePolicy:RolePolicy", "spectrum-policy"));
        expect(spectrum.Statement.find((s) => s.Sid === "ReadOutputObjects")!.Resource).to.deep.equal([
            `${BUCKET_ARN}/bounces_1m/*`,
            `${BUCKET_ARN}/clicks_1m/*`,
            `${BUCKET_ARN}/revenue_1m/*`,
        ]);
    });
});

describe("lake stack: adopting an existing bucket", function () {
    this.timeout(60_000);
    it("creates nothing on the bucket, and points everything at it", async () => {
        const { outputs } = await evaluateLake(lakeConfig({ "clickstream:existingBucketName": "acme-data-lake" }), writeFixtureSql());
        expect(recorded.filter((r) => r.type.startsWith("aws:s3/"))).to.deep.equal([]);
        expect(outputs.bucketName).to.equal("acme-data-lake");
        expect(outputs.bucketArn).to.equal("arn:aws:s3:::acme-data-lake");
        expect(outputs.bucketAdopted).to.equal(true);
        const s3 = one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "clicks_1m-firehose").inputs.extendedS3Configuration;
        expect(s3.bucketArn).to.equal("arn:aws:s3:::acme-data-lake");
        // Objects are still encrypted with the lake key, whatever the bucket's default encryption.
        expect(s3.kmsKeyArn).to.equal(KEY_ARN);
        expect(one("aws:glue/catalogTable:CatalogTable", "clicks_1m-table").inputs.storageDescriptor.location).to.equal("s3://acme-data-lake/clicks_1m/");
        expect(one("aws:athena/workgroup:Workgroup", "athena-workgroup").inputs.configuration.resultConfiguration.outputLocation).to.equal(
            "s3://acme-data-lake/athena-results/",
        );
        // The key is still created and retained.
        expect(one("aws:kms/key:Key", "lake-key").inputs.enableKeyRotation).to.equal(true);
    });
});

describe("lake stack: the real sql/ folder", function () {
    this.timeout(60_000);
    it("one table and Firehose per sql/outputs file and per KA application output, columns from glueColumns()", async () => {
        const catalog = loadSqlCatalog();
        expect(catalog.outputs.length).to.be.greaterThan(0);
        await evaluateLake(lakeConfig());
        for (const output of lakeOutputs(catalog)) {
            expect(one("aws:glue/catalogTable:CatalogTable", `${output.name}-table`).inputs.storageDescriptor).to.deep.equal(
                glueStorageDescriptor(BUCKET, output.name, glueColumns(output)),
            );
            expect(one("aws:glue/catalogTable:CatalogTable", `${output.name}-table`).inputs.parameters).to.deep.equal(glueTableParameters(BUCKET, output.name));
            expect(one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", `${output.name}-firehose`).inputs.name).to.equal(
                `clickstream-${output.name}`,
            );
        }
        expect(all("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")).to.have.length(catalog.outputs.length + 2);
        expect(all("aws:athena/namedQuery:NamedQuery")).to.have.length(loadQueryFiles(path.resolve(__dirname, "..", "sql", "athena")).length);
    });

    it("the KA application sql/ka/web_metrics: its two outputs' Glue tables, from its streams, with rowtime and region", async () => {
        await evaluateLake(lakeConfig());
        const columns = (table: string) =>
            (one("aws:glue/catalogTable:CatalogTable", `${table}-table`).inputs.storageDescriptor as { columns: { name: string; type: string }[] }).columns.map(
                (c) => `${c.name} ${c.type}`,
            );
        expect(columns("ka_active_users_1m")).to.deep.equal([
            "window_start timestamp",
            "site string",
            "country string",
            "active_users bigint",
            "rowtime timestamp",
            "region string",
        ]);
        expect(columns("ka_clicks_1m")).to.deep.equal([
            "window_start timestamp",
            "site string",
            "country string",
            "page_type string",
            "clicks bigint",
            "rowtime timestamp",
            "region string",
        ]);
        expect(one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "ka_clicks_1m-firehose").inputs.name).to.equal("clickstream-ka_clicks_1m");
    });

    it("every sql/redshift view reads only outputs that exist, through ${schema}", () => {
        const outputs = loadSqlCatalog().outputs.map((o) => o.name);
        const views = loadQueryFiles(path.resolve(__dirname, "..", "sql", "redshift"));
        expect(views.length).to.be.greaterThan(0);
        for (const view of views) {
            const referenced = [...view.sql.matchAll(/\$\{schema\}\.([a-z0-9_]+)/g)].map((m) => m[1]);
            expect(referenced.length, view.file).to.be.greaterThan(0);
            for (const table of referenced) expect(outputs, `${view.file} reads ${table}`).to.include(table);
            expect(view.sql, view.file).to.match(/WITH NO SCHEMA BINDING$/);
        }
    });
});

describe("lake stack: errors before any resource", () => {
    it("a sql/ folder without outputs", () => {
        const dir = writeFixtureSql();
        for (const f of fs.readdirSync(path.join(dir, "outputs"))) fs.unlinkSync(path.join(dir, "outputs", f));
        expect(() => createLakeStack(lakeConfig(), loadSqlCatalog(dir), { sqlDir: dir })).to.throw(SqlDefinitionError, "sql/outputs: no output");
    });

    it("redshift.roleAssociated must be a boolean, and only applies to existing targets", () => {
        expect(() => lakeConfig({ "clickstream:redshift": { mode: "serverless", workgroupName: "analytics", roleAssociated: "yes" } })).to.throw(
            ConfigError,
            "clickstream:redshift.roleAssociated: 'yes' is not valid; expected true or false",
        );
        expect(() => lakeConfig({ "clickstream:redshift": { mode: "create-serverless", roleAssociated: true } })).to.throw(
            ConfigError,
            "clickstream:redshift.roleAssociated: true is not valid; unknown setting",
        );
        expect(lakeConfig({ "clickstream:redshift": { mode: "cluster", clusterIdentifier: "bi", roleAssociated: "true" } }).redshift).to.deep.equal({
            mode: "cluster",
            clusterIdentifier: "bi",
            database: "dev",
            dbUser: "awsuser",
            roleAssociated: true,
        });
    });
});

describe("partition registrar bundle (esbuild at program time)", function () {
    this.timeout(60_000);
    it("is one self-contained CommonJS file exporting the handler, with the Glue client inside", () => {
        const bundle = bundlePartitionRegistrar();
        expect(bundle).to.contain("BatchCreatePartition");
        expect(bundle).to.contain("AlreadyExistsException");
        expect(bundlePartitionRegistrar()).to.equal(bundle); // deterministic: an unchanged function does not redeploy
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "registrar-"));
        fs.writeFileSync(path.join(dir, "index.js"), bundle);
        // Loads from a folder with no node_modules: nothing is expected from the Lambda runtime but Node.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const loaded = require(path.join(dir, "index.js")) as { handler: unknown };
        expect(loaded.handler).to.be.a("function");
    });
});

describe("destroy-safety: retained resource options", () => {
    it("the bucket, its settings and the key are retained on delete, never protected into a failing destroy", () => {
        expect(retainedResourceOptions()).to.deep.equal({ protect: false, retainOnDelete: true });
        // A caller cannot switch retention off by accident.
        expect(retainedResourceOptions({ retainOnDelete: false, protect: true })).to.deep.equal({ protect: true, retainOnDelete: true });
    });
});
