/**
 * The stack configuration (namespace `clickstream:`), typed and validated before any resource exists.
 *
 * Every check throws a ConfigError whose message is one line naming the key, the bad value and what is
 * allowed. Validation is pure: it takes a reader over raw config values, so tests and the local
 * pipeline evaluate the real `Pulumi.<stack>.yaml` files without the Pulumi engine.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { GET_RECORDS_PER_SHARD_PER_SECOND, pollIntervalMs } from "./connector-options";
import { lakeBucketNameProblem, sqlIdentifier, StackId } from "./naming";

export const NAMESPACE = "clickstream";

export class ConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

/** Reads one raw config value: a string, or (for structured YAML values) an object or array. */
export type ConfigReader = (key: string) => unknown;

export type Role = "lake" | "region";
export type Season = "on" | "paused";

/**
 * Where Redshift Spectrum's external schema and views are created. The statements run through the Data
 * API as: `dbUser` (cluster), the deployer's IAM identity (serverless), or, when `secretArn` is set, the
 * database user whose credentials that Secrets Manager secret holds (e.g. the admin's).
 */
export type RedshiftTarget =
    | { mode: "none" }
    | { mode: "cluster"; clusterIdentifier: string; database: string; dbUser: string; secretArn?: string; roleAssociated?: boolean }
    | { mode: "serverless"; workgroupName: string; database: string; secretArn?: string; roleAssociated?: boolean }
    | { mode: "create-serverless"; database: string; baseCapacityRpu: number };

export interface LakeConfig {
    role: "lake";
    /** Home region (`aws:region`), where the lake, Glue, Athena and Redshift live. */
    region: string;
    /** Adopt an existing bucket by name instead of creating one. */
    existingBucketName?: string;
    /** Glue database name. Default `clickstream`. */
    glueDatabase: string;
    /** Firehose buffering interval in seconds, 0–900. Default 60. */
    firehoseBufferIntervalSeconds: number;
    /** Firehose buffering size in MiB, 64–128 (Parquet conversion needs at least 64). Default 128. */
    firehoseBufferSizeMiB: number;
    /** Days before noncurrent object versions expire. Default 30. */
    noncurrentVersionExpirationDays: number;
    /** Days before Firehose error output expires. Default 14. */
    errorOutputExpirationDays: number;
    /** Days before Athena query results expire. Default 7. */
    athenaResultsExpirationDays: number;
    /** CloudWatch Logs retention in days. Default 30. */
    logRetentionDays: number;
    redshift: RedshiftTarget;
    /** External schema name in Redshift. Default `clickstream`. */
    spectrumSchema: string;
    /** Email addresses subscribed to the stack's alarm topic. */
    alarmEmails: string[];
}

/** A source: a Kinesis data stream (created or attached), or an existing Firehose's S3 objects. */
export type SourceStreamConfig = KinesisSourceConfig | FirehoseSourceConfig;

export interface KinesisSourceConfig {
    /** Config key of the source, e.g. `web`. */
    name: string;
    /** Kinesis stream name. */
    streamName: string;
    /** `create`: this stack owns the stream. `attach`: an existing stream, read through its own EFO consumer. */
    mode: "create" | "attach";
    /** For `create`: `on-demand` (default) or `provisioned`. */
    capacity: "on-demand" | "provisioned";
    /** For `create` + `provisioned`: shard count. */
    shards?: number;
    /** For `create`: retention in hours, 24–8760. Default 48. */
    retentionHours: number;
}

/**
 * `mode: firehose`: what an existing Firehose delivery stream delivers to S3, read as objects; the
 * delivery stream, its bucket, the bucket policy and its notifications are never touched.
 */
export interface FirehoseSourceConfig {
    name: string;
    /** The delivery stream's name (`deliveryStreamName`): names the source in messages and the local stand-in. */
    streamName: string;
    mode: "firehose";
    /** The delivery stream's S3 destination: bucket and key prefix (ends with `/`). */
    bucket: string;
    prefix: string;
    /** The destination's compression: `NONE` or `GZIP`. */
    compression: "NONE" | "GZIP";
    /** `newline`: one record per line. `none`: the producer's JSON values written back to back. */
    recordSeparator: "newline" | "none";
    /** The bucket's SSE-KMS key, when it uses one (the apps get `kms:Decrypt` on it through S3). */
    kmsKeyArn?: string;
    /** Seconds between two listings of the prefix, 1–3600. Default 30. */
    discoveryIntervalSeconds: number;
}

