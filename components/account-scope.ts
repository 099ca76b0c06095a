import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccountScope } from "../lib/iam/documents";

/**
 * Where a stack runs, as the ARNs of its policies name it: the partition and the account of the
 * deployment's credentials, and `region`.
 */
export function accountScope(region: string, opts?: pulumi.InvokeOutputOptions): pulumi.Output<AccountScope> {
    const identity = aws.getCallerIdentityOutput({}, opts);
    const partition = aws.getPartitionOutput({}, opts);
    return pulumi.all([partition.partition, identity.accountId]).apply(([p, accountId]): AccountScope => ({ partition: p, accountId, region }));
}
