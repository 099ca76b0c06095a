/**
 * The alarm topic of a stack, the same in both stacks: named `<project>-<stack>-alarms`, encrypted with the
 * stack's key, publishable only by this account's CloudWatch alarms in the region, with one e-mail
 * subscription per address.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alarmTopicPolicy } from "../lib/iam/documents";
import { alarmTopicName, StackId } from "../lib/naming";

export interface AlarmTopicArgs {
    readonly stackId: StackId;
    readonly scope: pulumi.Input<{ partition: string; accountId: string; region: string }>;
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly emails: string[];
    /**
     * The logical name each subscription had when subscriptions were keyed by position, by position
     * (`aliases`): the first deployment keyed by address adopts them instead of re-subscribing, which would
     * send every address a new confirmation mail.
     */
    readonly formerSubscriptionName?: (index: number) => string;
}

/**
 * Creates the topic, its policy and the subscriptions as children of `parent`, named after `name`.
 * Subscriptions are keyed by address: removing one address leaves the others as they are.
 */
export function alarmTopic(name: string, args: AlarmTopicArgs, parent: pulumi.Resource): aws.sns.Topic {
    const topic = new aws.sns.Topic(`${name}-alarms`, { name: alarmTopicName(args.stackId), kmsMasterKeyId: args.kmsKeyArn }, { parent });
    new aws.sns.TopicPolicy(
        `${name}-alarms-policy`,
        { arn: topic.arn, policy: pulumi.jsonStringify(pulumi.all([args.scope, topic.arn]).apply(([s, arn]) => alarmTopicPolicy(s, arn))) },
        { parent },
    );
    args.emails.forEach((email, i) => {
        const former = args.formerSubscriptionName?.(i);
        new aws.sns.TopicSubscription(
            `${name}-alarms-email-${email}`,
            { topic: topic.arn, protocol: "email", endpoint: email },
            { parent, ...(former ? { aliases: [{ name: former }] } : {}) },
        );
    });
    return topic;
}
