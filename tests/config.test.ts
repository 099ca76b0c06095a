import { expect } from "chai";
import * as path from "path";
import { ConfigError, ConfigReader, parseLakeConfig, parseRegionConfig, parseRole, readStackFile } from "../lib/config";
import { LAKE_ID } from "./lake-fixtures";

const root = path.resolve(__dirname, "..");
const OUTPUTS = ["active_users_1m", "clicks_1m", "rejected_events"];

/** A reader over a plain map, in the shape Pulumi gives (scalars as strings). */
function reader(values: Record<string, unknown>): ConfigReader {
    return (k) => values[k];
}

const region = (overrides: Record<string, unknown> = {}) =>
    reader({
        "aws:region": "eu-west-1",
        "clickstream:role": "region",
        "clickstream:lakeStack": "acme/clickstream/lake",
        "clickstream:sources": { web: { streamName: "clickstream-eu-web", mode: "create" } },
        "clickstream:apps": { realtime: { source: "web" } },
        ...overrides,
    });

describe("config: the example stack files as they are", () => {
    it("Pulumi.lake.yaml parses to the home-region lake with a serverless Spectrum target", () => {
        const lake = parseLakeConfig(readStackFile(path.join(root, "Pulumi.lake.yaml")), LAKE_ID);
        expect(lake).to.deep.equal({
            role: "lake",
            region: "eu-central-1",
            existingBucketName: undefined,
            glueDatabase: "clickstream",
            firehoseBufferIntervalSeconds: 60,
            firehoseBufferSizeMiB: 128,
            noncurrentVersionExpirationDays: 30,
            errorOutputExpirationDays: 14,
            athenaResultsExpirationDays: 7,
            logRetentionDays: 90,
            redshift: { mode: "serverless", workgroupName: "analytics", database: "dev" },
            spectrumSchema: "clickstream",
            alarmEmails: ["data-platform-oncall@example.com"],
        });
    });

    it("Pulumi.eu.yaml: a created stream, an attached stream and a Firehose's objects, one app each", () => {
        const eu = parseRegionConfig(readStackFile(path.join(root, "Pulumi.eu.yaml")), [
            "active_users_1m",
            "active_users_5m",
            "clicks_1m",
            "page_clicks_late",
            "rejected_events",
            "cart_value_by_campaign",
            "late_events",
        ]);
        expect(eu.region).to.equal("eu-west-1");
        expect(eu.season).to.equal("on");
        expect(eu.lakeStack).to.equal("acme/clickstream/lake");
        expect(eu.sources).to.deep.equal([
            { name: "web", streamName: "clickstream-eu-web", mode: "create", capacity: "on-demand", shards: undefined, retentionHours: 48 },
            { name: "mobile", streamName: "mobile-events-eu", mode: "attach", capacity: "on-demand", shards: undefined, retentionHours: 48 },
            {
                name: "checkout",
                streamName: "checkout-events-eu",
                mode: "firehose",
                bucket: "acme-checkout-events-eu",
                prefix: "events/",
                compression: "GZIP",
                recordSeparator: "none",
                kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
                discoveryIntervalSeconds: 30,
            },
        ]);
        expect(eu.apps.map((a) => [a.name, a.source, a.outputs, a.parallelism, a.startPosition])).to.deep.equal([
            ["realtime", "web", ["active_users_1m", "active_users_5m", "clicks_1m", "rejected_events", "late_events"], 2, "TRIM_HORIZON"],
            ["campaigns", "checkout", ["rejected_events", "cart_value_by_campaign", "late_events"], 1, "LATEST"],
            ["mobile", "mobile", ["page_clicks_late", "rejected_events", "late_events"], 2, "LATEST"],
        ]);
        expect(eu.apps[1].read).to.deep.equal({
            readMode: "OBJECTS",
            bucket: "acme-checkout-events-eu",
            prefix: "events/",
            compression: "GZIP",
            recordSeparator: "none",
            kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
            discoveryIntervalSeconds: 30,
        });
        expect(eu.runnerJar).to.equal("runner/target/clickstream-runner.jar");
    });

    it("Pulumi.us.yaml: a provisioned stream with 8 shards and 72 h retention, and the KA application web_metrics beside realtime", () => {
        const us = parseRegionConfig(readStackFile(path.join(root, "Pulumi.us.yaml")), OUTPUTS, [], { web_metrics: ["ka_active_users_1m", "ka_clicks_1m"] });
        expect(us.region).to.equal("us-east-1");
        expect(us.sources).to.deep.equal([
            { name: "web", streamName: "clickstream-us-web", mode: "create", capacity: "provisioned", shards: 8, retentionHours: 72 },
        ]);
        expect(us.apps[0]).to.include({ parallelism: 4, parallelismPerKpu: 2, autoScaling: true, startPosition: "TRIM_HORIZON" });
        expect(us.apps.map((a) => [a.name, a.source, a.ka])).to.deep.equal([
            ["realtime", "web", undefined],
            ["web_metrics", "web", "web_metrics"],
        ]);
        expect(us.apps[1]).to.include({ parallelism: 1, startPosition: "TRIM_HORIZON" });
        expect(us.apps[1].outputs).to.deep.equal(["ka_active_users_1m", "ka_clicks_1m", "rejected_events"]);
        expect(us.alarmEmails).to.deep.equal(["data-platform-oncall@example.com", "us-ecommerce-ops@example.com"]);
    });
});