export interface AppConfig {
    /** Config key of the app, e.g. `realtime`. */
    name: string;
    /** Source (key in `clickstream:sources`) this app reads. */
    source: string;
    /** That source's Kinesis stream. */
    streamName: string;
    /** How it reads that stream (resolved from the sources and the apps sharing them). */
    read: SourceRead;
    /**
     * Outputs this app fills: file names in `sql/outputs/`, in that order (`all` resolved); for a KA app,
     * its application's outputs and rejected_events.
     */
    outputs: string[];
    /** A KA for SQL application (a folder under `sql/ka/`) that this app runs instead of the Flink SQL of `sql/`. */
    ka?: string;
    /** Initial parallelism. Default 1. */
    parallelism: number;
    /** Parallelism per KPU. Default 1. */
    parallelismPerKpu: number;
    /** Let Managed Flink scale parallelism with CPU. Default true. */
    autoScaling: boolean;
    /**
     * Where the app reads from when it starts without state (its first start, or `restore: skip`):
     * `TRIM_HORIZON` (everything retained; the default for a stream this stack creates), `LATEST` (only
     * new records; the default for an attached stream, whose retention holds someone else's days of
     * events), or `AT_TIMESTAMP` with `startTimestamp`.
     */
    startPosition: "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP";
    /** With `AT_TIMESTAMP`: the instant, ISO-8601 with a zone (for example the time the app was stopped). */
    startTimestamp?: string;
    /**
     * `latest` (default): every start and update restores the latest snapshot. `skip`: the next start or
     * update begins without state, at `startPosition` (for a change whose state cannot be restored).
     */
    restore: "latest" | "skip";
    /** Checkpoint interval in milliseconds. Default 60000. */
    checkpointIntervalMs: number;
}

export interface RegionConfig {
    role: "region";
    /** Source region (`aws:region`). */
    region: string;
    season: Season;
    /** Fully qualified name of the lake stack, e.g. `acme/clickstream/lake`. */
    lakeStack: string;
    sources: SourceStreamConfig[];
    apps: AppConfig[];
    /** Path of the runner jar, relative to the project. Default `runner/target/clickstream-runner.jar`. */
    runnerJar: string;
    /** CloudWatch Logs retention in days. Default 30. */
    logRetentionDays: number;
    /** Email addresses subscribed to the stack's alarm topic. */
    alarmEmails: string[];
}

export type StackConfig = LakeConfig | RegionConfig;

/**
 * Name lengths that AWS limits reach through the names this project derives (docs/REGION.md):
 * an app's role is auto-named from `clickstream-app-<app>-role` plus Pulumi's 8-character suffix, and
 * an IAM role name has at most 64 characters.
 */
export const APP_NAME_MAX = 64 - "clickstream-app-".length - "-role".length - 8;

const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
const NAME = /^[a-z][a-z0-9_-]{0,62}$/;

const show = (value: unknown) => (typeof value === "string" ? `'${value}'` : JSON.stringify(value));
const key = (k: string) => `${NAMESPACE}:${k}`;

function fail(k: string, value: unknown, allowed: string): never {
    if (value === undefined) throw new ConfigError(`${k}: not set; ${allowed}`);
    throw new ConfigError(`${k}: ${show(value)} is not valid; ${allowed}`);
}

function oneOf<T extends string>(k: string, value: unknown, allowed: readonly T[], fallback?: T): T {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    return fail(k, value, `allowed: ${allowed.join(", ")}`);
}

function integer(k: string, value: unknown, min: number, max: number, fallback?: number): number {
    if (value === undefined && fallback !== undefined) return fallback;
    const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) fail(k, value, `expected a whole number from ${min} to ${max}`);
    return n;
}

function bool(k: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (value === true || value === "true") return true;
    if (value === false || value === "false") return false;
    return fail(k, value, "expected true or false");
}

function text(k: string, value: unknown, pattern?: RegExp, hint?: string): string {
    if (typeof value !== "string" || value.length === 0 || (pattern && !pattern.test(value))) {
        fail(k, value, hint ?? "expected a non-empty string");
    }
    return value;
}

function structured(k: string, value: unknown): unknown {
    if (typeof value !== "string") return value;
    try {
        return JSON.parse(value);
    } catch {
        return fail(k, value, "expected a YAML map or list (or its JSON)");
    }
}

