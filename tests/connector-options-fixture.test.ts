/**
 * The connector options that the runner's Java tests plan against the real Kinesis and Firehose table
 * factories (runner/src/test/resources/connector-options.json) are generated from the functions of
 * lib/connector-options.ts, never copied by hand: this test regenerates the file's content for a fixed
 * set of named cases and fails when the committed file differs. After changing lib/connector-options.ts
 * or the cases below, rewrite the file and run the runner's tests on it:
 *
 *     UPDATE_FIXTURES=1 npx mocha --grep 'connector options fixture'
 *     mvn -B -ntp -f runner/pom.xml test
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import {
    FirehoseObjectsSourceArgs,
    firehoseObjectsSourceOptions,
    FirehoseSinkArgs,
    firehoseSinkOptions,
    KinesisSourceArgs,
    kinesisSourceOptions,
    localEndpointOverrides,
    pollIntervalMs,
} from "../lib/connector-options";

const FIXTURE = path.resolve(__dirname, "..", "runner", "src", "test", "resources", "connector-options.json");
const RELATIVE = path.relative(path.resolve(__dirname, ".."), FIXTURE);
const UPDATE_COMMAND = "UPDATE_FIXTURES=1 npx mocha --grep 'connector options fixture'";

const STREAM = "clickstream-eu";
const CONSUMER_ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/clickstream-eu/consumer/clickstream-realtime:1700000000";

type FixtureCase =
    | { function: "kinesisSourceOptions"; args: KinesisSourceArgs }
    | { function: "firehoseSinkOptions"; args: FirehoseSinkArgs }
    | { function: "firehoseObjectsSourceOptions"; args: FirehoseObjectsSourceArgs }
    | { function: "localEndpointOverrides"; args: { endpoint: string } };

/** The named cases; the Java tests read them by name (ConnectorOptionsFixture). */
const CASES: Record<string, FixtureCase> = {
    "kinesis-polling-created-stream": { function: "kinesisSourceOptions", args: { streamName: STREAM, region: "eu-west-1", readMode: "POLLING" } },
    "kinesis-efo-attached-stream": {
        function: "kinesisSourceOptions",
        args: { streamName: STREAM, region: "eu-west-1", readMode: "EFO", consumerArn: CONSUMER_ARN },
    },
    "kinesis-at-timestamp": {
        function: "kinesisSourceOptions",
        args: { streamName: STREAM, region: "eu-west-1", readMode: "POLLING", startPosition: "AT_TIMESTAMP", startTimestamp: "2026-11-27T10:00:00+01:00" },
    },
    "kinesis-polling-interval": {
        // Two apps polling one stream share its GetRecords limit.
        function: "kinesisSourceOptions",
        args: { streamName: STREAM, region: "eu-west-1", readMode: "POLLING", pollIntervalMs: pollIntervalMs(2) },
    },
    "firehose-objects-source": {
        // What Pulumi.eu.yaml's checkout source deploys (startPosition defaults to LATEST).
        function: "firehoseObjectsSourceOptions",
        args: { bucket: "legacy-clicks-eu", prefix: "clicks/", compression: "GZIP", recordSeparator: "none", discoveryIntervalSeconds: 30 },
    },
    "firehose-objects-at-timestamp": {
        function: "firehoseObjectsSourceOptions",
        args: {
            bucket: "legacy-clicks-eu",
            prefix: "clicks/",
            compression: "NONE",
            recordSeparator: "newline",
            discoveryIntervalSeconds: 60,
            startPosition: "AT_TIMESTAMP",
            startTimestamp: "2026-11-27T10:00:00+01:00",
        },
    },
    "firehose-sink": { function: "firehoseSinkOptions", args: { deliveryStreamName: "clickstream-clicks_1m", region: "eu-central-1" } },
    "local-kinesis-endpoint": { function: "localEndpointOverrides", args: { endpoint: "http://127.0.0.1:4567" } },
    "local-firehose-endpoint": { function: "localEndpointOverrides", args: { endpoint: "http://127.0.0.1:4573" } },
};

function optionsOf(c: FixtureCase): Record<string, string> {
    switch (c.function) {
        case "kinesisSourceOptions":
            return kinesisSourceOptions(c.args);
        case "firehoseSinkOptions":
            return firehoseSinkOptions(c.args);
        case "firehoseObjectsSourceOptions":
            return firehoseObjectsSourceOptions(c.args);
        case "localEndpointOverrides":
            return localEndpointOverrides(c.args.endpoint);
    }
}

/** The file's content: pretty JSON, one trailing newline. */
export function connectorOptionsFixture(): string {
    const cases: Record<string, FixtureCase & { options: Record<string, string> }> = {};
    for (const [name, c] of Object.entries(CASES)) cases[name] = { ...c, options: optionsOf(c) };
    const doc = {
        comment: `Generated from lib/connector-options.ts by tests/connector-options-fixture.test.ts; do not edit. Rewrite: ${UPDATE_COMMAND}`,
        cases,
    };
    return JSON.stringify(doc, null, 2) + "\n";
}

describe("connector options fixture of the runner's tests", () => {
    it(`${RELATIVE} is what lib/connector-options.ts writes for each case`, () => {
        const expected = connectorOptionsFixture();
        if (process.env.UPDATE_FIXTURES === "1") fs.writeFileSync(FIXTURE, expected);
        const committed = fs.existsSync(FIXTURE) ? fs.readFileSync(FIXTURE, "utf8") : "";
        expect(committed, `${RELATIVE} is stale: rewrite it with ${UPDATE_COMMAND}`).to.equal(expected);
    });
});
