import { expect } from "chai";
import {
    firehoseDataPrefix,
    firehoseDirectPutEncryption,
    firehoseErrorLogging,
    firehoseErrorPrefix,
    firehoseParquetBuffering,
} from "../../policy/rules/firehose";
import { validateResource } from "./harness";

const FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream";

function goodFirehose() {
    return {
        name: "clickstream-clicks_1m",
        destination: "extended_s3",
        serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: "arn:aws:kms:eu-central-1:123456789012:key/k" },
        extendedS3Configuration: {
            bucketArn: "arn:aws:s3:::lake",
            roleArn: "arn:aws:iam::123456789012:role/firehose",
            prefix: "clicks_1m/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/",
            errorOutputPrefix: "errors/clicks_1m/!{firehose:error-output-type}/year=!{timestamp:yyyy}/",
            bufferingSize: 128,
            bufferingInterval: 60,
            compressionFormat: "UNCOMPRESSED",
            cloudwatchLoggingOptions: { enabled: true, logGroupName: "/aws/kinesisfirehose/clicks_1m", logStreamName: "DestinationDelivery" },
            dataFormatConversionConfiguration: {
                enabled: true,
                inputFormatConfiguration: { deserializer: { hiveJsonSerDe: {} } },
                outputFormatConfiguration: { serializer: { parquetSerDe: { compression: "SNAPPY" } } },
                schemaConfiguration: { databaseName: "clickstream", tableName: "clicks_1m", roleArn: "arn:aws:iam::123456789012:role/firehose" },
            },
        },
    };
}

describe("policy: Firehose", () => {
    it("firehose-parquet-buffering passes 128 MiB, uncompressed", async () => {
        expect(await validateResource(firehoseParquetBuffering, FIREHOSE, goodFirehose())).to.deep.equal([]);
    });

    it("firehose-parquet-buffering fails a small buffer and GZIP output", async () => {
        const f = goodFirehose();
        f.extendedS3Configuration.bufferingSize = 5;
        f.extendedS3Configuration.compressionFormat = "GZIP";
        expect(await validateResource(firehoseParquetBuffering, FIREHOSE, f)).to.deep.equal([
            "extendedS3Configuration.bufferingSize is 5 MiB; format conversion needs at least 64 MiB",
            "extendedS3Configuration.compressionFormat is 'GZIP'; Parquet output must be UNCOMPRESSED (the Parquet SerDe compresses with Snappy)",
        ]);
    });

    it("firehose-parquet-buffering fails the provider's 5 MiB default when conversion is on", async () => {
        const f = goodFirehose() as { extendedS3Configuration: Record<string, unknown> };
        delete f.extendedS3Configuration.bufferingSize;
        expect(await validateResource(firehoseParquetBuffering, FIREHOSE, f)).to.deep.equal([
            "extendedS3Configuration.bufferingSize is 5 MiB; format conversion needs at least 64 MiB",
        ]);
    });

    it("firehose-parquet-buffering ignores streams without format conversion", async () => {
        const f = goodFirehose() as { extendedS3Configuration: Record<string, unknown> };
        delete f.extendedS3Configuration.dataFormatConversionConfiguration;
        f.extendedS3Configuration.bufferingSize = 1;
        expect(await validateResource(firehoseParquetBuffering, FIREHOSE, f)).to.deep.equal([]);
    });

    it("firehose-error-output-prefix passes a prefix with the error type", async () => {
        expect(await validateResource(firehoseErrorPrefix, FIREHOSE, goodFirehose())).to.deep.equal([]);
    });

    it("firehose-error-output-prefix fails a missing or plain error prefix", async () => {
        const f = goodFirehose();
        f.extendedS3Configuration.errorOutputPrefix = "errors/";
        expect(await validateResource(firehoseErrorPrefix, FIREHOSE, f)).to.deep.equal([
            "extendedS3Configuration.errorOutputPrefix 'errors/' does not contain !{firehose:error-output-type}",
        ]);
        const g = goodFirehose() as { extendedS3Configuration: Record<string, unknown> };
        delete g.extendedS3Configuration.errorOutputPrefix;
        expect(await validateResource(firehoseErrorPrefix, FIREHOSE, g)).to.deep.equal([
            "extendedS3Configuration.errorOutputPrefix is not set and does not contain !{firehose:error-output-type}",
        ]);
    });

    it("firehose-data-prefix passes the hourly data prefix", async () => {
        expect(await validateResource(firehoseDataPrefix, FIREHOSE, goodFirehose())).to.deep.equal([]);
    });

    it("firehose-data-prefix fails a data prefix with the error type", async () => {
        const f = goodFirehose();
        f.extendedS3Configuration.prefix = "clicks_1m/!{firehose:error-output-type}/";
        expect(await validateResource(firehoseDataPrefix, FIREHOSE, f)).to.deep.equal([
            "extendedS3Configuration.prefix 'clicks_1m/!{firehose:error-output-type}/' contains !{firehose:error-output-type}; use it only in errorOutputPrefix",
        ]);
    });

    it("firehose-error-logging passes CloudWatch error logging", async () => {
        expect(await validateResource(firehoseErrorLogging, FIREHOSE, goodFirehose())).to.deep.equal([]);
    });

    it("firehose-error-logging fails when logging is off or incomplete", async () => {
        const f = goodFirehose();
        f.extendedS3Configuration.cloudwatchLoggingOptions = { enabled: false, logGroupName: "", logStreamName: "" };
        expect(await validateResource(firehoseErrorLogging, FIREHOSE, f)).to.deep.equal([
            "extendedS3Configuration.cloudwatchLoggingOptions.enabled is not true; turn on CloudWatch error logging",
        ]);
        const g = goodFirehose();
        g.extendedS3Configuration.cloudwatchLoggingOptions = { enabled: true, logGroupName: "/aws/kinesisfirehose/x", logStreamName: "" };
        expect(await validateResource(firehoseErrorLogging, FIREHOSE, g)).to.deep.equal([
            "extendedS3Configuration.cloudwatchLoggingOptions needs logGroupName and logStreamName",
        ]);
    });

    it("firehose-direct-put-sse passes an encrypted Direct PUT stream", async () => {
        expect(await validateResource(firehoseDirectPutEncryption, FIREHOSE, goodFirehose())).to.deep.equal([]);
    });

    it("firehose-direct-put-sse fails an unencrypted Direct PUT stream", async () => {
        const f = goodFirehose() as Record<string, unknown>;
        delete f.serverSideEncryption;
        expect(await validateResource(firehoseDirectPutEncryption, FIREHOSE, f)).to.deep.equal([
            "serverSideEncryption.enabled is not true on a Direct PUT stream; enable SSE (DataFirehose.1)",
        ]);
    });

    it("firehose-direct-put-sse does not apply to a Kinesis-sourced stream", async () => {
        const f = goodFirehose() as Record<string, unknown>;
        delete f.serverSideEncryption;
        f.kinesisSourceConfiguration = { kinesisStreamArn: "arn:aws:kinesis:eu-west-1:123456789012:stream/s", roleArn: "arn:aws:iam::123456789012:role/r" };
        expect(await validateResource(firehoseDirectPutEncryption, FIREHOSE, f)).to.deep.equal([]);
    });
});
