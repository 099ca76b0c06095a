/**
 * Alarms and the CloudWatch dashboard of a region stack, with one KMS-encrypted SNS topic that every
 * alarm notifies (subscriptions from `clickstream:alarmEmails`). Thresholds and what to do when an alarm
 * fires: docs/REGION.md.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccountScope, alarmTopicPolicy } from "../lib/iam/region-policies";

/** Managed Flink publishes application metrics here, with dimension `Application`. */
export const MSF_NAMESPACE = "AWS/KinesisAnalytics";

/** Default alarm thresholds (documented in docs/REGION.md). */
export const REGION_ALARM_DEFAULTS = {
    /** `millisBehindLatest` (Maximum) above this for `lagEvaluationMinutes` consecutive minutes. */
    lagThresholdMs: 60_000,
    lagEvaluationMinutes: 5,
} as const;

export interface MonitoredApp {
    /** Config key of the app. */
    name: string;
    /** Physical Managed Flink application name (the `Application` dimension). */
    applicationName: string;
}

export interface RegionMonitoringArgs {
    region: string;
    scope: pulumi.Input<AccountScope>;
    /** KMS key that encrypts the alarm topic (its key policy lets CloudWatch and SNS use it). */
    kmsKeyArn: pulumi.Input<string>;
    /** Email addresses subscribed to the alarm topic. Default none. */
    alarmEmails?: string[];
    apps: MonitoredApp[];
    /** Streams this stack created: write-throttling alarms. */
    createdStreams: string[];
    /** Every source stream (created and attached): "records in" on the dashboard. */
    sourceStreams: string[];
    /** Dashboard name. Default `clickstream-<stack>`. */
    dashboardName?: string;
    /** Lag threshold in milliseconds. Default 60000. */
    lagThresholdMs?: number;
}

type DashboardMetric = (string | { stat?: string; label?: string })[];

/** The dashboard body: records in, app lag, records out, downtime, checkpoints, write throttling. Pure. */
export function regionDashboardBody(args: {
    region: string;
    apps: MonitoredApp[];
    sourceStreams: string[];
    createdStreams: string[];
    lagThresholdMs: number;
}): Record<string, unknown> {
    const perApp = (metric: string, stat: string): DashboardMetric[] =>
        args.apps.map((a) => [MSF_NAMESPACE, metric, "Application", a.applicationName, { stat, label: a.name }]);
    const widget = (title: string, metrics: DashboardMetric[], x: number, y: number, extra: Record<string, unknown> = {}) => ({
        type: "metric",
        x,
        y,
        width: 12,
        height: 6,
        properties: { title, region: args.region, view: "timeSeries", stacked: false, period: 60, metrics, ...extra },
    });
    const widgets = [
        widget(
            "Records in (Kinesis IncomingRecords, sum/min)",
            args.sourceStreams.map((s) => ["AWS/Kinesis", "IncomingRecords", "StreamName", s, { stat: "Sum", label: s }]),
            0,
            0,
        ),
        widget("App lag (millisBehindLatest, max)", perApp("millisBehindLatest", "Maximum"), 12, 0, {
            annotations: { horizontal: [{ label: "lag alarm", value: args.lagThresholdMs }] },
        }),
        widget("Records out (numRecordsOutPerSecond)", perApp("numRecordsOutPerSecond", "Average"), 0, 6),
        widget("Downtime (ms)", perApp("downtime", "Maximum"), 12, 6),
        widget("Failed checkpoints (since start)", perApp("numberOfFailedCheckpoints", "Maximum"), 0, 12),
    ];
    if (args.createdStreams.length > 0) {
        widgets.push(
            widget(
                "Write throttling (WriteProvisionedThroughputExceeded, sum)",
                args.createdStreams.map((s) => ["AWS/Kinesis", "WriteProvisionedThroughputExceeded", "StreamName", s, { stat: "Sum", label: s }]),
                12,
                12,
            ),
        );
    }
    return { widgets };
}

export class RegionMonitoring extends pulumi.ComponentResource {
    public readonly topic: aws.sns.Topic;
    public readonly alarms: aws.cloudwatch.MetricAlarm[];
    public readonly dashboard: aws.cloudwatch.Dashboard;