function emails(k: string, value: unknown): string[] {
    if (value === undefined) return [];
    const list = structured(k, value);
    if (!Array.isArray(list)) fail(k, value, "expected a list of email addresses");
    return list.map((e, i) => text(`${k}[${i}]`, e, /^[^@\s]+@[^@\s]+\.[^@\s]+$/, "expected an email address"));
}

function logRetention(k: string, value: unknown): number {
    const n = integer(k, value, 1, 3653, 30);
    if (!LOG_RETENTION_DAYS.includes(n)) fail(k, value, `allowed: ${LOG_RETENTION_DAYS.join(", ")}`);
    return n;
}

function region(value: unknown): string {
    return text("aws:region", value, /^[a-z]{2}(-gov)?-[a-z]+-\d$/, "set it with `pulumi config set aws:region eu-central-1`");
}

function unknownKeys(k: string, object: Record<string, unknown>, allowed: string[]): void {
    for (const name of Object.keys(object)) {
        if (!allowed.includes(name)) fail(`${k}.${name}`, object[name], `unknown setting; allowed: ${allowed.join(", ")}`);
    }
}

function asMap(k: string, value: unknown): Record<string, Record<string, unknown>> {
    const v = structured(k, value);
    if (v === null || typeof v !== "object" || Array.isArray(v)) fail(k, value, "expected a map of name to settings");
    return v as Record<string, Record<string, unknown>>;
}

function redshift(raw: unknown): RedshiftTarget {
    const k = key("redshift");
    if (raw === undefined) return { mode: "none" };
    const v = structured(k, raw) as Record<string, unknown>;
    if (v === null || typeof v !== "object" || Array.isArray(v)) fail(k, raw, "expected a map with 'mode'");
    const mode = oneOf(`${k}.mode`, v.mode, ["none", "cluster", "serverless", "create-serverless"] as const);
    const database = () => text(`${k}.database`, v.database ?? "dev", /^[a-z_][a-z0-9_$]{0,126}$/, "expected a Redshift database name");
    // The statements run as the user in this secret (Data API `SecretArn`) instead of dbUser or the
    // deployer's IAM identity, which may lack CREATE on the database.
    const secretArn = () =>
        v.secretArn === undefined
            ? {}
            : {
                  secretArn: text(
                      `${k}.secretArn`,
                      v.secretArn,
                      /^arn:aws[a-z-]*:secretsmanager:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:secret:[\w/+=.@!-]+$/,
                      "expected a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
                  ),
              };
    switch (mode) {
        case "none":
            unknownKeys(k, v, ["mode"]);
            return { mode };
        case "cluster":
            unknownKeys(k, v, ["mode", "clusterIdentifier", "database", "dbUser", "secretArn", "roleAssociated"]);
            // With a secret, the secret names the user: a dbUser beside it would be ignored in silence.
            if (v.secretArn !== undefined && v.dbUser !== undefined) {
                fail(`${k}.dbUser`, v.dbUser, "applies only without secretArn (the secret names the database user); remove one of them");
            }
            return {
                mode,
                clusterIdentifier: text(
                    `${k}.clusterIdentifier`,
                    v.clusterIdentifier,
                    /^[a-z][a-z0-9-]{0,62}$/,
                    "expected the identifier of an existing provisioned cluster",
                ),
                database: database(),
                dbUser: text(`${k}.dbUser`, v.dbUser ?? "awsuser"),
                ...secretArn(),
                // The operator has added the lake's Spectrum role to the cluster (the lake stack never
                // changes a cluster's role list); until then the schema and views are output, not run.
                ...(v.roleAssociated === undefined ? {} : { roleAssociated: bool(`${k}.roleAssociated`, v.roleAssociated, false) }),
            };
        case "serverless":
            unknownKeys(k, v, ["mode", "workgroupName", "database", "secretArn", "roleAssociated"]);
            return {
                mode,
                workgroupName: text(
                    `${k}.workgroupName`,
                    v.workgroupName,
                    /^[a-z0-9-]{3,64}$/,
                    "expected the name of an existing Redshift Serverless workgroup",
                ),
                database: database(),
                ...secretArn(),
                // As for a cluster: the namespace's role list is never written by the lake stack.
                ...(v.roleAssociated === undefined ? {} : { roleAssociated: bool(`${k}.roleAssociated`, v.roleAssociated, false) }),
            };
        case "create-serverless":
            unknownKeys(k, v, ["mode", "database", "baseCapacityRpu"]);
            return { mode, database: database(), baseCapacityRpu: integer(`${k}.baseCapacityRpu`, v.baseCapacityRpu, 8, 1024, 8) };
    }
}

