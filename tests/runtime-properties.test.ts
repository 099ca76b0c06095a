import { expect } from "chai";
import * as path from "path";
import { firehoseSinkOptions, kinesisSourceOptions, pollIntervalMs, localEndpointOverrides } from "../lib/connector-options";
import { appStatements, buildRuntimeProperties, chunkText, MSF_LIMITS, reassembleSqlBundle, RuntimePropertiesError } from "../lib/runtime-properties";
import { loadSqlCatalog, SqlStatement } from "../lib/sql/catalog";

const fixtures = path.join(__dirname, "fixtures", "sql");

const statement = (kind: SqlStatement["kind"], target: string, sql: string): SqlStatement => ({ file: `sql/${target}.sql`, line: 1, kind, target, sql });

describe("runtime properties: chunking within Managed Flink limits", () => {
    it("splits into pieces of at most the limit and joins back to the same text", () => {
        const text = "x".repeat(5000);
        const chunks = chunkText(text, 2048);
        expect(chunks.map((c) => c.length)).to.deep.equal([2048, 2048, 904]);
        expect(chunks.join("")).to.equal(text);
    });

    it("never splits a surrogate pair (an emoji in a SQL comment or literal)", () => {
        const text = "a".repeat(2047) + "😀" + "b";
        const chunks = chunkText(text, 2048);
        expect(chunks).to.deep.equal(["a".repeat(2047), "😀b"]);
    });

    it("puts the SQL bundle in sql.NNN groups of at most 50 keys, the runner group first and one group per table", () => {
        const big = "SELECT '" + "y".repeat(120_000) + "'";
        const groups = buildRuntimeProperties({
            appName: "realtime",
            sourceRegion: "eu-west-1",
            statements: [
                statement("create-table", "clickstream_raw", "CREATE TABLE clickstream_raw (payload STRING)"),
                statement("create-table", "clicks_1m", "CREATE TABLE clicks_1m (n BIGINT)"),
                statement("insert", "clicks_1m", `INSERT INTO clicks_1m ${big}`),
            ],
            tableOptions: { clickstream_raw: { connector: "kinesis" }, clicks_1m: { connector: "firehose" } },
        });
        // 120,000 characters of literal plus the JSON envelope: 59 chunks of 2048 -> groups of 50 + 9.
        const bundleLength = JSON.stringify({
            version: 1,
            statements: [
                { file: "sql/clickstream_raw.sql", sql: "CREATE TABLE clickstream_raw (payload STRING)" },
                { file: "sql/clicks_1m.sql", sql: "CREATE TABLE clicks_1m (n BIGINT)" },
                { file: "sql/clicks_1m.sql", sql: `INSERT INTO clicks_1m ${big}` },
            ],
        }).length;
        expect(Math.ceil(bundleLength / 2048)).to.equal(59);
        expect(groups.map((g) => [g.PropertyGroupId, Object.keys(g.PropertyMap).length])).to.deep.equal([
            ["runner", 3],
            ["sql.000", 50],
            ["sql.001", 9],
            ["table.clickstream_raw", 1],
            ["table.clicks_1m", 1],
        ]);
        expect(groups[0].PropertyMap).to.deep.equal({ "app.name": "realtime", "source.region": "eu-west-1", "sql.groups": "2" });
        expect(Object.keys(groups[1].PropertyMap).slice(0, 3)).to.deep.equal(["000", "001", "002"]);
        for (const group of groups) {
            for (const value of Object.values(group.PropertyMap)) expect(value.length).to.be.at.most(MSF_LIMITS.valueLength);
        }
        const bundle = reassembleSqlBundle(groups);
        expect(bundle.version).to.equal(1);
        expect(bundle.statements[2].sql).to.equal(`INSERT INTO clicks_1m ${big}`);
    });

    it("orders an app's statements: sources, views, output tables, then inserts", () => {
        const catalog = loadSqlCatalog(fixtures);
        const statements = appStatements(catalog, catalog.outputs);
        expect(statements.map((s) => `${s.kind} ${s.target} ${s.file}`)).to.deep.equal([
            "create-table clickstream_raw sql/sources/clickstream_raw.sql",
            "create-view events sql/views/010_events.sql",
            "create-table site_clicks sql/outputs/site_clicks.sql",
            "insert site_clicks sql/outputs/site_clicks.sql",
        ]);
    });
});

