import { BatchCreatePartitionCommand, GetTableCommand, GlueClient, StorageDescriptor } from "@aws-sdk/client-glue";
import type { S3Event, ScheduledEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { handler, plan, register, RegistrarSettings, settingsFromEnv } from "../functions/partition-registrar/index";
import { chunk, hoursBetween, parseObjectKey, partitionInput, scheduledHours } from "../functions/partition-registrar/partitions";

const descriptor: StorageDescriptor = {
    Columns: [
        { Name: "window_start", Type: "timestamp" },
        { Name: "clicks", Type: "bigint" },
    ],
    Location: "s3://lake/clicks_1m/",
    InputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    OutputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", Parameters: { "serialization.format": "1" } },
};
const settings: RegistrarSettings = { database: "clickstream", tables: ["clicks_1m", "active_users_1m"], lookbackHours: 2, aheadHours: 1 };

const scheduled = (time: string): ScheduledEvent =>
    ({
        version: "0",
        id: "1",
        "detail-type": "Scheduled Event",
        source: "aws.events",
        account: "123456789012",
        time,
        region: "eu-central-1",
        resources: [],
        detail: {},
    }) as ScheduledEvent;

const s3Event = (...keys: string[]): S3Event =>
    ({ Records: keys.map((key) => ({ eventName: "ObjectCreated:Put", s3: { bucket: { name: "lake" }, object: { key } } })) }) as unknown as S3Event;

describe("partition registrar: pure logic", () => {
    it("parses a Firehose object key into output and partition", () => {
        expect(parseObjectKey("clicks_1m/year=2025/month=11/day=28/hour=07/clickstream-clicks_1m-1-2025-11-28-07-00-00-abc.parquet")).to.deep.equal({
            output: "clicks_1m",
            values: { year: "2025", month: "11", day: "28", hour: "07" },
        });
        expect(parseObjectKey("errors/clicks_1m/format-conversion-failed/year=2025/month=11/day=28/hour=07/x")).to.equal(undefined);
        expect(parseObjectKey("athena-results/abc.csv")).to.equal(undefined);
        expect(parseObjectKey("clicks_1m/year=2025/month=13/day=28/hour=07/x")).to.equal(undefined);
        expect(parseObjectKey("clicks_1m/year=2025/month=11/day=28/hour=24/x")).to.equal(undefined);
        expect(parseObjectKey("clicks_1m/year=2025/month=11/day=28/hour=07/")).to.equal(undefined);
    });

    it("lists hours across day, month and year boundaries, oldest first, in UTC", () => {
        expect(hoursBetween(new Date("2025-12-31T22:30:00Z"), new Date("2026-01-01T01:05:00Z"))).to.deep.equal([
            { year: "2025", month: "12", day: "31", hour: "22" },
            { year: "2025", month: "12", day: "31", hour: "23" },
            { year: "2026", month: "01", day: "01", hour: "00" },
            { year: "2026", month: "01", day: "01", hour: "01" },
        ]);
        expect(() => hoursBetween(new Date("2025-01-02T00:00:00Z"), new Date("2025-01-01T00:00:00Z"))).to.throw("is before");
        expect(() => hoursBetween(new Date("2025-01-01T00:00:00Z"), new Date("2025-03-01T00:00:00Z"))).to.throw("at most 744 per request");
        expect(() => hoursBetween(new Date("not a date"), new Date("2025-03-01T00:00:00Z"))).to.throw("invalid date");
    });

    it("a scheduled run covers the look-back hours, the current hour and the next", () => {
        expect(scheduledHours(new Date("2025-11-28T07:45:00Z"), 2, 1)).to.deep.equal([
            { year: "2025", month: "11", day: "28", hour: "05" },
            { year: "2025", month: "11", day: "28", hour: "06" },
            { year: "2025", month: "11", day: "28", hour: "07" },
            { year: "2025", month: "11", day: "28", hour: "08" },
        ]);
    });

    it("a partition is the table's StorageDescriptor with the hour's location", () => {
        expect(partitionInput(descriptor, { year: "2025", month: "11", day: "28", hour: "07" })).to.deep.equal({
            Values: ["2025", "11", "28", "07"],
            StorageDescriptor: { ...descriptor, Location: "s3://lake/clicks_1m/year=2025/month=11/day=28/hour=07/" },
        });
        expect(
            partitionInput({ ...descriptor, Location: "s3://lake/x" }, { year: "2025", month: "01", day: "01", hour: "00" }).StorageDescriptor?.Location,
        ).to.equal("s3://lake/x/year=2025/month=01/day=01/hour=00/");
        expect(() => partitionInput({ Columns: [] }, { year: "2025", month: "01", day: "01", hour: "00" })).to.throw("no StorageDescriptor.Location");
    });

    it("chunks at Glue's 100 partitions per call", () => {
        expect(chunk(Array.from({ length: 250 }, (_, i) => i)).map((c) => c.length)).to.deep.equal([100, 100, 50]);
        expect(chunk([])).to.deep.equal([]);
    });

    it("plans a scheduled run for every table", () => {
        const work = plan(scheduled("2025-11-28T07:45:00Z"), settings);
        expect([...work.keys()]).to.deep.equal(["clicks_1m", "active_users_1m"]);
        expect(work.get("clicks_1m")!.map((h) => h.hour)).to.deep.equal(["05", "06", "07", "08"]);
    });

    it("plans S3 notifications per object, de-duplicated, ignoring unknown outputs and error output", () => {
        const work = plan(
            s3Event(
                "clicks_1m/year=2025/month=11/day=28/hour=07/a.parquet",
                "clicks_1m/year=2025/month=11/day=28/hour=07/b.parquet",
                "active_users_1m/year=2025/month=11/day=28/hour=08/c%3D1.parquet",
                "unknown_output/year=2025/month=11/day=28/hour=07/d.parquet",
                "errors/clicks_1m/format-conversion-failed/year=2025/month=11/day=28/hour=07/e",
            ),
            settings,
        );
        expect(Object.fromEntries(work)).to.deep.equal({
            clicks_1m: [{ year: "2025", month: "11", day: "28", hour: "07" }],
            active_users_1m: [{ year: "2025", month: "11", day: "28", hour: "08" }],
        });
    });

    it("plans a backfill for the named tables, refusing unknown ones", () => {
        const work = plan({ from: "2025-11-28T00:00:00Z", to: "2025-11-28T02:00:00Z", tables: ["clicks_1m"] }, settings);
        expect(Object.fromEntries(work)).to.deep.equal({
            clicks_1m: ["00", "01", "02"].map((hour) => ({ year: "2025", month: "11", day: "28", hour })),
        });
        expect(() => plan({ from: "2025-11-28T00:00:00Z", to: "2025-11-28T02:00:00Z", tables: ["nope"] }, settings)).to.throw(
            "unknown table(s) nope; known: clicks_1m, active_users_1m",
        );
    });

    it("reads its settings from the environment, with defaults and checks", () => {
        expect(settingsFromEnv({ GLUE_DATABASE: "clickstream", GLUE_TABLES: "a, b,," })).to.deep.equal({
            database: "clickstream",
            tables: ["a", "b"],
            lookbackHours: 3,
            aheadHours: 1,
        });
        expect(settingsFromEnv({ GLUE_DATABASE: "d", GLUE_TABLES: "a", LOOKBACK_HOURS: "6", AHEAD_HOURS: "0" })).to.include({
            lookbackHours: 6,
            aheadHours: 0,
        });
        expect(() => settingsFromEnv({})).to.throw("GLUE_DATABASE is not set");
        expect(() => settingsFromEnv({ GLUE_DATABASE: "d", LOOKBACK_HOURS: "x" })).to.throw("LOOKBACK_HOURS must be a whole number from 0 to 72, got 'x'");
    });
});

describe("partition registrar: Glue calls (aws-sdk-client-mock)", () => {
    const glue = mockClient(GlueClient);
    const env = { ...process.env };
    beforeEach(() => glue.reset());
    afterEach(() => {
        process.env = { ...env };
    });

    it("reads the table, then creates the partitions in one batch with the table's descriptor", async () => {
        glue.on(GetTableCommand).resolves({ Table: { Name: "clicks_1m", DatabaseName: "clickstream", StorageDescriptor: descriptor } });
        glue.on(BatchCreatePartitionCommand).resolves({});
        const hours = hoursBetween(new Date("2025-11-28T06:00:00Z"), new Date("2025-11-28T07:00:00Z"));
        const results = await register(new GlueClient({}), "clickstream", new Map([["clicks_1m", hours]]));

        expect(results).to.deep.equal([{ table: "clicks_1m", requested: 2, created: 2, alreadyExisted: 0 }]);
        expect(glue.commandCalls(GetTableCommand).map((c) => c.args[0].input)).to.deep.equal([{ DatabaseName: "clickstream", Name: "clicks_1m" }]);
        expect(glue.commandCalls(BatchCreatePartitionCommand).map((c) => c.args[0].input)).to.deep.equal([
            {
                DatabaseName: "clickstream",
                TableName: "clicks_1m",
                PartitionInputList: [
                    {
                        Values: ["2025", "11", "28", "06"],
                        StorageDescriptor: { ...descriptor, Location: "s3://lake/clicks_1m/year=2025/month=11/day=28/hour=06/" },
                    },
                    {
                        Values: ["2025", "11", "28", "07"],
                        StorageDescriptor: { ...descriptor, Location: "s3://lake/clicks_1m/year=2025/month=11/day=28/hour=07/" },
                    },
                ],
            },
        ]);
    });

    it("is idempotent: partitions that already exist count as done", async () => {
        glue.on(GetTableCommand).resolves({ Table: { Name: "clicks_1m", DatabaseName: "clickstream", StorageDescriptor: descriptor } });
        glue.on(BatchCreatePartitionCommand).resolves({
            Errors: [
                {
                    PartitionValues: ["2025", "11", "28", "06"],
                    ErrorDetail: { ErrorCode: "AlreadyExistsException", ErrorMessage: "Partition already exists." },
                },
            ],
        });
        const hours = hoursBetween(new Date("2025-11-28T06:00:00Z"), new Date("2025-11-28T07:00:00Z"));
        const results = await register(new GlueClient({}), "clickstream", new Map([["clicks_1m", hours]]));
        expect(results).to.deep.equal([{ table: "clicks_1m", requested: 2, created: 1, alreadyExisted: 1 }]);
    });

    it("splits more than 100 hours into several batches", async () => {
        glue.on(GetTableCommand).resolves({ Table: { Name: "clicks_1m", DatabaseName: "clickstream", StorageDescriptor: descriptor } });
        glue.on(BatchCreatePartitionCommand).resolves({});
        const hours = hoursBetween(new Date("2025-11-01T00:00:00Z"), new Date("2025-11-06T23:00:00Z")); // 144 hours
        await register(new GlueClient({}), "clickstream", new Map([["clicks_1m", hours]]));
        expect(glue.commandCalls(BatchCreatePartitionCommand).map((c) => c.args[0].input.PartitionInputList!.length)).to.deep.equal([100, 44]);
    });

    it("surfaces other per-partition errors, after trying every table", async () => {
        glue.on(GetTableCommand).resolves({ Table: { Name: "t", DatabaseName: "clickstream", StorageDescriptor: descriptor } });
        glue.on(BatchCreatePartitionCommand, { TableName: "clicks_1m" }).resolves({
            Errors: [{ PartitionValues: ["2025", "11", "28", "06"], ErrorDetail: { ErrorCode: "InternalServiceException", ErrorMessage: "boom" } }],
        });
        glue.on(BatchCreatePartitionCommand, { TableName: "active_users_1m" }).resolves({});
        const hours = hoursBetween(new Date("2025-11-28T06:00:00Z"), new Date("2025-11-28T06:00:00Z"));
        let error: Error | undefined;
        try {
            await register(
                new GlueClient({}),
                "clickstream",
                new Map([
                    ["clicks_1m", hours],
                    ["active_users_1m", hours],
                ]),
            );
        } catch (e) {
            error = e as Error;
        }
        expect(error?.message).to.equal("partition registration failed: clickstream.clicks_1m [2025/11/28/06]: InternalServiceException: boom");
        expect(glue.commandCalls(BatchCreatePartitionCommand)).to.have.length(2);
    });

    it("surfaces a failed GetTable (e.g. a table not yet created, or missing permission)", async () => {
        const denied = Object.assign(new Error("User is not authorized to perform: glue:GetTable"), { name: "AccessDeniedException" });
        glue.on(GetTableCommand).rejects(denied);
        const hours = hoursBetween(new Date("2025-11-28T06:00:00Z"), new Date("2025-11-28T06:00:00Z"));
        let error: Error | undefined;
        try {
            await register(new GlueClient({}), "clickstream", new Map([["clicks_1m", hours]]));
        } catch (e) {
            error = e as Error;
        }
        expect(error?.message).to.equal(
            "partition registration failed: clickstream.clicks_1m: AccessDeniedException: User is not authorized to perform: glue:GetTable",
        );
        expect(glue.commandCalls(BatchCreatePartitionCommand)).to.have.length(0);
    });

    it("the handler registers the scheduled window for every table named in its environment", async () => {
        process.env.GLUE_DATABASE = "clickstream";
        process.env.GLUE_TABLES = "clicks_1m,active_users_1m";
        process.env.LOOKBACK_HOURS = "1";
        process.env.AHEAD_HOURS = "1";
        glue.on(GetTableCommand).resolves({ Table: { Name: "t", DatabaseName: "clickstream", StorageDescriptor: descriptor } });
        glue.on(BatchCreatePartitionCommand).resolves({});
        const log = console.log;
        console.log = () => undefined;
        try {
            const results = await handler(scheduled("2025-11-28T07:10:00Z"));
            expect(results).to.deep.equal([
                { table: "clicks_1m", requested: 3, created: 3, alreadyExisted: 0 },
                { table: "active_users_1m", requested: 3, created: 3, alreadyExisted: 0 },
            ]);
        } finally {
            console.log = log;
        }
        expect(glue.commandCalls(GetTableCommand).map((c) => c.args[0].input.Name)).to.deep.equal(["clicks_1m", "active_users_1m"]);
        expect(
            glue
                .commandCalls(BatchCreatePartitionCommand)
                .map((c) => [c.args[0].input.TableName, c.args[0].input.PartitionInputList!.map((p) => p.Values!.join("-"))]),
        ).to.deep.equal([
            ["clicks_1m", ["2025-11-28-06", "2025-11-28-07", "2025-11-28-08"]],
            ["active_users_1m", ["2025-11-28-06", "2025-11-28-07", "2025-11-28-08"]],
        ]);
    });
});
