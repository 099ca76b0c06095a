/** IAM policy document types and the statements both stacks share. */

export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: "*" | { AWS?: string | string[]; Service?: string | string[] };
    Action: string | string[];
    /** Absent only in trust policies. */
    Resource?: string | string[];
    Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/** Where a stack runs: the ARN partition, the region and the account every ARN of its policies names. */
export interface AccountScope {
    partition: string;
    accountId: string;
    region: string;
}

export const policyDocument = (statements: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });

/**
 * Denies every request to a bucket that does not use TLS (Security Hub S3.5). `s3:*` appears only in
 * this Deny, where it must cover every action; no Allow in this project uses a wildcard action.
 */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
    return policyDocument([
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucketArn, `${bucketArn}/*`],
            Condition: { Bool: { "aws:SecureTransport": false } },
        },
    ]);
}

/**
 * Key-policy statement that lets CloudWatch Logs encrypt this account's log groups in this region with the
 * key, with the actions and encryption-context condition of the CloudWatch Logs documentation
 * ("Encrypt log data in CloudWatch Logs using AWS KMS"). Both stacks' keys use it.
 */
export function logsEncryptionStatement(partition: string, region: string, accountId: string): PolicyStatement {
    return {
        Sid: "CloudWatchLogsEncryptLogGroups",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
        Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:log-group:*` } },
    };
}

/**
 * Key-policy statements that let an alarm topic encrypted with the key work: CloudWatch makes the data key
 * of each alarm notification, SNS reads it to deliver the message. CloudWatch does not send
 * `aws:SourceAccount` to KMS for alarm notifications, so its statement carries no condition; it only
 * allows making and reading data keys, never key management. Both stacks' keys use them.
 */
export function alarmTopicKeyStatements(accountId: string): PolicyStatement[] {
    return [
        {
            Sid: "CloudWatchAlarmsPublishToEncryptedTopic",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
        },
        {
            Sid: "SnsUsesKeyForAccountTopics",
            Effect: "Allow",
            Principal: { Service: "sns.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        },
    ];
}

/** Alarm topic policy: only this account's CloudWatch alarms in this region may publish. Both stacks use it. */
export function alarmTopicPolicy(scope: { partition: string; accountId: string; region: string }, topicArn: string): PolicyDocument {
    return policyDocument([
        {
            Sid: "CloudWatchAlarmsPublish",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: {
                StringEquals: { "aws:SourceAccount": scope.accountId },
                ArnLike: { "aws:SourceArn": `arn:${scope.partition}:cloudwatch:${scope.region}:${scope.accountId}:alarm:*` },
            },
        },
    ]);
}