describe("runtime properties: errors name the app and the fix", () => {
    const base = {
        appName: "realtime",
        sourceRegion: "eu-west-1",
        statements: [statement("create-table", "clickstream_raw", "CREATE TABLE clickstream_raw (payload STRING)")],
    };
    it("a table without connector options", () => {
        expect(() => buildRuntimeProperties({ ...base, tableOptions: {} })).to.throw(
            RuntimePropertiesError,
            "app 'realtime': table 'clickstream_raw' has no connector options",
        );
    });
    it("options for a table no statement creates", () => {
        expect(() =>
            buildRuntimeProperties({ ...base, tableOptions: { clickstream_raw: { connector: "kinesis" }, ghost: { connector: "firehose" } } }),
        ).to.throw("app 'realtime': connector options given for 'ghost', which no statement creates");
    });
    it("more than 50 property groups", () => {
        const tables = Array.from({ length: 50 }, (_, i) => `out_${i}`);
        expect(() =>
            buildRuntimeProperties({
                ...base,
                statements: [...base.statements, ...tables.map((t) => statement("create-table", t, `CREATE TABLE ${t} (a INT)`))],
                tableOptions: Object.fromEntries([["clickstream_raw", { connector: "kinesis" }], ...tables.map((t) => [t, { connector: "firehose" }])]),
            }),
        ).to.throw(
            "app 'realtime': needs 53 property groups (1 for SQL, 51 for tables), Managed Flink allows 50; split its outputs over two apps in clickstream:apps",
        );
    });
    it("a connector option value longer than 2048 characters", () => {
        expect(() => buildRuntimeProperties({ ...base, tableOptions: { clickstream_raw: { connector: "kinesis", stream: "s".repeat(2049) } } })).to.throw(
            "app 'realtime': property 'table.clickstream_raw/stream' is 2049 characters, Managed Flink allows 2048",
        );
    });
});

describe("connector options", () => {
    it("a created stream is polled from TRIM_HORIZON", () => {
        expect(kinesisSourceOptions({ streamName: "clickstream-eu-web", region: "eu-west-1", readMode: "POLLING" })).to.deep.equal({
            connector: "kinesis",
            stream: "clickstream-eu-web",
            "aws.region": "eu-west-1",
            format: "raw",
            "scan.stream.initpos": "TRIM_HORIZON",
            "scan.stream.recordpublisher": "POLLING",
        });
    });

    it("AT_TIMESTAMP starts at an instant (as UTC with milliseconds), and polling apps share the stream's GetRecords limit", () => {
        expect(
            kinesisSourceOptions({
                streamName: "s",
                region: "eu-west-1",
                readMode: "POLLING",
                startPosition: "AT_TIMESTAMP",
                startTimestamp: "2026-11-27T10:00:00+01:00",
                pollIntervalMs: 400,
            }),
        ).to.deep.equal({
            connector: "kinesis",
            stream: "s",
            "aws.region": "eu-west-1",
            format: "raw",
            "scan.stream.initpos": "AT_TIMESTAMP",
            "scan.stream.initpos-timestamp": "2026-11-27T09:00:00.000Z",
            "scan.stream.initpos-timestamp-format": "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
            "scan.stream.recordpublisher": "POLLING",
            "scan.shard.getrecords.intervalmillis": "400",
        });
        expect([1, 2, 3, 4, 5].map(pollIntervalMs)).to.deep.equal([200, 400, 600, 800, 1000]);
    });

    it("an attached stream is read through the consumer Pulumi registered, never registering one itself", () => {
        const arn = "arn:aws:kinesis:eu-west-1:123456789012:stream/mobile-events-eu/consumer/clickstream-eu-mobile:1700000000";
        expect(
            kinesisSourceOptions({ streamName: "mobile-events-eu", region: "eu-west-1", readMode: "EFO", consumerArn: arn, startPosition: "LATEST" }),
        ).to.deep.equal({
            connector: "kinesis",
            stream: "mobile-events-eu",
            "aws.region": "eu-west-1",
            format: "raw",
            "scan.stream.initpos": "LATEST",
            "scan.stream.recordpublisher": "EFO",
            "scan.stream.efo.registration": "NONE",
            "scan.stream.efo.consumername": "clickstream-eu-mobile",
            "scan.stream.efo.consumerarn.mobile-events-eu": arn,
        });
    });

    it("EFO without a consumer ARN is refused", () => {
        expect(() => kinesisSourceOptions({ streamName: "s", region: "eu-west-1", readMode: "EFO" })).to.throw("EFO source 's' needs the consumer ARN");
    });

    it("sinks write JSON with SQL timestamps to the lake-region Firehose", () => {
        expect(firehoseSinkOptions({ deliveryStreamName: "clickstream-clicks-1m", region: "eu-central-1" })).to.deep.equal({
            connector: "firehose",
            "delivery-stream": "clickstream-clicks-1m",
            "aws.region": "eu-central-1",
            format: "json",
            "json.timestamp-format.standard": "SQL",
            "json.encode.decimal-as-plain-number": "true",
        });
    });

    it("a local run only changes the endpoint and the credentials", () => {
        expect(localEndpointOverrides("http://127.0.0.1:4568")).to.deep.equal({
            "aws.endpoint": "http://127.0.0.1:4568",
            "aws.trust.all.certificates": "true",
            "aws.credentials.provider": "BASIC",
            "aws.credentials.basic.accesskeyid": "local",
            "aws.credentials.basic.secretkey": "local",
        });
    });
});
