/** Athena workgroups: the workgroup's settings win over the client's, results are encrypted, metrics are published. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { MANDATORY, Rule, present } from "./util";

const KMS_OPTIONS = ["SSE_KMS", "CSE_KMS"];

export const athenaEnforceConfiguration: Rule = {
    name: "athena-workgroup-enforce-configuration",
    description: "Athena workgroups enforce their configuration, so clients cannot turn result encryption off (Security Hub Athena.1, Checkov CKV_AWS_82).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.athena.Workgroup, (workgroup, _args, report) => {
        // The provider defaults enforceWorkgroupConfiguration to true.
        if (workgroup.configuration?.enforceWorkgroupConfiguration === false) {
            report("configuration.enforceWorkgroupConfiguration is false; set it to true (Athena.1, CKV_AWS_82)");
        }
    }),
};

export const athenaResultsEncrypted: Rule = {
    name: "athena-workgroup-results-encrypted",
    description: "Athena query results are encrypted with KMS (SSE_KMS or CSE_KMS with a key) (Security Hub Athena.1, Checkov CKV_AWS_159).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.athena.Workgroup, (workgroup, _args, report) => {
        const configuration = workgroup.configuration;
        const managed = configuration?.managedQueryResultsConfiguration;
        if (managed?.enabled === true && present(managed.encryptionConfiguration?.kmsKey)) return;
        const encryption = configuration?.resultConfiguration?.encryptionConfiguration;
        const option = encryption?.encryptionOption;
        if (!option || !KMS_OPTIONS.includes(option)) {
            report(
                `configuration.resultConfiguration.encryptionConfiguration.encryptionOption is ${option ? `'${option}'` : "not set"}; use SSE_KMS or CSE_KMS (Athena.1, CKV_AWS_159)`,
            );
            return;
        }
        if (!present(encryption?.kmsKeyArn)) {
            report(`configuration.resultConfiguration.encryptionConfiguration.kmsKeyArn is not set; ${option} needs a KMS key`);
        }
    }),
};

export const athenaMetrics: Rule = {
    name: "athena-workgroup-cloudwatch-metrics",
    description: "Athena workgroups publish query metrics to CloudWatch (Security Hub Athena.4, AWS Config athena-workgroup-logging-enabled).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.athena.Workgroup, (workgroup, _args, report) => {
        // The provider defaults publishCloudwatchMetricsEnabled to true.
        if (workgroup.configuration?.publishCloudwatchMetricsEnabled === false) {
            report("configuration.publishCloudwatchMetricsEnabled is false; set it to true (Athena.4)");
        }
    }),
};

export const athenaRules: Rule[] = [athenaEnforceConfiguration, athenaResultsEncrypted, athenaMetrics];