export function parseLakeConfig(read: ConfigReader, id: StackId): LakeConfig {
    const bucket = read(key("existingBucketName"));
    const home = region(read("aws:region"));
    // The bucket the stack would create is named from the project and stack: check it now, not mid-update.
    const bucketProblem = bucket === undefined ? lakeBucketNameProblem(id, home) : undefined;
    if (bucketProblem) fail(key("existingBucketName"), undefined, `${bucketProblem}; set it to a bucket name, or shorten the project or stack name`);
    const lake: LakeConfig = {
        role: "lake",
        region: home,
        existingBucketName:
            bucket === undefined ? undefined : text(key("existingBucketName"), bucket, /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "expected an S3 bucket name"),
        glueDatabase: text(
            key("glueDatabase"),
            read(key("glueDatabase")) ?? sqlIdentifier(id.project),
            /^[a-z_][a-z0-9_]{0,254}$/,
            "expected lower case letters, digits and '_'",
        ),
        firehoseBufferIntervalSeconds: integer(key("firehoseBufferIntervalSeconds"), read(key("firehoseBufferIntervalSeconds")), 0, 900, 60),
        firehoseBufferSizeMiB: integer(key("firehoseBufferSizeMiB"), read(key("firehoseBufferSizeMiB")), 64, 128, 128),
        noncurrentVersionExpirationDays: integer(key("noncurrentVersionExpirationDays"), read(key("noncurrentVersionExpirationDays")), 1, 3650, 30),
        errorOutputExpirationDays: integer(key("errorOutputExpirationDays"), read(key("errorOutputExpirationDays")), 1, 3650, 14),
        athenaResultsExpirationDays: integer(key("athenaResultsExpirationDays"), read(key("athenaResultsExpirationDays")), 1, 3650, 7),
        logRetentionDays: logRetention(key("logRetentionDays"), read(key("logRetentionDays"))),
        redshift: redshift(read(key("redshift"))),
        spectrumSchema: text(
            key("spectrumSchema"),
            read(key("spectrumSchema")) ?? sqlIdentifier(id.project),
            /^[a-z_][a-z0-9_]{0,126}$/,
            "expected a Redshift schema name",
        ),
        alarmEmails: emails(key("alarmEmails"), read(key("alarmEmails"))),
    };
    return lake;
}

function sources(raw: unknown): SourceStreamConfig[] {
    const k = key("sources");
    if (raw === undefined) fail(k, raw, "a region stack needs at least one source stream");
    const map = asMap(k, raw);
    const list = Object.entries(map).map(([name, s]): SourceStreamConfig => {
        const sk = `${k}.${name}`;
        if (!NAME.test(name)) fail(sk, name, "source names use lower case letters, digits, '-' and '_'");
        if (s === null || typeof s !== "object") fail(sk, s, "expected a map with 'streamName' and 'mode'");
        const mode = oneOf(`${sk}.mode`, s.mode, ["create", "attach", "firehose"] as const);
        if (mode === "firehose") return firehoseSource(sk, name, s);
        unknownKeys(sk, s, ["streamName", "mode", "capacity", "shards", "retentionHours"]);
        const capacity = oneOf(`${sk}.capacity`, s.capacity, ["on-demand", "provisioned"] as const, "on-demand");
        if (mode === "attach") {
            for (const owned of ["capacity", "shards", "retentionHours"]) {
                if (s[owned] !== undefined) fail(`${sk}.${owned}`, s[owned], "an attached stream is owned elsewhere and never modified; remove this setting");
            }
        }
        if (capacity === "on-demand" && s.shards !== undefined) fail(`${sk}.shards`, s.shards, "shards apply only with capacity: provisioned");
        return {
            name,
            streamName: text(`${sk}.streamName`, s.streamName, /^[a-zA-Z0-9_.-]{1,128}$/, "expected a Kinesis stream name"),
            mode,
            capacity,
            shards: capacity === "provisioned" && mode === "create" ? integer(`${sk}.shards`, s.shards, 1, 500) : undefined,
            retentionHours: integer(`${sk}.retentionHours`, s.retentionHours, 24, 8760, 48),
        };
    });
    if (list.length === 0) fail(k, raw, "a region stack needs at least one source stream");
    return list;
}

