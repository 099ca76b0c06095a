/** CloudWatch: log groups expire and are encrypted; alarms notify someone. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { MANDATORY, Rule, asArray, present } from "./util";

export const logGroupRetention: Rule = {
    name: "cloudwatch-log-group-retention",
    description: "CloudWatch log groups have a retention period (Checkov CKV_AWS_66; Security Hub CloudWatch.16).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _args, report) => {
        // 0 or unset means "never expire".
        if (!group.retentionInDays || group.retentionInDays <= 0) {
            report("retentionInDays is not set (logs never expire); set a retention period");
        }
    }),
};

export const logGroupKms: Rule = {
    name: "cloudwatch-log-group-kms",
    description: "CloudWatch log groups are encrypted with a KMS key (Checkov CKV_AWS_158).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _args, report) => {
        if (!present(group.kmsKeyId)) {
            report("kmsKeyId is not set; encrypt the log group with a KMS key (CKV_AWS_158)");
        }
    }),
};

function checkActions(alarm: { actionsEnabled?: boolean; alarmActions?: unknown }, report: (m: string) => void): void {
    if (alarm.actionsEnabled === false) {
        report("actionsEnabled is false; alarms must notify (CloudWatch.15)");
        return;
    }
    if (asArray(alarm.alarmActions as unknown[] | undefined).length === 0) {
        report("alarmActions is empty; send the alarm to the stack's SNS topic (CloudWatch.15)");
    }
}

export const metricAlarmActions: Rule = {
    name: "cloudwatch-alarm-actions",
    description: "CloudWatch metric alarms have alarm actions and actions enabled (Security Hub CloudWatch.15).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.cloudwatch.MetricAlarm, (alarm, _args, report) => checkActions(alarm, report)),
};

export const compositeAlarmActions: Rule = {
    name: "cloudwatch-composite-alarm-actions",
    description: "CloudWatch composite alarms have alarm actions and actions enabled (Security Hub CloudWatch.15).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.cloudwatch.CompositeAlarm, (alarm, _args, report) => checkActions(alarm, report)),
};

export const cloudwatchRules: Rule[] = [logGroupRetention, logGroupKms, metricAlarmActions, compositeAlarmActions];