describe("config: defaults", () => {
    it("a minimal region stack gets documented defaults", () => {
        const config = parseRegionConfig(region(), OUTPUTS);
        expect(config.season).to.equal("on");
        expect(config.sources[0]).to.deep.equal({
            name: "web",
            streamName: "clickstream-eu-web",
            mode: "create",
            capacity: "on-demand",
            shards: undefined,
            retentionHours: 48,
        });
        expect(config.apps[0]).to.deep.equal({
            name: "realtime",
            source: "web",
            streamName: "clickstream-eu-web",
            // The only app on a created stream: polled every 200 ms, the connector's default.
            read: { readMode: "POLLING", pollIntervalMs: 200 },
            // outputs: all, resolved in sql/outputs order.
            outputs: ["active_users_1m", "clicks_1m", "rejected_events"],
            parallelism: 1,
            parallelismPerKpu: 1,
            autoScaling: true,
            startPosition: "TRIM_HORIZON",
            restore: "latest",
            checkpointIntervalMs: 60000,
        });
        expect(config.logRetentionDays).to.equal(30);
        expect(config.alarmEmails).to.deep.equal([]);
    });

    it("resolves each app's outputs in sql/outputs order, its stream and its read mode, once", () => {
        const config = parseRegionConfig(
            region({
                "clickstream:sources": { web: { streamName: "w", mode: "create" }, mob: { streamName: "m", mode: "attach" } },
                "clickstream:apps": {
                    a: { source: "web", outputs: ["rejected_events", "clicks_1m"] },
                    b: { source: "web", outputs: ["active_users_1m"] },
                    c: { source: "mob", outputs: ["rejected_events"] },
                },
            }),
            OUTPUTS,
        );
        expect(config.apps.map((a) => [a.name, a.outputs, a.streamName, a.read])).to.deep.equal([
            ["a", ["clicks_1m", "rejected_events"], "w", { readMode: "POLLING", pollIntervalMs: 400 }],
            ["b", ["active_users_1m"], "w", { readMode: "POLLING", pollIntervalMs: 400 }],
            ["c", ["rejected_events"], "m", { readMode: "EFO" }],
        ]);
    });

    it("structured values given as JSON strings (as `pulumi config` stores them) are parsed", () => {
        const config = parseRegionConfig(
            region({
                "clickstream:sources": JSON.stringify({ web: { streamName: "s", mode: "create", capacity: "provisioned", shards: 2 } }),
                "clickstream:apps": JSON.stringify({ a: { source: "web", outputs: ["clicks_1m", "rejected_events"] } }),
            }),
            OUTPUTS,
        );
        expect(config.sources[0]).to.include({ mode: "create", capacity: "provisioned", shards: 2 });
        expect(config.apps[0].outputs).to.deep.equal(["clicks_1m", "rejected_events"]);
    });
});

