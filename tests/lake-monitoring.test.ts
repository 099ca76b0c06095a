import { expect } from "chai";
import { LakeMonitoring, lakeDashboardBody } from "../components/LakeMonitoring";
import { alarmTopicPolicy } from "../lib/iam/documents";
import { lakeConfig, writeFixtureSql } from "./lake-fixtures";
import { all, evaluateLake, KEY_ARN, one } from "./lake-helpers";
import { resetResources, resourcesOfType, settle } from "./mocks";

const TOPIC = "arn:aws:sns:eu-central-1:123456789012:clickstream-test-alarms";

describe("lake monitoring in the stack", function () {
    this.timeout(60_000);
    before(async () => {
        await evaluateLake(lakeConfig(), writeFixtureSql());
    });

    it("one KMS-encrypted SNS topic with the configured email subscriptions", () => {
        expect(one("aws:sns/topic:Topic", "lake-monitoring-alarms").inputs).to.deep.equal({ name: "clickstream-test-alarms", kmsMasterKeyId: KEY_ARN });
        expect(all("aws:sns/topicSubscription:TopicSubscription").map((s) => s.inputs)).to.deep.equal([
            { topic: TOPIC, protocol: "email", endpoint: "data-platform-oncall@example.com" },
        ]);
    });

    it("alarms: exact metric, threshold and actions on ALARM and OK", () => {
        const alarms = all("aws:cloudwatch/metricAlarm:MetricAlarm");
        expect(alarms.map((a) => a.name)).to.deep.equal([
            "lake-monitoring-clicks_1m-data-freshness",
            "lake-monitoring-clicks_1m-failed-conversion",
            "lake-monitoring-clicks_1m-throttled",
            "lake-monitoring-revenue_1m-data-freshness",
            "lake-monitoring-revenue_1m-failed-conversion",
            "lake-monitoring-revenue_1m-throttled",
            "lake-monitoring-partition-registrar-errors",
        ]);
        for (const a of alarms) {
            expect(a.inputs.alarmActions, a.name).to.deep.equal([TOPIC]);
            expect(a.inputs.okActions, a.name).to.deep.equal([TOPIC]);
        }
        const { alarmDescription, ...freshness } = one("aws:cloudwatch/metricAlarm:MetricAlarm", "lake-monitoring-clicks_1m-data-freshness").inputs;
        expect(freshness).to.deep.equal({
            name: "clickstream-test-clicks_1m-data-freshness",
            namespace: "AWS/Firehose",
            metricName: "DeliveryToS3.DataFreshness",
            dimensions: { DeliveryStreamName: "clickstream-clicks_1m" },
            statistic: "Maximum",
            period: 300,
            evaluationPeriods: 2,
            datapointsToAlarm: 2,
            threshold: 420,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [TOPIC],
            okActions: [TOPIC],
        });
        expect(alarmDescription).to.contain("docs/LAKE.md#data-freshness");
        const registrar = one("aws:cloudwatch/metricAlarm:MetricAlarm", "lake-monitoring-partition-registrar-errors").inputs;
        expect([registrar.namespace, registrar.metricName, registrar.dimensions, registrar.threshold, registrar.statistic]).to.deep.equal([
            "AWS/Lambda",
            "Errors",
            { FunctionName: "clickstream-test-partition-registrar" },
            0,
            "Sum",
        ]);
        const failed = one("aws:cloudwatch/metricAlarm:MetricAlarm", "lake-monitoring-revenue_1m-failed-conversion").inputs;
        expect([failed.metricName, failed.dimensions, failed.threshold]).to.deep.equal([
            "FailedConversion.Records",
            { DeliveryStreamName: "clickstream-revenue_1m" },
            0,
        ]);
        const throttled = one("aws:cloudwatch/metricAlarm:MetricAlarm", "lake-monitoring-revenue_1m-throttled").inputs;
        expect([throttled.metricName, throttled.dimensions, throttled.threshold]).to.deep.equal([
            "ThrottledRecords",
            { DeliveryStreamName: "clickstream-revenue_1m" },
            0,
        ]);
    });

    it("dashboard: delivered per output, records in, failed conversions, freshness, throttling, registrar", () => {
        const dashboard = one("aws:cloudwatch/dashboard:Dashboard", "lake-monitoring-dashboard").inputs;
        expect(dashboard.dashboardName).to.equal("clickstream-test");
        const body = JSON.parse(dashboard.dashboardBody);
        expect(body).to.deep.equal(
            lakeDashboardBody({
                region: "eu-central-1",
                bufferIntervalSeconds: 60,
                registrarFunctionName: "clickstream-test-partition-registrar",
                firehoses: [
                    { output: "clicks_1m", deliveryStreamName: "clickstream-clicks_1m" },
                    { output: "revenue_1m", deliveryStreamName: "clickstream-revenue_1m" },
                ],
            }),
        );
        const titles = body.widgets.map((w: { properties: { title: string } }) => w.properties.title);
        expect(titles).to.deep.equal([
            "Records delivered to S3 per output",
            "Records in per output (Direct PUT)",
            "Failed conversion records (to errors/)",
            "Data freshness (s)",
            "Throttled records",
            "Partition registrar",
        ]);
        expect(body.widgets[0].properties.metrics).to.deep.equal([
            ["AWS/Firehose", "DeliveryToS3.Records", "DeliveryStreamName", "clickstream-clicks_1m", { label: "clicks_1m", stat: "Sum" }],
            ["AWS/Firehose", "DeliveryToS3.Records", "DeliveryStreamName", "clickstream-revenue_1m", { label: "revenue_1m", stat: "Sum" }],
        ]);
        expect(body.widgets[3].properties.annotations).to.deep.equal({ horizontal: [{ label: "alarm", value: 420 }] });
    });
});

