import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmSpec, metricAlarmArgs } from "../lib/alarms";

export { AlarmSpec };

export interface LakeAlarmInputs {
    /** Output name → Firehose delivery stream name. */
    firehoses: { output: string; deliveryStreamName: string }[];
    /** The Firehoses' buffering interval, in seconds. */
    bufferIntervalSeconds: number;
    registrarFunctionName: string;
}

/**
 * Data freshness threshold: twice the buffering interval plus five minutes of slack for S3 and
 * conversion. Beyond it, records are waiting in Firehose because delivery is failing or slowed.
 */
export function freshnessThresholdSeconds(bufferIntervalSeconds: number): number {
    return 2 * bufferIntervalSeconds + 300;
}

/** The lake's alarms: three per Firehose, one for the partition registrar. */
export function lakeAlarmSpecs(a: LakeAlarmInputs): AlarmSpec[] {
    const common = { comparisonOperator: "GreaterThanThreshold", treatMissingData: "notBreaching" } as const;
    const specs: AlarmSpec[] = [];
    for (const f of a.firehoses) {
        const dimensions = { DeliveryStreamName: f.deliveryStreamName };
        specs.push(
            {
                ...common,
                id: `${f.output}-data-freshness`,
                description: `${f.output}: the oldest record in Firehose ${f.deliveryStreamName} is older than ${freshnessThresholdSeconds(a.bufferIntervalSeconds)} s (2 x buffer interval + 300 s) for 10 minutes; S3 delivery is failing or slow. Runbook: docs/LAKE.md#data-freshness`,
                metric: { namespace: "AWS/Firehose", metricName: "DeliveryToS3.DataFreshness", dimensions, statistic: "Maximum", period: 300 },
                evaluationPeriods: 2,
                datapointsToAlarm: 2,
                threshold: freshnessThresholdSeconds(a.bufferIntervalSeconds),
            },
            {
                ...common,
                id: `${f.output}-failed-conversion`,
                description: `${f.output}: Firehose ${f.deliveryStreamName} could not convert records to Parquet; they are under errors/${f.output}/format-conversion-failed/. Runbook: docs/LAKE.md#failed-conversion`,
                metric: { namespace: "AWS/Firehose", metricName: "FailedConversion.Records", dimensions, statistic: "Sum", period: 300 },
                evaluationPeriods: 1,
                datapointsToAlarm: 1,
                threshold: 0,
            },
            {
                ...common,
                id: `${f.output}-throttled`,
                description: `${f.output}: Firehose ${f.deliveryStreamName} throttled records (ingestion above its quota); Flink retries, but lag grows. Runbook: docs/LAKE.md#throttling`,
                metric: { namespace: "AWS/Firehose", metricName: "ThrottledRecords", dimensions, statistic: "Sum", period: 300 },
                evaluationPeriods: 1,
                datapointsToAlarm: 1,
                threshold: 0,
            },
        );
    }
    specs.push({
        ...common,
        id: "partition-registrar-errors",
        description: `Partition registrar ${a.registrarFunctionName} failed; Redshift Spectrum may not see new hours. Runbook: docs/LAKE.md#partition-registration`,
        metric: { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: a.registrarFunctionName }, statistic: "Sum", period: 900 },
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        threshold: 0,
    });
    return specs;
}

/** The lake dashboard: delivery per output, failed conversions, freshness, and the registrar. */
export function lakeDashboardBody(a: LakeAlarmInputs & { region: string }): object {
    const perStream = (metric: string, stat: string) =>
        a.firehoses.map((f) => ["AWS/Firehose", metric, "DeliveryStreamName", f.deliveryStreamName, { label: f.output, stat }]);
    const widget = (x: number, y: number, title: string, metrics: unknown[], extra: object = {}) => ({
        type: "metric",
        x,
        y,
        width: 12,
        height: 6,
        properties: { title, region: a.region, view: "timeSeries", stacked: false, period: 60, metrics, ...extra },
    });
    return {
        widgets: [
            widget(0, 0, "Records delivered to S3 per output", perStream("DeliveryToS3.Records", "Sum")),
            widget(12, 0, "Records in per output (Direct PUT)", perStream("IncomingRecords", "Sum")),
            widget(0, 6, "Failed conversion records (to errors/)", perStream("FailedConversion.Records", "Sum")),
            widget(12, 6, "Data freshness (s)", perStream("DeliveryToS3.DataFreshness", "Maximum"), {
                annotations: { horizontal: [{ label: "alarm", value: freshnessThresholdSeconds(a.bufferIntervalSeconds) }] },
            }),
            widget(0, 12, "Throttled records", perStream("ThrottledRecords", "Sum")),
            widget(12, 12, "Partition registrar", [
                ["AWS/Lambda", "Invocations", "FunctionName", a.registrarFunctionName, { stat: "Sum" }],
                ["AWS/Lambda", "Errors", "FunctionName", a.registrarFunctionName, { stat: "Sum" }],
            ], { period: 900 }),
        ],
    };
}

export interface LakeMonitoringArgs extends LakeAlarmInputs {
    region: string;
    /** The lake key; encrypts the alarm topic. */
    kmsKeyArn: pulumi.Input<string>;
    /** Email addresses subscribed to the topic (each must confirm). Default none. */
    alarmEmails?: string[];
    /** Name of the dashboard. Default `clickstream-lake`. */
    dashboardName?: string;
}

/**
 * Alarms for the lake, all notifying one KMS-encrypted SNS topic on ALARM and on OK, and the lake's
 * CloudWatch dashboard.
 */
export class LakeMonitoring extends pulumi.ComponentResource {
    public readonly topic: aws.sns.Topic;
    public readonly topicArn: pulumi.Output<string>;
    public readonly alarms: aws.cloudwatch.MetricAlarm[];
    public readonly dashboard: aws.cloudwatch.Dashboard;

    constructor(name: string, args: LakeMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clickstream:index:LakeMonitoring", name, {}, opts);
        this.topic = new aws.sns.Topic(`${name}-alarms`, { name: "clickstream-lake-alarms", kmsMasterKeyId: args.kmsKeyArn }, { parent: this });
        this.topicArn = this.topic.arn;
        (args.alarmEmails ?? []).forEach(
            (email, i) => new aws.sns.TopicSubscription(`${name}-email-${i}`, { topic: this.topic.arn, protocol: "email", endpoint: email }, { parent: this }),
        );
        this.alarms = lakeAlarmSpecs(args).map(
            (s) => new aws.cloudwatch.MetricAlarm(`${name}-${s.id}`, metricAlarmArgs(s, `clickstream-lake-${s.id}`, this.topic.arn), { parent: this }),
        );
        this.dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            { dashboardName: args.dashboardName ?? "clickstream-lake", dashboardBody: JSON.stringify(lakeDashboardBody(args)) },
            { parent: this },
        );
        this.registerOutputs({ topicArn: this.topicArn });
    }
}