/** `mode: firehose`: the user states the delivery stream's S3 destination as configured on it. */
function firehoseSource(sk: string, name: string, s: Record<string, unknown>): FirehoseSourceConfig {
    unknownKeys(sk, s, ["mode", "deliveryStreamName", "bucket", "prefix", "compression", "recordSeparator", "kmsKeyArn", "discoveryIntervalSeconds"]);
    const prefix = s.prefix;
    if (typeof prefix !== "string" || !/^([^/\s][^\s]*\/)?$/.test(prefix)) {
        fail(`${sk}.prefix`, prefix, "expected the delivery stream's S3 prefix ending with '/', e.g. clicks/ (or '' for the whole bucket)");
    }
    return {
        name,
        streamName: text(`${sk}.deliveryStreamName`, s.deliveryStreamName, /^[a-zA-Z0-9_.-]{1,64}$/, "expected a Firehose delivery stream name"),
        mode: "firehose",
        bucket: text(`${sk}.bucket`, s.bucket, /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "expected the S3 bucket name the delivery stream writes to"),
        prefix,
        compression: oneOf(`${sk}.compression`, s.compression, ["NONE", "GZIP"] as const),
        recordSeparator: oneOf(`${sk}.recordSeparator`, s.recordSeparator, ["newline", "none"] as const),
        ...(s.kmsKeyArn === undefined
            ? {}
            : {
                  kmsKeyArn: text(
                      `${sk}.kmsKeyArn`,
                      s.kmsKeyArn,
                      /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/,
                      "expected the bucket's KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
                  ),
              }),
        discoveryIntervalSeconds: integer(`${sk}.discoveryIntervalSeconds`, s.discoveryIntervalSeconds, 1, 3600, 30),
    };
}

/** ISO-8601 with a zone (`2026-11-27T10:00:00Z`, `…+01:00`), as Kinesis AT_TIMESTAMP takes it. */
function instant(k: string, value: unknown): string {
    const v = text(
        k,
        value,
        /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d)$/,
        "expected an ISO-8601 time with a zone, e.g. 2026-11-27T10:00:00Z",
    );
    if (Number.isNaN(Date.parse(v))) fail(k, value, "expected an ISO-8601 time with a zone, e.g. 2026-11-27T10:00:00Z");
    return v;
}

/** The KA applications of the SQL catalog (`sql/ka/<app>/`) and the lake outputs each fills. */
export type KaAppOutputs = Record<string, string[]>;