describe("LakeMonitoring on its own: the alarm topic and its subscriptions", function () {
    this.timeout(30_000);
    const SCOPE = { partition: "aws", region: "eu-central-1", accountId: "123456789012" };
    const build = async (alarmEmails: string[]) => {
        resetResources();
        new LakeMonitoring("mon", {
            region: "eu-central-1",
            scope: SCOPE,
            kmsKeyArn: "arn:aws:kms:eu-central-1:123456789012:key/k",
            alarmEmails,
            stackId: { project: "acme", stack: "lake2" },
            firehoses: [{ output: "clicks_1m", deliveryStreamName: "acme-clicks_1m" }],
            bufferIntervalSeconds: 60,
            registrarFunctionName: "acme-lake2-partition-registrar",
        });
        await settle();
        return resourcesOfType("aws:sns/topicSubscription:TopicSubscription").map((s) => ({ name: s.name, endpoint: s.inputs.endpoint, aliases: s.aliases }));
    };

    it("names the topic, alarms and dashboard after project and stack, and lets only this account's alarms publish", async () => {
        await build([]);
        expect(resourcesOfType("aws:sns/topic:Topic").map((t) => t.inputs.name)).to.deep.equal(["acme-lake2-alarms"]);
        expect(resourcesOfType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs.name)).to.deep.equal([
            "acme-lake2-clicks_1m-data-freshness",
            "acme-lake2-clicks_1m-failed-conversion",
            "acme-lake2-clicks_1m-throttled",
            "acme-lake2-partition-registrar-errors",
        ]);
        expect(resourcesOfType("aws:cloudwatch/dashboard:Dashboard").map((d) => d.inputs.dashboardName)).to.deep.equal(["acme-lake2"]);
        const [policy] = resourcesOfType("aws:sns/topicPolicy:TopicPolicy");
        expect(JSON.parse(policy.inputs.policy)).to.deep.equal(alarmTopicPolicy(SCOPE, "arn:aws:sns:eu-central-1:123456789012:acme-lake2-alarms"));
    });

    it("keys each e-mail subscription by address: removing the first address leaves the others' names as they were", async () => {
        expect(await build(["a@example.com", "b@example.com"])).to.deep.equal([
            // The aliases adopt the subscriptions made when they were keyed by position (no new confirmation mail).
            { name: "mon-alarms-email-a@example.com", endpoint: "a@example.com", aliases: ["mon-email-0"] },
            { name: "mon-alarms-email-b@example.com", endpoint: "b@example.com", aliases: ["mon-email-1"] },
        ]);
        expect((await build(["b@example.com"])).map((s) => s.name)).to.deep.equal(["mon-alarms-email-b@example.com"]);
    });
});
