/**
 * Alarms and the CloudWatch dashboard of a region stack, with one KMS-encrypted SNS topic that every
 * alarm notifies (subscriptions from `clickstream:alarmEmails`). Thresholds and what to do when an alarm
 * fires: docs/REGION.md.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmMetric, AlarmSpec, metricAlarmArgs } from "../lib/alarms";
import { AccountScope, alarmTopicPolicy } from "../lib/iam/region-policies";

/** Managed Flink publishes application metrics here, with dimension `Application`. */
export const MSF_NAMESPACE = "AWS/KinesisAnalytics";

/** Default alarm thresholds (documented in docs/REGION.md). */
export const REGION_ALARM_DEFAULTS = {
    /** The app's read lag (Maximum) above this for `lagEvaluationMinutes` consecutive minutes. */
    lagThresholdMs: 60_000,
    lagEvaluationMinutes: 5,
} as const;

export interface MonitoredApp {
    /** Config key of the app. */
    name: string;
    /** Physical Managed Flink application name (the `Application` dimension). */
    applicationName: string;
    /** The stream it reads. */
    streamName: string;
    /** How it reads it: its lag is a metric of the stream (POLLING) or of its consumer (EFO). */
    readMode: "EFO" | "POLLING";
    /** With EFO: the name of its consumer. */
    consumerName?: string;
}

export interface RegionAlarmInputs {
    apps: MonitoredApp[];
    /** Streams this stack created: write-throttling alarms. */
    createdStreams: string[];
    lagThresholdMs: number;
}

/**
 * How far behind the tip of its stream an app reads, from Kinesis's own metrics (documented dimensions):
 * a polling app, the stream's `GetRecords.IteratorAgeMilliseconds` (the oldest read of any app that
 * polls it); an app with its own consumer, that consumer's `SubscribeToShardEvent.MillisBehindLatest`.
 * Pure.
 */
export function lagMetric(app: MonitoredApp): AlarmMetric {
    if (app.readMode === "EFO") {
        return {
            namespace: "AWS/Kinesis",
            metricName: "SubscribeToShardEvent.MillisBehindLatest",
            dimensions: { StreamName: app.streamName, ConsumerName: app.consumerName! },
            statistic: "Maximum",
            period: 60,
        };
    }
    return { namespace: "AWS/Kinesis", metricName: "GetRecords.IteratorAgeMilliseconds", dimensions: { StreamName: app.streamName }, statistic: "Maximum", period: 60 };
}

