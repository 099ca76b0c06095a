import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { freshnessThresholdSeconds, LakeAlarmInputs, lakeAlarmSpecs, metricAlarmArgs } from "../lib/alarms";

import { AccountScope } from "../lib/iam/documents";
import { alarmName, stackPrefix, StackId } from "../lib/naming";
import { currentStackId } from "../lib/pulumi-config";
import { alarmTopic } from "./alarm-topic";

export interface LakeMonitoringArgs extends LakeAlarmInputs {
    readonly region: string;
    readonly scope: pulumi.Input<AccountScope>;
    /** The lake key; encrypts the alarm topic. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Email addresses subscribed to the topic (each must confirm). Default none. */
    readonly alarmEmails?: string[];
    /** Project and stack: the topic, alarm and dashboard names (lib/naming.ts). Default the running stack's. */
    readonly stackId?: StackId;
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
        const stackId = args.stackId ?? currentStackId();
        this.topic = alarmTopic(
            name,
            // Until 2026-11 the lake's subscriptions were keyed by position as `<name>-email-<i>`.
            { stackId, scope: args.scope, kmsKeyArn: args.kmsKeyArn, emails: args.alarmEmails ?? [], formerSubscriptionName: (i) => `${name}-email-${i}` },
            this,
        );
        this.topicArn = this.topic.arn;
        this.alarms = lakeAlarmSpecs(args).map(
            (s) => new aws.cloudwatch.MetricAlarm(`${name}-${s.id}`, metricAlarmArgs(s, alarmName(stackId, s.id), this.topic.arn), { parent: this }),
        );
        this.dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            { dashboardName: stackPrefix(stackId), dashboardBody: JSON.stringify(lakeDashboardBody(args)) },
            { parent: this },
        );
        this.registerOutputs({ topicArn: this.topicArn });
    }
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
            widget(
                12,
                12,
                "Partition registrar",
                [
                    ["AWS/Lambda", "Invocations", "FunctionName", a.registrarFunctionName, { stat: "Sum" }],
                    ["AWS/Lambda", "Errors", "FunctionName", a.registrarFunctionName, { stat: "Sum" }],
                ],
                { period: 900 },
            ),
        ],
    };
}
