/** Every alarm of both stacks as specs (lib/alarms.ts): metrics, dimensions, thresholds, and the alarm arguments. */
import { expect } from "chai";
import { freshnessThresholdSeconds, lakeAlarmSpecs, metricAlarmArgs, regionAlarmSpecs } from "../lib/alarms";

describe("region alarms", () => {
    it("region alarms as specs: four per app, the lag from Kinesis's metrics by read mode, one per created stream", () => {
        const specs = regionAlarmSpecs({
            apps: [
                { name: "web", applicationName: "clickstream-eu-web", streamName: "w", readMode: "POLLING" },
                { name: "mob", applicationName: "clickstream-eu-mob", streamName: "m", readMode: "EFO", consumerName: "clickstream-eu-mob" },
            ],
            createdStreams: ["w"],
            lagThresholdMs: 60000,
        });
        expect(
            specs.map((s) => [
                s.id,
                s.metric.namespace,
                s.metric.metricName,
                s.metric.dimensions,
                s.metric.statistic,
                s.metric.period,
                s.rate?.label ?? null,
                s.threshold,
                s.evaluationPeriods,
            ]),
        ).to.deep.equal([
            ["web-downtime", "AWS/KinesisAnalytics", "downtime", { Application: "clickstream-eu-web" }, "Average", 60, null, 0, 1],
            [
                "web-failed-checkpoints",
                "AWS/KinesisAnalytics",
                "numberOfFailedCheckpoints",
                { Application: "clickstream-eu-web" },
                "Maximum",
                300,
                "failed checkpoints per second",
                0,
                1,
            ],
            ["web-restarts", "AWS/KinesisAnalytics", "fullRestarts", { Application: "clickstream-eu-web" }, "Maximum", 300, "restarts per second", 0, 1],
            ["web-lag", "AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", { StreamName: "w" }, "Maximum", 60, null, 60000, 5],
            ["mob-downtime", "AWS/KinesisAnalytics", "downtime", { Application: "clickstream-eu-mob" }, "Average", 60, null, 0, 1],
            [
                "mob-failed-checkpoints",
                "AWS/KinesisAnalytics",
                "numberOfFailedCheckpoints",
                { Application: "clickstream-eu-mob" },
                "Maximum",
                300,
                "failed checkpoints per second",
                0,
                1,
            ],
            ["mob-restarts", "AWS/KinesisAnalytics", "fullRestarts", { Application: "clickstream-eu-mob" }, "Maximum", 300, "restarts per second", 0, 1],
            [
                "mob-lag",
                "AWS/Kinesis",
                "SubscribeToShardEvent.MillisBehindLatest",
                { StreamName: "m", ConsumerName: "clickstream-eu-mob" },
                "Maximum",
                60,
                null,
                60000,
                5,
            ],
            ["w-write-throttled", "AWS/Kinesis", "WriteProvisionedThroughputExceeded", { StreamName: "w" }, "Sum", 300, null, 0, 1],
        ]);
        expect(metricAlarmArgs(specs[2], "clickstream-eu-web-restarts", "topic")).to.deep.equal({
            name: "clickstream-eu-web-restarts",
            alarmDescription: specs[2].description,
            metricQueries: [
                {
                    id: "counter",
                    metric: {
                        namespace: "AWS/KinesisAnalytics",
                        metricName: "fullRestarts",
                        dimensions: { Application: "clickstream-eu-web" },
                        stat: "Maximum",
                        period: 300,
                    },
                    returnData: false,
                },
                { id: "increase", expression: "RATE(counter)", label: "restarts per second", returnData: true },
            ],
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            threshold: 0,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            alarmActions: ["topic"],
            okActions: ["topic"],
        });
    });
});

describe("lake alarms", () => {
    it("data freshness alarms at twice the buffer interval plus five minutes", () => {
        expect(freshnessThresholdSeconds(60)).to.equal(420);
        expect(freshnessThresholdSeconds(300)).to.equal(900);
        expect(freshnessThresholdSeconds(0)).to.equal(300);
    });

    it("three alarms per Firehose and one for the registrar", () => {
        const specs = lakeAlarmSpecs({ firehoses: [{ output: "a", deliveryStreamName: "x-a" }], bufferIntervalSeconds: 120, registrarFunctionName: "reg" });
        expect(
            specs.map((s) => [
                s.id,
                s.metric.namespace,
                s.metric.metricName,
                s.metric.statistic,
                s.threshold,
                s.metric.period,
                s.evaluationPeriods,
                s.metric.dimensions,
            ]),
        ).to.deep.equal([
            ["a-data-freshness", "AWS/Firehose", "DeliveryToS3.DataFreshness", "Maximum", 540, 300, 2, { DeliveryStreamName: "x-a" }],
            ["a-failed-conversion", "AWS/Firehose", "FailedConversion.Records", "Sum", 0, 300, 1, { DeliveryStreamName: "x-a" }],
            ["a-throttled", "AWS/Firehose", "ThrottledRecords", "Sum", 0, 300, 1, { DeliveryStreamName: "x-a" }],
            ["partition-registrar-errors", "AWS/Lambda", "Errors", "Sum", 0, 900, 1, { FunctionName: "reg" }],
        ]);
        for (const s of specs) {
            expect(s.comparisonOperator).to.equal("GreaterThanThreshold");
            expect(s.treatMissingData).to.equal("notBreaching");
            expect(s.description).to.match(/Runbook: docs\/LAKE\.md#[a-z-]+$/);
        }
    });
});
