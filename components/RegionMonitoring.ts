import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { lagMetric, metricAlarmArgs, MonitoredApp, MSF_NAMESPACE, REGION_ALARM_DEFAULTS, regionAlarmSpecs } from "../lib/alarms";

import { AccountScope } from "../lib/iam/documents";
import { alarmName, stackPrefix, StackId } from "../lib/naming";
import { currentStackId } from "../lib/pulumi-config";
import { alarmTopic } from "./alarm-topic";

export interface RegionMonitoringArgs {
    readonly region: string;
    readonly scope: pulumi.Input<AccountScope>;
    /** KMS key that encrypts the alarm topic (its key policy lets CloudWatch and SNS use it). */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Email addresses subscribed to the alarm topic. Default none. */
    readonly alarmEmails?: string[];
    readonly apps: MonitoredApp[];
    /** Streams this stack created: write-throttling alarms. */
    readonly createdStreams: string[];
    /** Every Kinesis source stream (created and attached): "records in" on the dashboard. */
    readonly sourceStreams: string[];
    /** The delivery streams of `mode: firehose` sources: "records in" on the dashboard. Default none. */
    readonly deliveryStreams?: string[];
    /** Project and stack: the topic, alarm and dashboard names (lib/naming.ts). Default the running stack's. */
    readonly stackId?: StackId;
    /** Lag threshold in milliseconds. Default 60000. */
    readonly lagThresholdMs?: number;
}

/**
 * Alarms and the CloudWatch dashboard of a region stack, with one KMS-encrypted SNS topic that every
 * alarm notifies (subscriptions from `clickstream:alarmEmails`). Thresholds and what to do when an alarm
 * fires: docs/REGION.md.
 */
export class RegionMonitoring extends pulumi.ComponentResource {
    public readonly topic: aws.sns.Topic;
    public readonly alarms: aws.cloudwatch.MetricAlarm[];
    public readonly dashboard: aws.cloudwatch.Dashboard;

    constructor(name: string, args: RegionMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clickstream:index:RegionMonitoring", name, {}, opts);
        const lagThresholdMs = args.lagThresholdMs ?? REGION_ALARM_DEFAULTS.lagThresholdMs;

        const stackId = args.stackId ?? currentStackId();
        // The topic was auto-named until 2026-11: naming it replaces it, and its subscriptions with it (CHANGELOG.md).
        this.topic = alarmTopic(name, { stackId, scope: args.scope, kmsKeyArn: args.kmsKeyArn, emails: args.alarmEmails ?? [] }, this);

        this.alarms = regionAlarmSpecs({ apps: args.apps, createdStreams: args.createdStreams, lagThresholdMs }).map(
            (spec) =>
                new aws.cloudwatch.MetricAlarm(`${name}-${spec.id}`, metricAlarmArgs(spec, alarmName(stackId, spec.id), this.topic.arn), { parent: this }),
        );

        this.dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            {
                dashboardName: stackPrefix(stackId),
                dashboardBody: pulumi.jsonStringify(
                    regionDashboardBody({
                        region: args.region,
                        apps: args.apps,
                        sourceStreams: args.sourceStreams,
                        deliveryStreams: args.deliveryStreams,
                        createdStreams: args.createdStreams,
                        lagThresholdMs,
                    }),
                ),
            },
            { parent: this },
        );

        this.registerOutputs({ topicArn: this.topic.arn, dashboardName: this.dashboard.dashboardName });
    }
}

type DashboardMetric = (string | { stat?: string; label?: string })[];

/** The dashboard body: records in, app lag, records out, downtime, checkpoints, restarts, write throttling. Pure. */
export function regionDashboardBody(args: {
    region: string;
    apps: MonitoredApp[];
    sourceStreams: string[];
    deliveryStreams?: string[];
    createdStreams: string[];
    lagThresholdMs: number;
}): Record<string, unknown> {
    const perApp = (metric: string, stat: string): DashboardMetric[] =>
        args.apps.map((a) => [MSF_NAMESPACE, metric, "Application", a.applicationName, { stat, label: a.name }]);
    const lag = args.apps.flatMap((a) => {
        const m = lagMetric(a);
        return m ? [[m.namespace, m.metricName, ...Object.entries(m.dimensions).flat(), { stat: "Maximum", label: a.name }]] : [];
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
            "Records in (Kinesis and Firehose IncomingRecords, sum/min)",
            [
                ...args.sourceStreams.map((s) => ["AWS/Kinesis", "IncomingRecords", "StreamName", s, { stat: "Sum", label: s }]),
                ...(args.deliveryStreams ?? []).map((d) => ["AWS/Firehose", "IncomingRecords", "DeliveryStreamName", d, { stat: "Sum", label: d }]),
            ],
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
