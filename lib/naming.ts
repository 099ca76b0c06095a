/**
 * Every physical name and S3 layout of the program, and nothing else: resource names, S3 prefixes, Glue
 * locations. No Pulumi here, so the stacks, the partition-registrar Lambda, the local pipeline, the tools
 * and the tests share exactly these strings.
 *
 * Two scopes (docs/CONTRACTS.md, "Physical names"):
 * - a stack's own resources are named `<project>-<stack>[-<thing>]`, so that two stacks of one project in
 *   one account (a second lake, a second region stack) never collide;
 * - what the project's stacks and its users share is named after the project alone: the lake's Firehoses
 *   (the region stacks write to them), its Glue database and Spectrum schema (users' queries name them),
 *   its Athena workgroup and a created Redshift Serverless namespace. Renaming those would replace them
 *   under the region stacks and the users, so a second lake in one account takes another project name.
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

/** The two parts of every physical name: the Pulumi project and stack (`pulumi.getProject()`, `pulumi.getStack()`). */
export interface StackId {
    readonly project: string;
    readonly stack: string;
}

/** `<project>-<stack>`: the prefix of a stack's own resources, and its dashboard's name. */
export function stackPrefix(id: StackId): string {
    return `${id.project}-${id.stack}`;
}

/** The alias of a stack's KMS key: `alias/<project>-<stack>`. */
export function keyAliasName(id: StackId): string {
    return `alias/${stackPrefix(id)}`;
}

/** A stack's alarm topic: `<project>-<stack>-alarms`. */
export function alarmTopicName(id: StackId): string {
    return `${stackPrefix(id)}-alarms`;
}

/** One alarm of a stack: `<project>-<stack>-<alarm id>` (ids: `lib/alarms.ts`). */
export function alarmName(id: StackId, alarmId: string): string {
    return `${stackPrefix(id)}-${alarmId}`;
}

/** The lake's partition-registration Lambda: `<project>-<stack>-partition-registrar`. */
export function partitionRegistrarName(id: StackId): string {
    return `${stackPrefix(id)}-partition-registrar`;
}

/**
 * A region app's Managed Flink application, and the enhanced fan-out consumer it reads an attached stream
 * through: both `<project>-<stack>-<app>`.
 */
export function appResourceName(id: StackId, app: string): string {
    return `${stackPrefix(id)}-${app}`;
}

/** Log group of a Managed Flink application, under the prefix the Managed Flink console links to. */
export function flinkLogGroupName(applicationName: string): string {
    return `/aws/kinesis-analytics/${applicationName}`;
}

/** S3 bucket names: 3-63 characters of lower case letters, digits, '-' and '.'. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The name of the lake bucket a stack creates: `<project>-<stack>-<account>-<region>` (globally unique). */
export function lakeBucketName(id: StackId, accountId: string, region: string): string {
    return `${stackPrefix(id)}-${accountId}-${region}`;
}

/**
 * Why the bucket a lake stack would create cannot be named, or undefined. Checked with the config, before
 * any resource exists: an account id always has 12 digits, so the length is known without the account.
 */
export function lakeBucketNameProblem(id: StackId, region: string): string | undefined {
    const name = lakeBucketName(id, "123456789012", region);
    if (BUCKET_NAME.test(name)) return undefined;
    return `the lake bucket would be named '${stackPrefix(id)}-<account>-${region}' (${name.length} characters), which is not a valid S3 bucket name (3-63 lower case letters, digits, '-' and '.')`;
}

/** The Athena workgroup of the project's lake: `<project>`. */
export function athenaWorkgroupName(project: string): string {
    return project;
}

/**
 * The project's name as a SQL identifier (lower case, `_` for anything else): the default Glue database
 * and Spectrum schema, and the base of a created Redshift namespace's admin user.
 */
export function sqlIdentifier(project: string): string {
    return project
        .toLowerCase()
        .replace(/[^a-z0-9_]/g, "_")
        .replace(/^([0-9])/, "_$1");
}

/** A created Redshift Serverless namespace and workgroup: `<project>`. */
export function redshiftServerlessName(project: string): string {
    return project;
}

/** The admin user of a created Redshift Serverless namespace: `<project as an identifier>_admin`. */
export function redshiftAdminUser(project: string): string {
    return `${sqlIdentifier(project)}_admin`;
}

/** A Data API statement of the Spectrum set-up: `<project>-<kind>-<name>-<version>`. */
export function dataApiStatementName(project: string, kind: string, name: string, version: string): string {
    return `${project}-${kind}-${name}-${version}`;
}

/** The CloudWatch Logs group of a Firehose: `/aws/kinesisfirehose/<firehose name>`. */
export function firehoseLogGroupName(deliveryStreamName: string): string {
    return `/aws/kinesisfirehose/${deliveryStreamName}`;
}

/** The log stream Firehose writes S3 delivery errors to (the console's convention). */
export const FIREHOSE_LOG_STREAM = "DestinationDelivery";