describe("config: where an app starts without state, and whether it restores", () => {
    it("an attached stream starts at LATEST, a created one at TRIM_HORIZON; AT_TIMESTAMP takes an instant; restore skip is explicit", () => {
        const config = parseRegionConfig(
            region({
                "clickstream:sources": { web: { streamName: "w", mode: "create" }, mobile: { streamName: "m", mode: "attach" } },
                "clickstream:apps": {
                    web: { source: "web", outputs: ["clicks_1m", "rejected_events"] },
                    mobile: { source: "mobile", outputs: ["rejected_events"] },
                    replay: {
                        source: "web",
                        outputs: ["active_users_1m"],
                        startPosition: "AT_TIMESTAMP",
                        startTimestamp: "2026-11-27T10:00:00+01:00",
                        restore: "skip",
                    },
                },
            }),
            OUTPUTS,
        );
        expect(config.apps.map((a) => [a.name, a.startPosition, a.startTimestamp, a.restore])).to.deep.equal([
            ["web", "TRIM_HORIZON", undefined, "latest"],
            ["mobile", "LATEST", undefined, "latest"],
            ["replay", "AT_TIMESTAMP", "2026-11-27T10:00:00+01:00", "skip"],
        ]);
    });
});

describe("config: every bad value fails with one line naming the key, the value and what is allowed", () => {
    const cases: [string, () => unknown, string][] = [
        ["role", () => parseRole(reader({ "clickstream:role": "lakes" })), "clickstream:role: 'lakes' is not valid; allowed: lake, region"],
        ["missing role", () => parseRole(reader({})), "clickstream:role: not set; allowed: lake, region"],
        ["season", () => parseRegionConfig(region({ "clickstream:season": "off" }), OUTPUTS), "clickstream:season: 'off' is not valid; allowed: on, paused"],
        [
            "lakeStack",
            () => parseRegionConfig(region({ "clickstream:lakeStack": "lake" }), OUTPUTS),
            "clickstream:lakeStack: 'lake' is not valid; expected <org>/<project>/<stack>, e.g. acme/clickstream/lake",
        ],
        [
            "aws:region",
            () => parseRegionConfig(region({ "aws:region": "europe" }), OUTPUTS),
            "aws:region: 'europe' is not valid; set it with `pulumi config set aws:region eu-central-1`",
        ],
        [
            "source mode",
            () => parseRegionConfig(region({ "clickstream:sources": { web: { streamName: "s", mode: "borrow" } } }), OUTPUTS),
            "clickstream:sources.web.mode: 'borrow' is not valid; allowed: create, attach, firehose",
        ],
        ...firehoseCases(),
        [
            "shards on an on-demand stream",
            () => parseRegionConfig(region({ "clickstream:sources": { web: { streamName: "s", mode: "create", shards: 4 } } }), OUTPUTS),
            "clickstream:sources.web.shards: 4 is not valid; shards apply only with capacity: provisioned",
        ],
        [
            "retention on an attached stream",
            () => parseRegionConfig(region({ "clickstream:sources": { web: { streamName: "s", mode: "attach", retentionHours: 24 } } }), OUTPUTS),
            "clickstream:sources.web.retentionHours: 24 is not valid; an attached stream is owned elsewhere and never modified; remove this setting",
        ],
        [
            "retention out of range",
            () => parseRegionConfig(region({ "clickstream:sources": { web: { streamName: "s", mode: "create", retentionHours: "12" } } }), OUTPUTS),
            "clickstream:sources.web.retentionHours: '12' is not valid; expected a whole number from 24 to 8760",
        ],
        [
            "unknown setting",
            () => parseRegionConfig(region({ "clickstream:sources": { web: { streamName: "s", mode: "create", shardz: 1 } } }), OUTPUTS),
            "clickstream:sources.web.shardz: 1 is not valid; unknown setting; allowed: streamName, mode, capacity, shards, retentionHours",
        ],
        [
            "app source",
            () => parseRegionConfig(region({ "clickstream:apps": { a: { source: "mobile" } } }), OUTPUTS),
            "clickstream:apps.a.source: 'mobile' is not valid; allowed: web",
        ],
        [
            "app output",
            () => parseRegionConfig(region({ "clickstream:apps": { a: { source: "web", outputs: ["clicks_5m"] } } }), OUTPUTS),
            "clickstream:apps.a.outputs[0]: 'clicks_5m' is not valid; allowed: active_users_1m, clicks_1m, rejected_events",
        ],
        [
            "parallelism",
            () => parseRegionConfig(region({ "clickstream:apps": { a: { source: "web", parallelism: 0 } } }), OUTPUTS),
            "clickstream:apps.a.parallelism: 0 is not valid; expected a whole number from 1 to 1024",
        ],
        [
            "no sources",
            () => parseRegionConfig(region({ "clickstream:sources": undefined }), OUTPUTS),
            "clickstream:sources: not set; a region stack needs at least one source stream",
        ],
        [
            "log retention not offered by CloudWatch",
            () => parseRegionConfig(region({ "clickstream:logRetentionDays": "45" }), OUTPUTS),
            "clickstream:logRetentionDays: '45' is not valid; allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
        ],
        [
            "alarm email",
            () => parseRegionConfig(region({ "clickstream:alarmEmails": ["oncall"] }), OUTPUTS),
            "clickstream:alarmEmails[0]: 'oncall' is not valid; expected an email address",
        ],
        [
            "firehose buffer below the Parquet minimum",
            () => parseLakeConfig(reader({ "aws:region": "eu-central-1", "clickstream:firehoseBufferSizeMiB": "32" }), LAKE_ID),
            "clickstream:firehoseBufferSizeMiB: '32' is not valid; expected a whole number from 64 to 128",
        ],
        [
            "redshift mode",
            () => parseLakeConfig(reader({ "aws:region": "eu-central-1", "clickstream:redshift": { mode: "provisioned" } }), LAKE_ID),
            "clickstream:redshift.mode: 'provisioned' is not valid; allowed: none, cluster, serverless, create-serverless",
        ],
        [
            "redshift cluster without identifier",
            () => parseLakeConfig(reader({ "aws:region": "eu-central-1", "clickstream:redshift": { mode: "cluster" } }), LAKE_ID),
            "clickstream:redshift.clusterIdentifier: not set; expected the identifier of an existing provisioned cluster",
        ],
        [
            "bucket name",
            () => parseLakeConfig(reader({ "aws:region": "eu-central-1", "clickstream:existingBucketName": "My_Bucket" }), LAKE_ID),
            "clickstream:existingBucketName: 'My_Bucket' is not valid; expected an S3 bucket name",
        ],
        [
            "a project and stack name too long for the bucket the lake would create",
            () => parseLakeConfig(reader({ "aws:region": "ap-southeast-2" }), { project: "clickstream-analytics-platform", stack: "lake-europe" }),
            "clickstream:existingBucketName: not set; the lake bucket would be named 'clickstream-analytics-platform-lake-europe-<account>-ap-southeast-2' (70 characters), " +
                "which is not a valid S3 bucket name (3-63 lower case letters, digits, '-' and '.'); set it to a bucket name, or shorten the project or stack name",
        ],
        [
            "a stack name S3 does not accept in the bucket the lake would create",
            () => parseLakeConfig(reader({ "aws:region": "eu-central-1" }), { project: "clickstream", stack: "Lake" }),
            "clickstream:existingBucketName: not set; the lake bucket would be named 'clickstream-Lake-<account>-eu-central-1' (42 characters), " +
                "which is not a valid S3 bucket name (3-63 lower case letters, digits, '-' and '.'); set it to a bucket name, or shorten the project or stack name",
        ],
        [
            "two apps filling one windowed output",
            () =>
                parseRegionConfig(
                    region({ "clickstream:apps": { a: { source: "web", outputs: ["clicks_1m", "rejected_events"] }, b: { source: "web" } } }),
                    OUTPUTS,
                    ["active_users_1m", "clicks_1m"],
                ),
            "clickstream:apps.b.outputs: 'clicks_1m' is not valid; app 'a' already fills this windowed output; one app per windowed output per stack, or their rows for the same window would collide",
        ],
        [
            "an app with windows that does not record its late events",
            () =>
                parseRegionConfig(
                    region({ "clickstream:apps": { a: { source: "web", outputs: ["clicks_1m", "rejected_events"] } } }),
                    [...OUTPUTS, "late_events"],
                    ["active_users_1m", "clicks_1m"],
                ),
            'clickstream:apps.a.outputs: ["clicks_1m","rejected_events"] is not valid; an app that fills windowed outputs (clicks_1m) must also fill late_events, or its late events would be lost; add late_events',
        ],
        [
            "a source whose invalid records no app keeps",
            () =>
                parseRegionConfig(
                    region({ "clickstream:apps": { a: { source: "web", outputs: ["active_users_1m"] }, b: { source: "web", outputs: ["clicks_1m"] } } }),
                    OUTPUTS,
                    ["active_users_1m", "clicks_1m"],
                ),
            "clickstream:apps: no app reading source 'web' fills rejected_events, so its invalid records would be lost; add rejected_events to the outputs of one of: a, b",
        ],
        [
            "a source whose invalid records two apps keep",
            () =>
                parseRegionConfig(
                    region({
                        "clickstream:apps": {
                            a: { source: "web", outputs: ["active_users_1m", "rejected_events"] },
                            b: { source: "web", outputs: ["clicks_1m", "rejected_events"] },
                        },
                    }),
                    OUTPUTS,
                    ["active_users_1m", "clicks_1m"],
                ),
            "clickstream:apps: apps 'a' and 'b' both fill rejected_events from source 'web', so each invalid record would be written twice; keep it in one",
        ],
        [
            "AT_TIMESTAMP without the timestamp",
            () => parseRegionConfig(region({ "clickstream:apps": { realtime: { source: "web", startPosition: "AT_TIMESTAMP" } } }), OUTPUTS),
            "clickstream:apps.realtime.startTimestamp: not set; startPosition AT_TIMESTAMP needs the instant to start from, ISO-8601 with a zone, e.g. 2026-11-27T10:00:00Z",
        ],
        [
            "a timestamp without a zone",
            () =>
                parseRegionConfig(
                    region({ "clickstream:apps": { realtime: { source: "web", startPosition: "AT_TIMESTAMP", startTimestamp: "2026-11-27T10:00:00" } } }),
                    OUTPUTS,
                ),
            "clickstream:apps.realtime.startTimestamp: '2026-11-27T10:00:00' is not valid; expected an ISO-8601 time with a zone, e.g. 2026-11-27T10:00:00Z",
        ],
        [
            "a timestamp without AT_TIMESTAMP",
            () => parseRegionConfig(region({ "clickstream:apps": { realtime: { source: "web", startTimestamp: "2026-11-27T10:00:00Z" } } }), OUTPUTS),
            "clickstream:apps.realtime.startTimestamp: '2026-11-27T10:00:00Z' is not valid; applies only with startPosition: AT_TIMESTAMP",
        ],
        [
            "restore",
            () => parseRegionConfig(region({ "clickstream:apps": { realtime: { source: "web", restore: "fresh" } } }), OUTPUTS),
            "clickstream:apps.realtime.restore: 'fresh' is not valid; allowed: latest, skip",
        ],
        [
            "an app name too long for its IAM role",
            () => parseRegionConfig(region({ "clickstream:apps": { ["a".repeat(36)]: { source: "web" } } }), OUTPUTS),
            `clickstream:apps.${"a".repeat(36)}: '${"a".repeat(36)}' is not valid; an app name has at most 35 characters (its IAM role is named clickstream-app-<app>-role plus 8 characters, and a role name has at most 64)`,
        ],
        [
            "six apps polling one stream",
            () =>
                parseRegionConfig(
                    region({
                        "clickstream:apps": Object.fromEntries(
                            ["a", "b", "c", "d", "e", "f"].map((n, i) => [n, { source: "web", outputs: i === 0 ? ["rejected_events"] : ["clicks_1m"] }]),
                        ),
                    }),
                    OUTPUTS,
                ),
            "clickstream:apps: source 'web' is polled by 6 apps (a, b, c, d, e, f); Kinesis allows 5 GetRecords calls per second per shard across them, so at most 5 apps can poll one stream: merge apps (an app fills several outputs)",
        ],
        [
            "broken JSON",
            () => parseRegionConfig(region({ "clickstream:apps": "{realtime:" }), OUTPUTS),
            "clickstream:apps: '{realtime:' is not valid; expected a YAML map or list (or its JSON)",
        ],
        [
            "redshift secretArn that is not a Secrets Manager ARN",
            () =>
                parseLakeConfig(
                    reader({
                        "aws:region": "eu-central-1",
                        "clickstream:redshift": {
                            mode: "serverless",
                            workgroupName: "analytics",
                            secretArn: "arn:aws:ssm:eu-central-1:123456789012:parameter/admin",
                        },
                    }),
                    LAKE_ID,
                ),
            "clickstream:redshift.secretArn: 'arn:aws:ssm:eu-central-1:123456789012:parameter/admin' is not valid; expected a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
        ],
        [
            "redshift secretArn given as a bare secret name",
            () =>
                parseLakeConfig(
                    reader({ "aws:region": "eu-central-1", "clickstream:redshift": { mode: "cluster", clusterIdentifier: "bi", secretArn: "redshift-admin" } }),
                    LAKE_ID,
                ),
            "clickstream:redshift.secretArn: 'redshift-admin' is not valid; expected a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
        ],
        [
            "redshift secretArn for a created namespace (it runs as its own admin)",
            () =>
                parseLakeConfig(
                    reader({
                        "aws:region": "eu-central-1",
                        "clickstream:redshift": {
                            mode: "create-serverless",
                            secretArn: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:admin-AbCdEf",
                        },
                    }),
                    LAKE_ID,
                ),
            "clickstream:redshift.secretArn: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:admin-AbCdEf' is not valid; unknown setting; allowed: mode, database, baseCapacityRpu",
        ],
        [
            "redshift dbUser beside secretArn on a cluster",
            () =>
                parseLakeConfig(
                    reader({
                        "aws:region": "eu-central-1",
                        "clickstream:redshift": {
                            mode: "cluster",
                            clusterIdentifier: "bi",
                            dbUser: "etl",
                            secretArn: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:admin-AbCdEf",
                        },
                    }),
                    LAKE_ID,
                ),
            "clickstream:redshift.dbUser: 'etl' is not valid; applies only without secretArn (the secret names the database user); remove one of them",
        ],
    ];
    for (const [label, run, message] of cases) {
        it(label, () => {
            expect(run).to.throw(ConfigError, message);
            try {
                run();
            } catch (e) {
                expect((e as Error).message).to.equal(message);
                expect((e as Error).message).to.not.include("\n");
            }
        });
    }
});

