/**
 * CloudWatch alarms as plain data: each stack's monitoring component lists its alarms as specs (tested
 * directly, counted by the cost estimate) and maps them to `aws.cloudwatch.MetricAlarm` arguments here.
 */

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