function apps(raw: unknown, sources: SourceStreamConfig[], outputNames: string[], kaApps: KaAppOutputs): AppConfig[] {
    const sourceNames = sources.map((s) => s.name);
    const k = key("apps");
    if (raw === undefined) fail(k, raw, "a region stack needs at least one app");
    const map = asMap(k, raw);
    const list = Object.entries(map).map(([name, a]) => {
        const ak = `${k}.${name}`;
        if (!NAME.test(name)) fail(ak, name, "app names use lower case letters, digits, '-' and '_'");
        if (name.length > APP_NAME_MAX) {
            fail(
                ak,
                name,
                `an app name has at most ${APP_NAME_MAX} characters (its IAM role is named clickstream-app-<app>-role plus 8 characters, and a role name has at most 64)`,
            );
        }
        if (a === null || typeof a !== "object") fail(ak, a, "expected a map with 'source' and 'outputs'");
        unknownKeys(ak, a, [
            "source",
            "outputs",
            "parallelism",
            "parallelismPerKpu",
            "autoScaling",
            "startPosition",
            "startTimestamp",
            "restore",
            "checkpointIntervalMs",
            "ka",
        ]);
        const source = oneOf(`${ak}.source`, a.source, sourceNames);
        // Someone else's stream or objects hold days of history: start from new records unless told otherwise.
        const attached = sources.find((s) => s.name === source)!.mode !== "create";
        const startPosition = oneOf(
            `${ak}.startPosition`,
            a.startPosition,
            ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"] as const,
            attached ? "LATEST" : "TRIM_HORIZON",
        );
        if (startPosition === "AT_TIMESTAMP" && a.startTimestamp === undefined) {
            fail(
                `${ak}.startTimestamp`,
                undefined,
                "startPosition AT_TIMESTAMP needs the instant to start from, ISO-8601 with a zone, e.g. 2026-11-27T10:00:00Z",
            );
        }
        if (startPosition !== "AT_TIMESTAMP" && a.startTimestamp !== undefined)
            fail(`${ak}.startTimestamp`, a.startTimestamp, "applies only with startPosition: AT_TIMESTAMP");
        let outputs = outputNames;
        let ka: string | undefined;
        if (a.ka !== undefined) {
            const folders = Object.keys(kaApps);
            ka = oneOf(`${ak}.ka`, a.ka, folders.length > 0 ? folders : ["(no folder in sql/ka/)"]);
            // A KA app's outputs are its application's (application.json) and its rejected records.
            if (a.outputs !== undefined)
                fail(`${ak}.outputs`, a.outputs, `a KA app fills the outputs of sql/ka/${ka}/application.json and ${REJECTED_OUTPUT}; remove outputs`);
            outputs = [...kaApps[ka], REJECTED_OUTPUT];
        } else if (a.outputs !== undefined && a.outputs !== "all") {
            const list = structured(`${ak}.outputs`, a.outputs);
            if (!Array.isArray(list) || list.length === 0) fail(`${ak}.outputs`, a.outputs, "expected 'all' or a non-empty list of outputs");
            const chosen = list.map((o, i) => oneOf(`${ak}.outputs[${i}]`, o, outputNames));
            outputs = outputNames.filter((o) => chosen.includes(o));
        }
        const stream = sources.find((s) => s.name === source)!;
        // Every app that polls one created stream shares its 5 GetRecords calls per second per shard.
        const pollers = Object.values(map).filter((x) => (x as { source?: unknown })?.source === source).length;
        return {
            name,
            source,
            streamName: stream.streamName,
            read: sourceRead(stream, pollers),
            outputs,
            parallelism: integer(`${ak}.parallelism`, a.parallelism, 1, 1024, 1),
            parallelismPerKpu: integer(`${ak}.parallelismPerKpu`, a.parallelismPerKpu, 1, 8, 1),
            autoScaling: bool(`${ak}.autoScaling`, a.autoScaling, true),
            startPosition,
            ...(startPosition === "AT_TIMESTAMP" ? { startTimestamp: instant(`${ak}.startTimestamp`, a.startTimestamp) } : {}),
            restore: oneOf(`${ak}.restore`, a.restore, ["latest", "skip"] as const, "latest"),
            checkpointIntervalMs: integer(`${ak}.checkpointIntervalMs`, a.checkpointIntervalMs, 1000, 3_600_000, 60_000),
            ...(ka === undefined ? {} : { ka }),
        };
    });
    if (list.length === 0) fail(k, raw, "a region stack needs at least one app");
    return list;
}

/**
 * Two apps of one stack filling the same windowed output would write two rows for one window key
 * (window, region, site, ...), and queries keep one row per key: one app's numbers would be lost.
 * So a windowed output (one with a `window_start` column) has at most one app per stack.
 */
function checkOneAppPerWindowedOutput(apps: AppConfig[], outputNames: string[], windowedOutputs: string[]): void {
    // A KA application's outputs are its own: two apps running it would write every row twice.
    const kaOwner = new Map<string, string>();
    for (const app of apps) {
        if (app.ka === undefined) continue;
        const first = kaOwner.get(app.ka);
        if (first !== undefined)
            fail(
                `${key("apps")}.${app.name}.ka`,
                app.ka,
                `app '${first}' already runs this KA application; one app per KA application per stack, or its rows would be written twice`,
            );
        kaOwner.set(app.ka, app.name);
    }
    const owner = new Map<string, string>();
    for (const app of apps) {
        for (const output of app.outputs) {
            if (!windowedOutputs.includes(output)) continue;
            const first = owner.get(output);
            if (first !== undefined) {
                fail(
                    `${key("apps")}.${app.name}.outputs`,
                    output,
                    `app '${first}' already fills this windowed output; one app per windowed output per stack, or their rows for the same window would collide`,
                );
            }
            owner.set(output, app.name);
        }
    }
}

/** The outputs that keep what windows do not count (docs/SQL.md): records that are not valid events, and late events. */
export const REJECTED_OUTPUT = "rejected_events";
export const LATE_OUTPUT = "late_events";

/**
 * Nothing is dropped in silence: each app decides for itself which events are late for its windows, so
 * an app that fills a windowed output must also fill late_events; and every record of a source that is
 * not a valid event must land in rejected_events exactly once, so exactly one app per source fills it.
 * Checked only when the SQL defines these outputs.
 */
