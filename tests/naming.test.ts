import { expect } from "chai";
import {
    ATHENA_RESULTS_PREFIX,
    ERROR_PREFIX_ROOT,
    FIREHOSE_LOG_STREAM,
    firehoseErrorPrefix,
    firehoseLogGroupName,
    firehoseName,
    firehosePrefix,
    lakeBucketName,
    lakeBucketNameProblem,
    alarmName,
    alarmTopicName,
    appResourceName,
    athenaWorkgroupName,
    dataApiStatementName,
    flinkLogGroupName,
    keyAliasName,
    partitionRegistrarName,
    redshiftAdminUser,
    redshiftServerlessName,
    sqlIdentifier,
    stackPrefix,
    outputPrefix,
    partitionLocation,
    partitionOf,
    storageLocationTemplate,
    tableLocation,
} from "../lib/naming";

describe("naming: lake prefixes and names", () => {
    it("writes each output under <output>/ in the hourly layout, with Firehose timestamp expressions", () => {
        expect(outputPrefix("clicks_1m")).to.equal("clicks_1m/");
        expect(firehosePrefix("clicks_1m")).to.equal("clicks_1m/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/");
    });

    it("puts error output outside the table location, split by error type", () => {
        const prefix = firehoseErrorPrefix("clicks_1m");
        expect(prefix).to.equal(
            "errors/clicks_1m/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/",
        );
        expect(prefix.startsWith(ERROR_PREFIX_ROOT)).to.equal(true);
        expect(prefix.startsWith(outputPrefix("clicks_1m"))).to.equal(false);
        expect(firehosePrefix("clicks_1m")).not.to.contain("!{firehose:error-output-type}");
    });

    it("gives Glue the same layout as Firehose: location and projection template", () => {
        expect(tableLocation("lake", "clicks_1m")).to.equal("s3://lake/clicks_1m/");
        expect(storageLocationTemplate("lake", "clicks_1m")).to.equal("s3://lake/clicks_1m/year=${year}/month=${month}/day=${day}/hour=${hour}/");
        // Substituting the Firehose expressions and the projection variables yields the same key.
        const values = { year: "2025", month: "11", day: "28", hour: "07" };
        const fromFirehose =
            "s3://lake/" +
            firehosePrefix("clicks_1m")
                .replace("!{timestamp:yyyy}", values.year)
                .replace("!{timestamp:MM}", values.month)
                .replace("!{timestamp:dd}", values.day)
                .replace("!{timestamp:HH}", values.hour);
        const fromTemplate = storageLocationTemplate("lake", "clicks_1m")
            .replace("${year}", values.year)
            .replace("${month}", values.month)
            .replace("${day}", values.day)
            .replace("${hour}", values.hour);
        expect(fromTemplate).to.equal(fromFirehose);
        expect(partitionLocation("lake", "clicks_1m", values)).to.equal(fromFirehose);
    });

    it("zero-pads partition values of an instant in UTC", () => {
        expect(partitionOf(new Date("2025-01-02T03:59:59.999Z"))).to.deep.equal({ year: "2025", month: "01", day: "02", hour: "03" });
        expect(partitionOf(new Date("2025-12-31T23:00:00Z"))).to.deep.equal({ year: "2025", month: "12", day: "31", hour: "23" });
    });

    it("names Firehoses <project>-<output>, at most 64 characters, unique when shortened", () => {
        expect(firehoseName("clickstream", "clicks_1m")).to.equal("clickstream-clicks_1m");
        const long = "a".repeat(63);
        const other = "a".repeat(62) + "b";
        const name = firehoseName("clickstream", long);
        expect(name).to.have.length(64);
        expect(name).to.match(/^clickstream-a{43}-[0-9a-f]{8}$/);
        expect(firehoseName("clickstream", other)).to.have.length(64);
        expect(firehoseName("clickstream", other)).not.to.equal(name);
        expect(firehoseName("clickstream", long)).to.equal(name); // stable
        expect(() => firehoseName("click stream", "x")).to.throw("'click stream-x' is not a valid Firehose name");
    });

    it("names the bucket by project, stack, account and region; a name S3 would refuse is reported before any resource", () => {
        expect(lakeBucketName({ project: "clickstream", stack: "lake" }, "123456789012", "eu-central-1")).to.equal(
            "clickstream-lake-123456789012-eu-central-1",
        );
        expect(lakeBucketNameProblem({ project: "clickstream", stack: "lake" }, "eu-central-1")).to.equal(undefined);
        // 30 + 1 + 4 + 1 + 12 + 1 + 14 = 63: the longest that fits.
        expect(lakeBucketNameProblem({ project: "x".repeat(30), stack: "lake" }, "ap-southeast-2")).to.equal(undefined);
        expect(lakeBucketNameProblem({ project: "x".repeat(31), stack: "lake" }, "ap-southeast-2")).to.equal(
            `the lake bucket would be named '${"x".repeat(31)}-lake-<account>-ap-southeast-2' (64 characters), which is not a valid S3 bucket name (3-63 lower case letters, digits, '-' and '.')`,
        );
        expect(lakeBucketNameProblem({ project: "clickstream", stack: "Lake_2" }, "eu-central-1")).to.match(
            /^the lake bucket would be named 'clickstream-Lake_2-<account>-eu-central-1'/,
        );
    });

    it("names a stack's own resources <project>-<stack>[-thing], and what the project's stacks share <project>", () => {
        const lake = { project: "clickstream", stack: "lake" };
        const eu = { project: "clickstream", stack: "eu" };
        expect([
            stackPrefix(lake),
            keyAliasName(lake),
            alarmTopicName(lake),
            alarmName(lake, "clicks_1m-throttled"),
            partitionRegistrarName(lake),
        ]).to.deep.equal([
            "clickstream-lake",
            "alias/clickstream-lake",
            "clickstream-lake-alarms",
            "clickstream-lake-clicks_1m-throttled",
            "clickstream-lake-partition-registrar",
        ]);
        expect([keyAliasName(eu), alarmTopicName(eu), alarmName(eu, "realtime-lag"), appResourceName(eu, "realtime")]).to.deep.equal([
            "alias/clickstream-eu",
            "clickstream-eu-alarms",
            "clickstream-eu-realtime-lag",
            "clickstream-eu-realtime",
        ]);
        // Two lake stacks of one project never share a stack-scoped name.
        const second = { project: "clickstream", stack: "lake2" };
        expect([keyAliasName(second), alarmTopicName(second), partitionRegistrarName(second)]).to.deep.equal([
            "alias/clickstream-lake2",
            "clickstream-lake2-alarms",
            "clickstream-lake2-partition-registrar",
        ]);
        expect([
            athenaWorkgroupName("clickstream"),
            redshiftServerlessName("clickstream"),
            sqlIdentifier("clickstream"),
            redshiftAdminUser("clickstream"),
        ]).to.deep.equal(["clickstream", "clickstream", "clickstream", "clickstream_admin"]);
        expect([sqlIdentifier("Click-Stream"), sqlIdentifier("9lives"), redshiftAdminUser("acme-web")]).to.deep.equal([
            "click_stream",
            "_9lives",
            "acme_web_admin",
        ]);
        expect(dataApiStatementName("clickstream", "view", "clicks_by_site", "0123456789ab")).to.equal("clickstream-view-clicks_by_site-0123456789ab");
        expect(flinkLogGroupName("clickstream-eu-realtime")).to.equal("/aws/kinesis-analytics/clickstream-eu-realtime");
    });

    it("names logs and the Athena results prefix", () => {
        expect(firehoseLogGroupName("clickstream-clicks_1m")).to.equal("/aws/kinesisfirehose/clickstream-clicks_1m");
        expect(FIREHOSE_LOG_STREAM).to.equal("DestinationDelivery");
        expect(ATHENA_RESULTS_PREFIX).to.equal("athena-results/");
    });
});