describe("config: the Redshift connection's secret (clickstream:redshift.secretArn)", () => {
    const lake = (redshift: Record<string, unknown>) => parseLakeConfig(reader({ "aws:region": "eu-central-1", "clickstream:redshift": redshift }), LAKE_ID);
    const secret = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:redshift!analytics-admin-AbCdEf";

    it("is kept for an existing workgroup or cluster, and absent when not set", () => {
        expect(lake({ mode: "serverless", workgroupName: "analytics", secretArn: secret, roleAssociated: true }).redshift).to.deep.equal({
            mode: "serverless",
            workgroupName: "analytics",
            database: "dev",
            secretArn: secret,
            roleAssociated: true,
        });
        expect(
            lake({
                mode: "cluster",
                clusterIdentifier: "bi",
                database: "analytics",
                secretArn: "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:bi/admin_1+x=y.z@w-AbCdEf",
            }).redshift,
        ).to.deep.equal({
            mode: "cluster",
            clusterIdentifier: "bi",
            database: "analytics",
            dbUser: "awsuser",
            secretArn: "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:bi/admin_1+x=y.z@w-AbCdEf",
        });
        expect(lake({ mode: "serverless", workgroupName: "analytics" }).redshift).to.deep.equal({
            mode: "serverless",
            workgroupName: "analytics",
            database: "dev",
        });
    });
});