function checkNothingDroppedSilently(apps: AppConfig[], sources: SourceStreamConfig[], outputNames: string[], windowedOutputs: string[]): void {
    if (outputNames.includes(LATE_OUTPUT)) {
        for (const app of apps) {
            const windowed = app.outputs.filter((o) => windowedOutputs.includes(o));
            if (windowed.length > 0 && !app.outputs.includes(LATE_OUTPUT)) {
                fail(
                    `${key("apps")}.${app.name}.outputs`,
                    app.outputs,
                    `an app that fills windowed outputs (${windowed.join(", ")}) must also fill ${LATE_OUTPUT}, or its late events would be lost; add ${LATE_OUTPUT}`,
                );
            }
        }
    }
    if (outputNames.includes(REJECTED_OUTPUT)) {
        // A KA app rejects by its own input schema and always writes its rejections, with reasons 'ka:<app>:...':
        // the rule counts the apps of sql/ (one schema) only.
        const flinkApps = apps.filter((a) => a.ka === undefined);
        for (const source of sources) {
            const writers = flinkApps.filter((a) => a.source === source.name && a.outputs.includes(REJECTED_OUTPUT)).map((a) => a.name);
            const readers = flinkApps.filter((a) => a.source === source.name).map((a) => a.name);
            if (readers.length > 0 && writers.length !== 1) {
                throw new ConfigError(
                    `${key("apps")}: ` +
                        (writers.length === 0
                            ? `no app reading source '${source.name}' fills ${REJECTED_OUTPUT}, so its invalid records would be lost; add ${REJECTED_OUTPUT} to the outputs of one of: ${readers.join(", ")}`
                            : `apps ${writers.map((w) => `'${w}'`).join(" and ")} both fill ${REJECTED_OUTPUT} from source '${source.name}', so each invalid record would be written twice; keep it in one`),
                );
            }
        }
    }
}

/** How an app reads its source (docs/REGION.md, "Reading one stream from several apps"; "Firehose-delivered objects"). */
export type SourceRead =
    /** POLLING on a stream this stack created: `pollIntervalMs` between two GetRecords calls per shard, so that all polling apps fit the stream's limit. */
    | { readMode: "POLLING"; pollIntervalMs: number }
    /** EFO through the app's own consumer on an attached stream. */
    | { readMode: "EFO" }
    /** The S3 objects an existing Firehose delivers (`mode: firehose`), listed every `discoveryIntervalSeconds`. */
    | ({ readMode: "OBJECTS" } & Pick<
          FirehoseSourceConfig,
          "bucket" | "prefix" | "compression" | "recordSeparator" | "kmsKeyArn" | "discoveryIntervalSeconds"
      >);

function sourceRead(source: SourceStreamConfig, pollers: number): SourceRead {
    switch (source.mode) {
        case "create":
            return { readMode: "POLLING", pollIntervalMs: pollIntervalMs(pollers) };
        case "attach":
            return { readMode: "EFO" };
        case "firehose": {
            const { bucket, prefix, compression, recordSeparator, kmsKeyArn, discoveryIntervalSeconds } = source;
            return { readMode: "OBJECTS", bucket, prefix, compression, recordSeparator, ...(kmsKeyArn ? { kmsKeyArn } : {}), discoveryIntervalSeconds };
        }
    }
}

function checkPollingLimit(apps: AppConfig[], sources: SourceStreamConfig[]): void {
    for (const source of sources.filter((s) => s.mode === "create")) {
        const readers = apps.filter((a) => a.source === source.name).map((a) => a.name);
        if (readers.length > GET_RECORDS_PER_SHARD_PER_SECOND) {
            throw new ConfigError(
                `${key("apps")}: source '${source.name}' is polled by ${readers.length} apps (${readers.join(", ")}); Kinesis allows ` +
                    `${GET_RECORDS_PER_SHARD_PER_SECOND} GetRecords calls per second per shard across them, so at most ` +
                    `${GET_RECORDS_PER_SHARD_PER_SECOND} apps can poll one stream: merge apps (an app fills several outputs)`,
            );
        }
    }
}

/**
 * `outputNames`: the outputs defined in `sql/outputs/`, which apps may select.
 * `windowedOutputs`: those with a `window_start` column (see checkOneAppPerWindowedOutput).
 */
