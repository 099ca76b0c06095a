/**
 * Firehose delivery streams writing Parquet into the lake.
 *
 * The S3 rules apply to the `extended_s3` destination (`extendedS3Configuration`); other destinations are
 * not applicable to them. SSE applies to every Direct PUT stream.
 */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { MANDATORY, Rule, present } from "./util";

export const ERROR_OUTPUT_TYPE = "!{firehose:error-output-type}";
/** Firehose requires a buffer of at least 64 MiB when record format conversion is on. */
export const MINIMUM_CONVERSION_BUFFER_MIB = 64;

/** Format conversion is on when the block is present and not explicitly disabled. */
function convertsFormat(s3: { dataFormatConversionConfiguration?: { enabled?: boolean } } | undefined): boolean {
    const conversion = s3?.dataFormatConversionConfiguration;
    return conversion !== undefined && conversion !== null && conversion.enabled !== false;
}

export const firehoseParquetBuffering: Rule = {
    name: "firehose-parquet-buffering",
    description:
        `Firehose streams that convert records to Parquet buffer at least ${MINIMUM_CONVERSION_BUFFER_MIB} MiB and write ` +
        "UNCOMPRESSED output (Parquet compresses inside the file) (Amazon Data Firehose developer guide, record format conversion).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (stream, _args, report) => {
        const s3 = stream.extendedS3Configuration;
        if (!convertsFormat(s3)) return;
        // The provider's default buffer is 5 MiB.
        const size = s3?.bufferingSize ?? 5;
        if (size < MINIMUM_CONVERSION_BUFFER_MIB) {
            report(`extendedS3Configuration.bufferingSize is ${size} MiB; format conversion needs at least ${MINIMUM_CONVERSION_BUFFER_MIB} MiB`);
        }
        const compression = s3?.compressionFormat ?? "UNCOMPRESSED";
        if (compression !== "UNCOMPRESSED") {
            report(
                `extendedS3Configuration.compressionFormat is '${compression}'; Parquet output must be UNCOMPRESSED (the Parquet SerDe compresses with Snappy)`,
            );
        }
    }),
};

export const firehoseErrorPrefix: Rule = {
    name: "firehose-error-output-prefix",
    description: `Firehose S3 destinations have an error output prefix containing ${ERROR_OUTPUT_TYPE}, so failed records land apart from good data (Amazon Data Firehose developer guide, custom prefixes).`,
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (stream, _args, report) => {
        const s3 = stream.extendedS3Configuration;
        if (!s3) return;
        const errorPrefix = s3.errorOutputPrefix;
        if (!present(errorPrefix) || !errorPrefix!.includes(ERROR_OUTPUT_TYPE)) {
            report(
                `extendedS3Configuration.errorOutputPrefix ${present(errorPrefix) ? `'${errorPrefix}'` : "is not set and"} does not contain ${ERROR_OUTPUT_TYPE}`,
            );
        }
    }),
};

export const firehoseDataPrefix: Rule = {
    name: "firehose-data-prefix",
    description: `The Firehose data prefix does not contain ${ERROR_OUTPUT_TYPE} (Firehose rejects it there; error output belongs under the error prefix).`,
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (stream, _args, report) => {
        const prefix = stream.extendedS3Configuration?.prefix;
        if (present(prefix) && prefix!.includes(ERROR_OUTPUT_TYPE)) {
            report(`extendedS3Configuration.prefix '${prefix}' contains ${ERROR_OUTPUT_TYPE}; use it only in errorOutputPrefix`);
        }
    }),
};

export const firehoseErrorLogging: Rule = {
    name: "firehose-error-logging",
    description:
        "Firehose S3 destinations log delivery and conversion errors to CloudWatch Logs (Amazon Data Firehose developer guide, monitoring with CloudWatch Logs).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (stream, _args, report) => {
        const s3 = stream.extendedS3Configuration;
        if (!s3) return;
        const logging = s3.cloudwatchLoggingOptions;
        if (logging?.enabled !== true) {
            report("extendedS3Configuration.cloudwatchLoggingOptions.enabled is not true; turn on CloudWatch error logging");
            return;
        }
        if (!present(logging.logGroupName) || !present(logging.logStreamName)) {
            report("extendedS3Configuration.cloudwatchLoggingOptions needs logGroupName and logStreamName");
        }
    }),
};

export const firehoseDirectPutEncryption: Rule = {
    name: "firehose-direct-put-sse",
    description: "Direct PUT Firehose streams have server-side encryption on (Security Hub DataFirehose.1).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (stream, _args, report) => {
        // A stream fed by Kinesis or MSK inherits the source's encryption; SSE applies to Direct PUT only.
        if (stream.kinesisSourceConfiguration || stream.mskSourceConfiguration) return;
        if (stream.serverSideEncryption?.enabled !== true) {
            report("serverSideEncryption.enabled is not true on a Direct PUT stream; enable SSE (DataFirehose.1)");
        }
    }),
};

export const firehoseRules: Rule[] = [firehoseParquetBuffering, firehoseErrorPrefix, firehoseDataPrefix, firehoseErrorLogging, firehoseDirectPutEncryption];
