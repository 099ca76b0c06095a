import { expect } from "chai";
import { compositeAlarmActions, logGroupKms, logGroupRetention, metricAlarmActions } from "../../policy/rules/cloudwatch";
import { iamNoWildcardActions, iamNoWildcardResources, UNSCOPABLE_ACTIONS } from "../../policy/rules/iam";
import { validateResource } from "./harness";

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const STREAM_ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/clickstream-eu-web";

const scoped = {
    Version: "2012-10-17",
    Statement: [
        {
            Sid: "ReadSource",
            Effect: "Allow",
            Action: ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListShards"],
            Resource: STREAM_ARN,
        },
        {
            Sid: "Metrics",
            Effect: "Allow",
            Action: "cloudwatch:PutMetricData",
            Resource: "*",
            Condition: { StringEquals: { "cloudwatch:namespace": "Clickstream" } },
        },
        { Sid: "GuardTls", Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
    ],
};

describe("policy: IAM", () => {
    it("iam-no-wildcard-actions passes scoped actions (JSON string and object documents)", async () => {
        expect(await validateResource(iamNoWildcardActions, ROLE_POLICY, { role: "r", policy: JSON.stringify(scoped) })).to.deep.equal([]);
        expect(await validateResource(iamNoWildcardActions, "aws:iam/policy:Policy", { policy: scoped })).to.deep.equal([]);
    });

    it("iam-no-wildcard-actions fails '*', 'service:*' and NotAction", async () => {
        const doc = {
            Version: "2012-10-17",
            Statement: [
                { Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" },
                { Effect: "Allow", Action: ["kinesis:*", "s3:GetObject"], Resource: STREAM_ARN },
                { Sid: "Inverse", Effect: "Allow", NotAction: "iam:*", Resource: STREAM_ARN },
            ],
        };
        expect(await validateResource(iamNoWildcardActions, ROLE_POLICY, { role: "r", policy: JSON.stringify(doc) })).to.deep.equal([
            "policy statement 'Admin' allows the wildcard action '*'; list the actions it needs (IAM.1)",
            "policy statement 2 allows the wildcard action 'kinesis:*'; list the actions it needs (IAM.21)",
            "policy statement 'Inverse' allows NotAction, which grants every other action; list the actions instead (IAM.1)",
        ]);
    });

    it("iam-no-wildcard-actions checks a role's inline policies", async () => {
        const role = {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "kinesisanalytics.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
            inlinePolicies: [
                {
                    name: "app",
                    policy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Action: "firehose:*", Resource: "arn:aws:firehose:eu-central-1:123456789012:deliverystream/x" }],
                    }),
                },
            ],
        };
        expect(await validateResource(iamNoWildcardActions, "aws:iam/role:Role", role)).to.deep.equal([
            "inline policy 'app' statement 1 allows the wildcard action 'firehose:*'; list the actions it needs (IAM.21)",
        ]);
    });

    it("iam-no-wildcard-actions reports a document that is not JSON", async () => {
        expect(await validateResource(iamNoWildcardActions, ROLE_POLICY, { role: "r", policy: "{not json" })).to.deep.equal([
            "policy has a policy document that is not valid JSON",
        ]);
    });

    it("iam-no-wildcard-resources passes scoped resources and a conditioned unscopable action", async () => {
        expect(await validateResource(iamNoWildcardResources, ROLE_POLICY, { role: "r", policy: JSON.stringify(scoped) })).to.deep.equal([]);
    });

    it("iam-no-wildcard-resources fails Resource '*' for scopable actions, unconditioned unscopable ones, and NotResource", async () => {
        const doc = {
            Version: "2012-10-17",
            Statement: [
                { Sid: "Read", Effect: "Allow", Action: ["kinesis:GetRecords", "cloudwatch:PutMetricData"], Resource: "*" },
                { Sid: "Metrics", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: ["*"] },
                { Sid: "Others", Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::secret/*" },
            ],
        };
        expect(await validateResource(iamNoWildcardResources, "aws:iam/userPolicy:UserPolicy", { user: "u", policy: doc })).to.deep.equal([
            "policy statement 'Read' grants 'kinesis:GetRecords' on Resource '*'; scope it to ARNs (CKV_AWS_355)",
            "policy statement 'Metrics' grants 'cloudwatch:PutMetricData' on Resource '*' without a Condition; add one (e.g. cloudwatch:namespace)",
            "policy statement 'Others' uses NotResource, which grants every other resource; list the resource ARNs (CKV_AWS_355)",
        ]);
    });

    it("the allow-list of unscopable actions is explicit and sorted", () => {
        expect(UNSCOPABLE_ACTIONS).to.include("cloudwatch:PutMetricData");
        expect([...UNSCOPABLE_ACTIONS]).to.deep.equal([...UNSCOPABLE_ACTIONS].sort());
    });

    it("IAM rules ignore resources that carry no identity policy", async () => {
        expect(
            await validateResource(iamNoWildcardResources, "aws:kms/key:Key", {
                policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] }),
            }),
        ).to.deep.equal([]);
    });
});

describe("policy: CloudWatch", () => {
    const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
    const good = { name: "/aws/msf/realtime", retentionInDays: 30, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k" };
    it("cloudwatch-log-group-retention passes 30 days", async () => {
        expect(await validateResource(logGroupRetention, LOG_GROUP, good)).to.deep.equal([]);
    });
    it("cloudwatch-log-group-retention fails never-expire", async () => {
        expect(await validateResource(logGroupRetention, LOG_GROUP, { ...good, retentionInDays: 0 })).to.deep.equal([
            "retentionInDays is not set (logs never expire); set a retention period",
        ]);
    });
    it("cloudwatch-log-group-kms passes a KMS key", async () => {
        expect(await validateResource(logGroupKms, LOG_GROUP, good)).to.deep.equal([]);
    });
    it("cloudwatch-log-group-kms fails without a key", async () => {
        expect(await validateResource(logGroupKms, LOG_GROUP, { name: "/x", retentionInDays: 30 })).to.deep.equal([
            "kmsKeyId is not set; encrypt the log group with a KMS key (CKV_AWS_158)",
        ]);
    });

    const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
    const alarm = {
        name: "realtime-downtime",
        metricName: "downtime",
        namespace: "AWS/KinesisAnalytics",
        alarmActions: ["arn:aws:sns:eu-west-1:123456789012:alarms"],
    };
    it("cloudwatch-alarm-actions passes an alarm that notifies", async () => {
        expect(await validateResource(metricAlarmActions, ALARM, alarm)).to.deep.equal([]);
    });
    it("cloudwatch-alarm-actions fails an alarm without actions, or with actions disabled", async () => {
        expect(await validateResource(metricAlarmActions, ALARM, { ...alarm, alarmActions: [] })).to.deep.equal([
            "alarmActions is empty; send the alarm to the stack's SNS topic (CloudWatch.15)",
        ]);
        expect(await validateResource(metricAlarmActions, ALARM, { ...alarm, actionsEnabled: false })).to.deep.equal([
            "actionsEnabled is false; alarms must notify (CloudWatch.15)",
        ]);
    });
    const COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm";
    it("cloudwatch-composite-alarm-actions passes and fails", async () => {
        expect(
            await validateResource(compositeAlarmActions, COMPOSITE, {
                alarmName: "a",
                alarmRule: "ALARM(x)",
                alarmActions: ["arn:aws:sns:eu-west-1:123456789012:t"],
            }),
        ).to.deep.equal([]);
        expect(await validateResource(compositeAlarmActions, COMPOSITE, { alarmName: "a", alarmRule: "ALARM(x)" })).to.deep.equal([
            "alarmActions is empty; send the alarm to the stack's SNS topic (CloudWatch.15)",
        ]);
    });
});