export function parseRegionConfig(read: ConfigReader, outputNames: string[], windowedOutputs: string[] = [], kaApps: KaAppOutputs = {}): RegionConfig {
    const pipeline = parsePipelineConfig(read, outputNames, windowedOutputs, kaApps);
    return {
        role: "region",
        region: pipeline.region,
        season: oneOf(key("season"), read(key("season")), ["on", "paused"] as const, "on"),
        lakeStack: text(
            key("lakeStack"),
            read(key("lakeStack")),
            /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/,
            "expected <org>/<project>/<stack>, e.g. acme/clickstream/lake",
        ),
        sources: pipeline.sources,
        apps: pipeline.apps,
        runnerJar: text(key("runnerJar"), read(key("runnerJar")) ?? "runner/target/clickstream-runner.jar"),
        logRetentionDays: logRetention(key("logRetentionDays"), read(key("logRetentionDays"))),
        alarmEmails: emails(key("alarmEmails"), read(key("alarmEmails"))),
    };
}

/**
 * `aws:region`, `clickstream:sources` and `clickstream:apps` with every check a region stack makes: for a
 * program that builds its own lake from the package's components (examples/small-pipeline).
 */
export function parsePipelineConfig(
    read: ConfigReader,
    outputNames: string[],
    windowedOutputs: string[] = [],
    kaApps: KaAppOutputs = {},
): Pick<RegionConfig, "region" | "sources" | "apps"> {
    const parsedSources = sources(read(key("sources")));
    const parsedApps = apps(read(key("apps")), parsedSources, outputNames, kaApps);
    checkOneAppPerWindowedOutput(parsedApps, outputNames, windowedOutputs);
    checkNothingDroppedSilently(parsedApps, parsedSources, outputNames, windowedOutputs);
    checkPollingLimit(parsedApps, parsedSources);
    return { region: region(read("aws:region")), sources: parsedSources, apps: parsedApps };
}

export function parseRole(read: ConfigReader): Role {
    return oneOf(key("role"), read(key("role")), ["lake", "region"] as const);
}

/** Parses a whole stack's config against the outputs in `sql/outputs/`. */
export function parseStackConfig(
    read: ConfigReader,
    outputs: { name: string; columns: { name: string }[] }[],
    id: StackId,
    kaApps: KaAppOutputs = {},
): StackConfig {
    return parseRole(read) === "lake" ? parseLakeConfig(read, id) : parseRegionConfig(read, ...outputNamesOf(outputs), kaApps);
}

/** The arguments `parseRegionConfig` takes after the reader: all output names, and the windowed ones. */
export function outputNamesOf(outputs: { name: string; columns: { name: string }[] }[]): [string[], string[]] {
    return [outputs.map((o) => o.name), outputs.filter((o) => o.columns.some((c) => c.name === "window_start")).map((o) => o.name)];
}

/** A reader over a `Pulumi.<stack>.yaml` file, for tests, the local pipeline and the cost estimate. */
/** The Pulumi project's name (`name:` of `Pulumi.yaml` in `dir`): the first part of every physical name. */
export function readProjectName(dir: string): string {
    const file = path.join(dir, "Pulumi.yaml");
    const name = (YAML.parse(fs.readFileSync(file, "utf8")) as { name?: unknown } | null)?.name;
    if (typeof name !== "string" || name === "") throw new ConfigError(`${file}: no project name ('name:')`);
    return name;
}

/** The region stacks of a project folder: each `Pulumi.<name>.yaml` whose `clickstream:role` is `region`, sorted. */
export function regionStacks(repo: string): string[] {
    return fs
        .readdirSync(repo)
        .map((f) => /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => !!s)
        .filter((s) => {
            try {
                return parseRole(readStackFile(path.join(repo, `Pulumi.${s}.yaml`))) === "region";
            } catch {
                return false;
            }
        })
        .sort();
}

export function readStackFile(file: string): ConfigReader {
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
    const values = doc?.config ?? {};
    return (k) => {
        const v = values[k];
        // Pulumi stores scalars as strings; keep structured values as they are.
        return v === undefined || v === null ? undefined : typeof v === "object" ? v : String(v);
    };
}

/** The outputs an app fills, in `sql/outputs/` order. */
export function selectedOutputs<T extends { name: string }>(app: AppConfig, outputs: T[]): T[] {
    return outputs.filter((o) => app.outputs.includes(o.name));
}
