/**
 * Every CloudWatch alarm of both stacks as plain data (pure functions): `regionAlarmSpecs` and
 * `lakeAlarmSpecs` list them, the monitoring components create one `aws.cloudwatch.MetricAlarm` per spec
 * through `metricAlarmArgs`, tests assert them exactly and the cost estimate counts them.
 */
import { AppConfig } from "./config";

/** The metric an alarm watches. */
export interface AlarmMetric {
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    statistic: "Sum" | "Maximum" | "Average";
    period: number;
}

/** One CloudWatch alarm, as plain data. */
export interface AlarmSpec {
    /** Logical suffix and alarm name suffix. */
    id: string;
    description: string;
    metric: AlarmMetric;
    /**
     * For a metric that counts since the job started (failed checkpoints, restarts): the alarm watches
     * `RATE(metric)` instead, so that it fires on an increase and clears afterwards.
     */
    rate?: { label: string };
    evaluationPeriods: number;
    datapointsToAlarm: number;
    threshold: number;
    comparisonOperator: "GreaterThanThreshold";
    /** Idle is healthy: a paused app or a quiet Firehose emits no datapoints. */
    treatMissingData: "notBreaching";
}

/** The `aws.cloudwatch.MetricAlarm` arguments of a spec, notifying `topicArn` on ALARM and on OK. Pure. */
export function metricAlarmArgs<T>(spec: AlarmSpec, name: string, topicArn: T) {
    const m = spec.metric;
    const target = spec.rate
        ? {
              metricQueries: [
                  {
                      id: "counter",
                      metric: { namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, stat: m.statistic, period: m.period },
                      returnData: false,
                  },
                  { id: "increase", expression: "RATE(counter)", label: spec.rate.label, returnData: true },
              ],
          }
        : { namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, statistic: m.statistic, period: m.period };
    return {
        name,
        alarmDescription: spec.description,
        ...target,
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.datapointsToAlarm,
        threshold: spec.threshold,
        comparisonOperator: spec.comparisonOperator,
        treatMissingData: spec.treatMissingData,
        alarmActions: [topicArn],
        okActions: [topicArn],
    };
}

// Region stacks: the Managed Flink apps and the streams they read.

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
    /** The stream it reads (for `OBJECTS`, the delivery stream whose S3 objects it reads). */
    streamName: string;
    /**
     * How it reads it: its lag is a metric of the stream (POLLING) or of its consumer (EFO). `OBJECTS`
     * (a Firehose's S3 objects) has no read-position metric, so no lag alarm.
     */
    readMode: "EFO" | "POLLING" | "OBJECTS";
    /** With EFO: the name of its consumer. */
    consumerName?: string;
}

/** The apps as monitoring sees them; `physicalName` gives an app's Managed Flink (and EFO consumer) name. Pure. */
export function monitoredApps(apps: AppConfig[], physicalName: (app: string) => string): MonitoredApp[] {
    return apps.map((a) => ({
        name: a.name,
        applicationName: physicalName(a.name),
        streamName: a.streamName,
        readMode: a.read.readMode,
        ...(a.read.readMode === "EFO" ? { consumerName: physicalName(a.name) } : {}),
    }));
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
export function lagMetric(app: MonitoredApp): AlarmMetric | undefined {
    if (app.readMode === "OBJECTS") return undefined;
    if (app.readMode === "EFO") {
        return {
            namespace: "AWS/Kinesis",
            metricName: "SubscribeToShardEvent.MillisBehindLatest",
            dimensions: { StreamName: app.streamName, ConsumerName: app.consumerName! },
            statistic: "Maximum",
            period: 60,
        };
    }
    return {
        namespace: "AWS/Kinesis",
        metricName: "GetRecords.IteratorAgeMilliseconds",
        dimensions: { StreamName: app.streamName },
        statistic: "Maximum",
        period: 60,
    };
}

/**
 * The region's alarms: per app downtime, failed checkpoints, restarts and (reading Kinesis) lag; one per
 * created stream. Pure.
 */
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
        );
        const lag = lagMetric(app);
        if (lag) {
            specs.push({
                ...common,
                id: `${app.name}-lag`,
                description:
                    `Managed Flink app ${app.applicationName} is more than ${a.lagThresholdMs / 1000} s behind its Kinesis source ${app.streamName} ` +
                    `for ${REGION_ALARM_DEFAULTS.lagEvaluationMinutes} min (${app.readMode === "EFO" ? `consumer ${app.consumerName}` : "any app polling the stream"}). See docs/REGION.md#lag.`,
                metric: lag,
                evaluationPeriods: REGION_ALARM_DEFAULTS.lagEvaluationMinutes,
                datapointsToAlarm: REGION_ALARM_DEFAULTS.lagEvaluationMinutes,
                threshold: a.lagThresholdMs,
            });
        }
    }
    for (const stream of a.createdStreams) {
        specs.push({
            ...common,
            id: `${stream}-write-throttled`,
            description: `Producers are throttled writing to Kinesis stream ${stream} (WriteProvisionedThroughputExceeded > 0). See docs/REGION.md#write-throttling.`,
            metric: {
                namespace: "AWS/Kinesis",
                metricName: "WriteProvisionedThroughputExceeded",
                dimensions: { StreamName: stream },
                statistic: "Sum",
                period: 300,
            },
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            threshold: 0,
        });
    }
    return specs;
}

// The lake stack: the Firehoses and the partition registrar.

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
