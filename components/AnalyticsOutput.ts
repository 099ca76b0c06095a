import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccountScope } from "../lib/iam/documents";
import { firehoseDeliveryPolicy, firehoseTrustPolicy } from "../lib/iam/lake-policies";
import { FIREHOSE_LOG_STREAM, firehoseErrorPrefix, firehoseLogGroupName, firehosePrefix } from "../lib/naming";
import { OutputTable } from "../lib/sql/catalog";
import { glueColumns, glueStorageDescriptor, glueTableParameters, PARTITION_KEYS } from "../lib/sql/glue-schema";

export interface AnalyticsOutputArgs {
    /** The output, parsed from `sql/outputs/<output>.sql`: its name and columns drive everything here. */
    readonly output: OutputTable;
    /** Partition, home region and account of the lake. */
    readonly scope: pulumi.Input<AccountScope>;
    /** The Glue database that holds the table. */
    readonly databaseName: pulumi.Input<string>;
    readonly bucketName: pulumi.Input<string>;
    readonly bucketArn: pulumi.Input<string>;
    /** The lake key: Firehose's at-rest encryption, the S3 objects it writes, and its log group. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Firehose delivery stream name (see `firehoseName()` in lib/naming.ts). */
    readonly deliveryStreamName: string;
    /** Firehose buffering interval in seconds. Default 60. */
    readonly bufferingIntervalSeconds?: number;
    /** Firehose buffering size in MiB; at least 64 with Parquet conversion. Default 128. */
    readonly bufferingSizeMiB?: number;
    /** Retention of the Firehose error log group, in days. Default 30. */
    readonly logRetentionDays?: number;
}

/**
 * One analytics output in the lake: its Glue table (Parquet, partitioned by `year, month, day, hour`), and
 * its Direct PUT Firehose that converts the runner's JSON rows to Parquet through that table and writes
 * them under `<output>/year=YYYY/month=MM/day=DD/hour=HH/`, with its own least-privilege role and log group.
 */
export class AnalyticsOutput extends pulumi.ComponentResource {
    public readonly table: aws.glue.CatalogTable;
    public readonly deliveryStream: aws.kinesis.FirehoseDeliveryStream;
    public readonly role: aws.iam.Role;
    public readonly logGroup: aws.cloudwatch.LogGroup;
    public readonly tableName: pulumi.Output<string>;
    public readonly firehoseName: pulumi.Output<string>;
    public readonly firehoseArn: pulumi.Output<string>;
    /** `s3://<lake>/<output>/` */
    public readonly s3Prefix: pulumi.Output<string>;

    constructor(name: string, args: AnalyticsOutputArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clickstream:index:AnalyticsOutput", name, {}, opts);
        const output = args.output.name;
        const columns = glueColumns(args.output); // throws, naming file, column and fix, before any resource
        const scope = pulumi.output(args.scope);
        const bucketName = pulumi.output(args.bucketName);

        this.table = new aws.glue.CatalogTable(
            `${name}-table`,
            {
                name: output,
                databaseName: args.databaseName,
                description: `Clickstream output '${output}', derived from ${args.output.file}; written by Firehose as Parquet`,
                tableType: "EXTERNAL_TABLE",
                parameters: bucketName.apply((b) => glueTableParameters(b, output)),
                partitionKeys: PARTITION_KEYS.map((k) => ({ name: k.name, type: k.type })),
                storageDescriptor: bucketName.apply((b) => glueStorageDescriptor(b, output, columns)),
            },
            { parent: this },
        );

        this.logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: firehoseLogGroupName(args.deliveryStreamName), retentionInDays: args.logRetentionDays ?? 30, kmsKeyId: args.kmsKeyArn },
            { parent: this },
        );
        const logStream = new aws.cloudwatch.LogStream(`${name}-log-stream`, { name: FIREHOSE_LOG_STREAM, logGroupName: this.logGroup.name }, { parent: this });

        this.role = new aws.iam.Role(
            `${name}-firehose-role`,
            {
                description: `Firehose ${args.deliveryStreamName}: writes ${output} into the lake`,
                assumeRolePolicy: pulumi.jsonStringify(scope.apply((s) => firehoseTrustPolicy(s.accountId))),
            },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-firehose-policy`,
            {
                role: this.role.id,
                policy: pulumi.jsonStringify(
                    pulumi
                        .all([scope, args.bucketArn, args.databaseName, args.kmsKeyArn, this.logGroup.name])
                        .apply(([s, bucketArn, database, kmsKeyArn, logGroupName]) =>
                            firehoseDeliveryPolicy({ ...s, bucketArn, output, database, kmsKeyArn, logGroupName, logStreamName: FIREHOSE_LOG_STREAM }),
                        ),
                ),
            },
            { parent: this },
        );

        this.deliveryStream = new aws.kinesis.FirehoseDeliveryStream(
            `${name}-firehose`,
            {
                name: args.deliveryStreamName,
                destination: "extended_s3",
                serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: args.kmsKeyArn },
                extendedS3Configuration: {
                    roleArn: this.role.arn,
                    bucketArn: args.bucketArn,
                    prefix: firehosePrefix(output),
                    errorOutputPrefix: firehoseErrorPrefix(output),
                    bufferingSize: args.bufferingSizeMiB ?? 128,
                    bufferingInterval: args.bufferingIntervalSeconds ?? 60,
                    // Parquet is compressed inside (Snappy, below); the file itself must stay UNCOMPRESSED.
                    compressionFormat: "UNCOMPRESSED",
                    kmsKeyArn: args.kmsKeyArn,
                    cloudwatchLoggingOptions: { enabled: true, logGroupName: this.logGroup.name, logStreamName: logStream.name },
                    dataFormatConversionConfiguration: {
                        enabled: true,
                        // No timestampFormats: without one the SerDe reads timestamps with java.sql.Timestamp.valueOf
                        // (`yyyy-MM-dd HH:mm:ss[.f...]`), which is what Flink's JSON format writes with
                        // json.timestamp-format.standard=SQL: the fraction is left out when it is zero.
                        inputFormatConfiguration: { deserializer: { hiveJsonSerDe: {} } },
                        outputFormatConfiguration: { serializer: { parquetSerDe: { compression: "SNAPPY" } } },
                        schemaConfiguration: {
                            catalogId: scope.accountId,
                            databaseName: args.databaseName,
                            tableName: this.table.name,
                            region: scope.region,
                            roleArn: this.role.arn,
                            versionId: "LATEST",
                        },
                    },
                },
            },
            // The role must be able to read the table before Firehose validates the conversion.
            { parent: this, dependsOn: [policy] },
        );

        this.tableName = this.table.name;
        this.firehoseName = this.deliveryStream.name;
        this.firehoseArn = this.deliveryStream.arn;
        this.s3Prefix = pulumi.interpolate`s3://${bucketName}/${output}/`;
        this.registerOutputs({ tableName: this.tableName, firehoseName: this.firehoseName, firehoseArn: this.firehoseArn, s3Prefix: this.s3Prefix });
    }
}