/** `mode: firehose` sources: each bad or missing setting, one line. */
function firehoseCases(): [string, () => unknown, string][] {
    const good = { mode: "firehose", deliveryStreamName: "checkout", bucket: "acme-checkout", prefix: "events/", compression: "GZIP", recordSeparator: "none" };
    const parse = (over: Record<string, unknown>) => () =>
        parseRegionConfig(region({ "clickstream:sources": { web: { ...good, ...over } }, "clickstream:apps": { realtime: { source: "web" } } }), OUTPUTS);
    const k = "clickstream:sources.web";
    return [
        [
            "firehose: streamName",
            parse({ streamName: "x" }),
            `${k}.streamName: 'x' is not valid; unknown setting; allowed: mode, deliveryStreamName, bucket, prefix, compression, recordSeparator, kmsKeyArn, discoveryIntervalSeconds`,
        ],
        [
            "firehose: no delivery stream",
            parse({ deliveryStreamName: undefined }),
            `${k}.deliveryStreamName: not set; expected a Firehose delivery stream name`,
        ],
        [
            "firehose: bucket",
            parse({ bucket: "Acme_Bucket" }),
            `${k}.bucket: 'Acme_Bucket' is not valid; expected the S3 bucket name the delivery stream writes to`,
        ],
        [
            "firehose: prefix without /",
            parse({ prefix: "events" }),
            `${k}.prefix: 'events' is not valid; expected the delivery stream's S3 prefix ending with '/', e.g. clicks/ (or '' for the whole bucket)`,
        ],
        [
            "firehose: prefix from /",
            parse({ prefix: "/events/" }),
            `${k}.prefix: '/events/' is not valid; expected the delivery stream's S3 prefix ending with '/', e.g. clicks/ (or '' for the whole bucket)`,
        ],
        ["firehose: no compression", parse({ compression: undefined }), `${k}.compression: not set; allowed: NONE, GZIP`],
        ["firehose: compression", parse({ compression: "Snappy" }), `${k}.compression: 'Snappy' is not valid; allowed: NONE, GZIP`],
        ["firehose: separator", parse({ recordSeparator: "comma" }), `${k}.recordSeparator: 'comma' is not valid; allowed: newline, none`],
        [
            "firehose: key",
            parse({ kmsKeyArn: "alias/checkout" }),
            `${k}.kmsKeyArn: 'alias/checkout' is not valid; expected the bucket's KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)`,
        ],
        [
            "firehose: discovery",
            parse({ discoveryIntervalSeconds: 0 }),
            `${k}.discoveryIntervalSeconds: 0 is not valid; expected a whole number from 1 to 3600`,
        ],
    ];
}