    constructor(name: string, args: RegionMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clickstream:index:RegionMonitoring", name, {}, opts);
        const lagThresholdMs = args.lagThresholdMs ?? REGION_ALARM_DEFAULTS.lagThresholdMs;

        this.topic = new aws.sns.Topic(`${name}-alarms`, { kmsMasterKeyId: args.kmsKeyArn }, { parent: this });
        new aws.sns.TopicPolicy(
            `${name}-alarms-policy`,
            { arn: this.topic.arn, policy: pulumi.jsonStringify(pulumi.all([args.scope, this.topic.arn]).apply(([s, arn]) => alarmTopicPolicy(s, arn))) },
            { parent: this },
        );
        (args.alarmEmails ?? []).forEach((email, i) => {
            new aws.sns.TopicSubscription(`${name}-alarms-email-${i}`, { topic: this.topic.arn, protocol: "email", endpoint: email }, { parent: this });
        });

        const actions = { alarmActions: [this.topic.arn], okActions: [this.topic.arn] };
        this.alarms = [];
        for (const app of args.apps) {
            const dimensions = { Application: app.applicationName };
            this.alarms.push(
                new aws.cloudwatch.MetricAlarm(
                    `${name}-${app.name}-downtime`,
                    {
                        alarmDescription: `Managed Flink app ${app.applicationName} is down (downtime > 0): it is restarting and not processing. See docs/REGION.md#downtime.`,
                        namespace: MSF_NAMESPACE,
                        metricName: "downtime",
                        dimensions,
                        statistic: "Average",
                        period: 60,
                        evaluationPeriods: 1,
                        threshold: 0,
                        comparisonOperator: "GreaterThanThreshold",
                        // Stopped (season: paused) apps publish nothing: that is not an outage.
                        treatMissingData: "notBreaching",
                        ...actions,
                    },
                    { parent: this },
                ),
                new aws.cloudwatch.MetricAlarm(
                    `${name}-${app.name}-failed-checkpoints`,
                    {
                        alarmDescription: `Managed Flink app ${app.applicationName} failed a checkpoint (numberOfFailedCheckpoints increased). See docs/REGION.md#failed-checkpoints.`,
                        metricQueries: [
                            {
                                id: "failed",
                                metric: { namespace: MSF_NAMESPACE, metricName: "numberOfFailedCheckpoints", dimensions, stat: "Maximum", period: 300 },
                                returnData: false,
                            },
                            // The metric counts failures since the job started; RATE > 0 means a new one.
                            { id: "increase", expression: "RATE(failed)", label: "failed checkpoints per second", returnData: true },
                        ],
                        evaluationPeriods: 1,
                        threshold: 0,
                        comparisonOperator: "GreaterThanThreshold",
                        treatMissingData: "notBreaching",
                        ...actions,
                    },
                    { parent: this },
                ),
                new aws.cloudwatch.MetricAlarm(
                    `${name}-${app.name}-lag`,
                    {
                        alarmDescription: `Managed Flink app ${app.applicationName} is more than ${lagThresholdMs / 1000} s behind its Kinesis source for ${REGION_ALARM_DEFAULTS.lagEvaluationMinutes} min. See docs/REGION.md#lag.`,
                        namespace: MSF_NAMESPACE,
                        metricName: "millisBehindLatest",
                        dimensions,
                        statistic: "Maximum",
                        period: 60,
                        evaluationPeriods: REGION_ALARM_DEFAULTS.lagEvaluationMinutes,
                        datapointsToAlarm: REGION_ALARM_DEFAULTS.lagEvaluationMinutes,
                        threshold: lagThresholdMs,
                        comparisonOperator: "GreaterThanThreshold",
                        treatMissingData: "notBreaching",
                        ...actions,
                    },
                    { parent: this },
                ),
            );
        }
        for (const stream of args.createdStreams) {
            this.alarms.push(
                new aws.cloudwatch.MetricAlarm(
                    `${name}-${stream}-write-throttled`,
                    {
                        alarmDescription: `Producers are throttled writing to Kinesis stream ${stream} (WriteProvisionedThroughputExceeded > 0). See docs/REGION.md#write-throttling.`,
                        namespace: "AWS/Kinesis",
                        metricName: "WriteProvisionedThroughputExceeded",
                        dimensions: { StreamName: stream },
                        statistic: "Sum",
                        period: 300,
                        evaluationPeriods: 1,
                        threshold: 0,
                        comparisonOperator: "GreaterThanThreshold",
                        treatMissingData: "notBreaching",
                        ...actions,
                    },
                    { parent: this },
                ),
            );
        }

        this.dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            {
                dashboardName: args.dashboardName ?? `clickstream-${pulumi.getStack()}`,
                dashboardBody: pulumi.jsonStringify(
                    regionDashboardBody({ region: args.region, apps: args.apps, sourceStreams: args.sourceStreams, createdStreams: args.createdStreams, lagThresholdMs }),
                ),
            },
            { parent: this },
        );

        this.registerOutputs({ topicArn: this.topic.arn, dashboardName: this.dashboard.dashboardName });
    }
}
