/**
 * Kinesis Data Streams: encrypted with KMS, and retained long enough to recover a stopped application.
 */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { MANDATORY, Rule, present } from "./util";

/** Default minimum retention: two days, so a failure on a Friday night of the season loses nothing. */
export const DEFAULT_MINIMUM_RETENTION_HOURS = 48;

export const kinesisStreamKmsEncryption: Rule = {
    name: "kinesis-stream-kms-encryption",
    description: "Kinesis streams are encrypted at rest with KMS (Security Hub Kinesis.1, Checkov CKV_AWS_43).",
    enforcementLevel: MANDATORY,
    validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, _args, report) => {
        if (stream.encryptionType !== "KMS") {
            report(`encryptionType is '${stream.encryptionType ?? "NONE"}'; set encryptionType: "KMS" (Kinesis.1, CKV_AWS_43)`);
        }
        if (!present(stream.kmsKeyId)) {
            report("kmsKeyId is not set; set it to a customer managed key ARN or 'alias/aws/kinesis' (Kinesis.1, CKV_AWS_43)");
        }
    }),
};

export const kinesisStreamMinimumRetention: Rule = {
    name: "kinesis-stream-minimum-retention",
    description:
        `Kinesis streams keep data at least ${DEFAULT_MINIMUM_RETENTION_HOURS} hours (configurable: minimumRetentionHours), ` +
        "so an application restored from its snapshot re-reads everything it missed (AWS Well-Architected REL09; no data loss).",
    enforcementLevel: MANDATORY,
    configSchema: {
        properties: {
            minimumRetentionHours: { type: "integer", default: DEFAULT_MINIMUM_RETENTION_HOURS, minimum: 24, maximum: 8760 },
        },
    },
    validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, args, report) => {
        const { minimumRetentionHours = DEFAULT_MINIMUM_RETENTION_HOURS } = args.getConfig<{ minimumRetentionHours?: number }>();
        // The API default is 24 hours when retentionPeriod is not set.
        const hours = stream.retentionPeriod ?? 24;
        if (hours < minimumRetentionHours) {
            report(`retentionPeriod is ${hours} hours; set at least ${minimumRetentionHours} hours`);
        }
    }),
};

export const kinesisRules: Rule[] = [kinesisStreamKmsEncryption, kinesisStreamMinimumRetention];
