/**
 * Pure naming for the lake: S3 prefixes, Firehose names, Glue locations. No Pulumi here, so the
 * partition-registrar Lambda, the local Firehose stand-in and the tests share exactly these strings.
 */
import { createHash } from "crypto";

/** Firehose delivery stream names: 1–64 characters of `[a-zA-Z0-9._-]`. */
export const FIREHOSE_NAME_MAX = 64;

/** Root of all Firehose error output (conversion and delivery failures). Expired by a lifecycle rule. */
export const ERROR_PREFIX_ROOT = "errors/";

/** Root of Athena query results. Expired by a lifecycle rule. */
export const ATHENA_RESULTS_PREFIX = "athena-results/";

/** The hour layout written by Firehose (arrival time, UTC) and read by Glue, Athena and Spectrum. */
const HOUR_LAYOUT = "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/";

/** The key prefix of an output: `<output>/`. Everything under it is Parquet data of that output only. */
export function outputPrefix(output: string): string {
    return `${output}/`;
}

/** Firehose `prefix`: `<output>/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/`. */
export function firehosePrefix(output: string): string {
    return `${outputPrefix(output)}${HOUR_LAYOUT}`;
}

/**
 * Firehose `errorOutputPrefix`: under `errors/<output>/`, outside the table's location so that failed
 * records never reach Athena or Spectrum, split by `!{firehose:error-output-type}`
 * (`format-conversion-failed`, `processing-failed`, ...).
 */
export function firehoseErrorPrefix(output: string): string {
    return `${ERROR_PREFIX_ROOT}${output}/!{firehose:error-output-type}/${HOUR_LAYOUT}`;
}

/** The Glue table location: `s3://<bucket>/<output>/`. */
export function tableLocation(bucket: string, output: string): string {
    return `s3://${bucket}/${outputPrefix(output)}`;
}

/**
 * Athena partition projection's `storage.location.template`; the same layout as {@link firehosePrefix}:
 * `s3://<bucket>/<output>/year=${year}/month=${month}/day=${day}/hour=${hour}/`.
 */
export function storageLocationTemplate(bucket: string, output: string): string {
    return `${tableLocation(bucket, output)}year=\${year}/month=\${month}/day=\${day}/hour=\${hour}/`;
}

/** The key path of one hour, `year=YYYY/month=MM/day=DD/hour=HH/`: what Firehose's prefix expands to. */
export function partitionPath(values: PartitionValues): string {
    return `year=${values.year}/month=${values.month}/day=${values.day}/hour=${values.hour}/`;
}

/** The S3 location of one hour of an output (what the partition registrar gives each partition). */
export function partitionLocation(bucket: string, output: string, values: PartitionValues): string {
    return `${tableLocation(bucket, output)}${partitionPath(values)}`;
}

/** Zero-padded partition values, in partition-key order year, month, day, hour. */
export interface PartitionValues {
    year: string;
    month: string;
    day: string;
    hour: string;
}

/** The partition of an instant (UTC), as Firehose's `!{timestamp:...}` would write it. */
export function partitionOf(instant: Date): PartitionValues {
    const pad = (n: number) => String(n).padStart(2, "0");
    return {
        year: String(instant.getUTCFullYear()),
        month: pad(instant.getUTCMonth() + 1),
        day: pad(instant.getUTCDate()),
        hour: pad(instant.getUTCHours()),
    };
}

/**
 * The Firehose delivery stream name of an output: `<project>-<output>`, at most 64 characters.
 * A longer name keeps its start and ends with 8 hex characters of a SHA-256 of the full name, so it
 * stays unique and stable.
 */
export function firehoseName(project: string, output: string): string {
    const full = `${project}-${output}`;
    if (!/^[a-zA-Z0-9._-]+$/.test(full)) throw new Error(`'${full}' is not a valid Firehose name; use [a-zA-Z0-9._-]`);
    if (full.length <= FIREHOSE_NAME_MAX) return full;
    const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
    return `${full.slice(0, FIREHOSE_NAME_MAX - hash.length - 1)}-${hash}`;
}

/** The name of the lake bucket this stack creates: `<project>-lake-<account>-<region>` (globally unique). */
export function lakeBucketName(project: string, accountId: string, region: string): string {
    const name = `${project}-lake-${accountId}-${region}`;
    if (name.length > 63) throw new Error(`bucket name '${name}' is longer than 63 characters; set clickstream:existingBucketName`);
    return name;
}

/** The CloudWatch Logs group of a Firehose: `/aws/kinesisfirehose/<firehose name>`. */
export function firehoseLogGroupName(deliveryStreamName: string): string {
    return `/aws/kinesisfirehose/${deliveryStreamName}`;
}

/** The log stream Firehose writes S3 delivery errors to (the console's convention). */
export const FIREHOSE_LOG_STREAM = "DestinationDelivery";