describe("config: a Firehose's objects as a source (mode: firehose)", () => {
    const source = { mode: "firehose", deliveryStreamName: "checkout", bucket: "acme-checkout", prefix: "", compression: "NONE", recordSeparator: "newline" };
    it("defaults: discovery every 30 s, the whole bucket with prefix '', no key; its apps start at LATEST and read OBJECTS", () => {
        const config = parseRegionConfig(region({ "clickstream:sources": { web: source }, "clickstream:apps": { a: { source: "web" } } }), OUTPUTS);
        expect(config.sources[0]).to.deep.equal({
            name: "web",
            streamName: "checkout",
            mode: "firehose",
            bucket: "acme-checkout",
            prefix: "",
            compression: "NONE",
            recordSeparator: "newline",
            discoveryIntervalSeconds: 30,
        });
        expect(config.apps[0]).to.deep.include({
            streamName: "checkout",
            startPosition: "LATEST",
            read: { readMode: "OBJECTS", bucket: "acme-checkout", prefix: "", compression: "NONE", recordSeparator: "newline", discoveryIntervalSeconds: 30 },
        });
    });
    it("an app can start from every object (TRIM_HORIZON) or from a time (AT_TIMESTAMP)", () => {
        const apps = { a: { source: "web", startPosition: "AT_TIMESTAMP", startTimestamp: "2026-11-27T10:00:00Z" } };
        const config = parseRegionConfig(region({ "clickstream:sources": { web: source }, "clickstream:apps": apps }), OUTPUTS);
        expect(config.apps[0]).to.include({ startPosition: "AT_TIMESTAMP", startTimestamp: "2026-11-27T10:00:00Z" });
    });
});