/** The region's alarms: four per app (downtime, failed checkpoints, restarts, lag), one per created stream. Pure. */
export function regionAlarmSpecs(a: RegionAlarmInputs): AlarmSpec[] {
    const common = { comparisonOperator: "GreaterThanThreshold", treatMissingData: "notBreaching" } as const;
    const specs: AlarmSpec[] = [];
    for (const app of a.apps) {
        const msf = (metricName: string, statistic: AlarmMetric["statistic"], period: number): AlarmMetric => ({
            namespace: MSF_NAMESPACE,
            metricName,
            dimensions: { Application: app.applicationName },
            statistic,
            period,
        });
        specs.push(
            {
                ...common,
                id: `${app.name}-downtime`,
                description: `Managed Flink app ${app.applicationName} is down (downtime > 0): it is restarting and not processing. See docs/REGION.md#downtime.`,
                metric: msf("downtime", "Average", 60),
                evaluationPeriods: 1,
                datapointsToAlarm: 1,
                threshold: 0,
            },
            {
                ...common,
                id: `${app.name}-failed-checkpoints`,
                description: `Managed Flink app ${app.applicationName} failed a checkpoint (numberOfFailedCheckpoints increased). See docs/REGION.md#failed-checkpoints.`,
                metric: msf("numberOfFailedCheckpoints", "Maximum", 300),
                rate: { label: "failed checkpoints per second" },
                evaluationPeriods: 1,
                datapointsToAlarm: 1,
                threshold: 0,
            },
            {
                ...common,
                id: `${app.name}-restarts`,
                description: `Managed Flink app ${app.applicationName} restarted (fullRestarts increased): a failure, a rollback of a failed update, or maintenance. See docs/REGION.md#restarts.`,
                metric: msf("fullRestarts", "Maximum", 300),
                rate: { label: "restarts per second" },
                evaluationPeriods: 1,
                datapointsToAlarm: 1,
                threshold: 0,
            },
            {
                ...common,
                id: `${app.name}-lag`,
                description:
                    `Managed Flink app ${app.applicationName} is more than ${a.lagThresholdMs / 1000} s behind its Kinesis source ${app.streamName} ` +
                    `for ${REGION_ALARM_DEFAULTS.lagEvaluationMinutes} min (${app.readMode === "EFO" ? `consumer ${app.consumerName}` : "any app polling the stream"}). See docs/REGION.md#lag.`,
                metric: lagMetric(app),
                evaluationPeriods: REGION_ALARM_DEFAULTS.lagEvaluationMinutes,
                datapointsToAlarm: REGION_ALARM_DEFAULTS.lagEvaluationMinutes,
                threshold: a.lagThresholdMs,
            },
        );
    }
    for (const stream of a.createdStreams) {
        specs.push({
            ...common,
            id: `${stream}-write-throttled`,
            description: `Producers are throttled writing to Kinesis stream ${stream} (WriteProvisionedThroughputExceeded > 0). See docs/REGION.md#write-throttling.`,
            metric: { namespace: "AWS/Kinesis", metricName: "WriteProvisionedThroughputExceeded", dimensions: { StreamName: stream }, statistic: "Sum", period: 300 },
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            threshold: 0,
        });
    }
    return specs;
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
    /** Prefix of the alarm names (`<prefix>-<alarm id>`). Default `clickstream-<stack>`. */
    alarmNamePrefix?: string;
    /** Lag threshold in milliseconds. Default 60000. */
    lagThresholdMs?: number;
}

type DashboardMetric = (string | { stat?: string; label?: string })[];

/** The dashboard body: records in, app lag, records out, downtime, checkpoints, restarts, write throttling. Pure. */
export function regionDashboardBody(args: {
    region: string;
    apps: MonitoredApp[];
    sourceStreams: string[];
    createdStreams: string[];
    lagThresholdMs: number;
}): Record<string, unknown> {
    const perApp = (metric: string, stat: string): DashboardMetric[] =>
        args.apps.map((a) => [MSF_NAMESPACE, metric, "Application", a.applicationName, { stat, label: a.name }]);
    const lag = args.apps.map((a) => {
        const m = lagMetric(a);
        return [m.namespace, m.metricName, ...Object.entries(m.dimensions).flat(), { stat: "Maximum", label: a.name }];
    });
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
        widget("App lag (ms behind the stream's tip: iterator age when polling, the consumer's when EFO; max)", lag, 12, 0, {
            annotations: { horizontal: [{ label: "lag alarm", value: args.lagThresholdMs }] },
        }),
        widget("Records out (numRecordsOutPerSecond)", perApp("numRecordsOutPerSecond", "Average"), 0, 6),
        widget("Downtime (ms)", perApp("downtime", "Maximum"), 12, 6),
        widget("Failed checkpoints (since start)", perApp("numberOfFailedCheckpoints", "Maximum"), 0, 12),
        widget("Restarts (since start)", perApp("fullRestarts", "Maximum"), 12, 12),
    ];
    if (args.createdStreams.length > 0) {
        widgets.push(
            widget(
                "Write throttling (WriteProvisionedThroughputExceeded, sum)",
                args.createdStreams.map((s) => ["AWS/Kinesis", "WriteProvisionedThroughputExceeded", "StreamName", s, { stat: "Sum", label: s }]),
                0,
                18,
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

        const prefix = args.alarmNamePrefix ?? `clickstream-${pulumi.getStack()}`;
        this.alarms = regionAlarmSpecs({ apps: args.apps, createdStreams: args.createdStreams, lagThresholdMs }).map(
            (spec) => new aws.cloudwatch.MetricAlarm(`${name}-${spec.id}`, metricAlarmArgs(spec, `${prefix}-${spec.id}`, this.topic.arn), { parent: this }),
        );

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