describe("config: a KA for SQL app (ka: <folder under sql/ka>)", () => {
    const KA = { web_metrics: ["ka_active_users_1m", "ka_clicks_1m"] };
    const withApps = (apps: Record<string, unknown>) => region({ "clickstream:apps": apps });
    const error = (apps: Record<string, unknown>) => {
        try {
            parseRegionConfig(withApps(apps), OUTPUTS, [], KA);
        } catch (e) {
            expect(e).to.be.instanceOf(ConfigError);
            return (e as Error).message;
        }
        throw new Error("parsed without an error");
    };

    it("fills its application's outputs and rejected_events; it does not count in the one-app-per-source rule for rejected_events", () => {
        const config = parseRegionConfig(
            withApps({ realtime: { source: "web" }, legacy: { source: "web", ka: "web_metrics", parallelism: 2 } }),
            OUTPUTS,
            [],
            KA,
        );
        expect(config.apps.map((a) => [a.name, a.ka, a.outputs, a.parallelism])).to.deep.equal([
            ["realtime", undefined, ["active_users_1m", "clicks_1m", "rejected_events"], 1],
            ["legacy", "web_metrics", ["ka_active_users_1m", "ka_clicks_1m", "rejected_events"], 2],
        ]);
        // A source read by KA apps only needs no Flink SQL app to fill rejected_events.
        expect(parseRegionConfig(withApps({ legacy: { source: "web", ka: "web_metrics" } }), OUTPUTS, [], KA).apps[0].outputs).to.deep.equal([
            "ka_active_users_1m",
            "ka_clicks_1m",
            "rejected_events",
        ]);
    });

    it("an unknown folder, an outputs list beside ka, or two apps running one KA application", () => {
        expect(error({ legacy: { source: "web", ka: "nope" } })).to.equal("clickstream:apps.legacy.ka: 'nope' is not valid; allowed: web_metrics");
        expect(error({ legacy: { source: "web", ka: "web_metrics", outputs: ["ka_clicks_1m"] } })).to.equal(
            'clickstream:apps.legacy.outputs: ["ka_clicks_1m"] is not valid; a KA app fills the outputs of sql/ka/web_metrics/application.json and rejected_events; remove outputs',
        );
        expect(error({ a: { source: "web", ka: "web_metrics" }, b: { source: "web", ka: "web_metrics" } })).to.equal(
            "clickstream:apps.b.ka: 'web_metrics' is not valid; app 'a' already runs this KA application; one app per KA application per stack, or its rows would be written twice",
        );
        // A Flink SQL app cannot select a KA application's output: its INSERT reads that application's views.
        expect(error({ realtime: { source: "web", outputs: ["ka_clicks_1m"] } })).to.equal(
            "clickstream:apps.realtime.outputs[0]: 'ka_clicks_1m' is not valid; allowed: active_users_1m, clicks_1m, rejected_events",
        );
    });
});
