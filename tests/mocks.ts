/**
 * The one Pulumi mocks module for the whole mocha run (loaded by .mocharc.json).
 *
 * Every resource registered under mocks is recorded with its exact inputs, so tests assert on what
 * would be sent to AWS. `resetResources()` clears the record between stack evaluations.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

export interface RecordedResource {
    type: string;
    name: string;
    urn: string;
    inputs: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    provider?: string;
    /** Names of the resources it waits for: its `dependsOn` and the resources its inputs come from. */
    dependsOn: string[];
    /** The former names it adopts (`aliases` given by name). */
    aliases: string[];
}

/** The project and stack every program under test runs as: physical names start with `clickstream-test`. */
export const MOCK_PROJECT = "clickstream";
export const MOCK_STACK = "test";

export const recorded: RecordedResource[] = [];
export const invokes: { token: string; args: Record<string, unknown> }[] = [];

/** Values that a StackReference to the lake returns; tests set them before evaluating a region stack. */
export const stackReferenceOutputs: Record<string, Record<string, unknown>> = {};

/** Extra attributes `aws.kinesis.getStream` returns per stream name (e.g. encryptionType, kmsKeyId). */
export const streamLookups: Record<string, Record<string, unknown>> = {};

export function resetResources(): void {
    recorded.length = 0;
    invokes.length = 0;
}

// The mocks API passes no resource options to newResource; the registration request has the dependencies
// (as URNs, whose last segment is the resource name) and the aliases, so they are noted here by name and
// attached when the resource is recorded.
interface RegistrationRequest {
    getName(): string;
    getDependenciesList(): string[];
    getAliasesList(): { getUrn(): string; getSpec(): { getName(): string } | undefined }[];
}
const pendingOptions = new Map<string, { dependsOn: string[]; aliases: string[] }>();
const registerResource = MockMonitor.prototype.registerResource;
MockMonitor.prototype.registerResource = function (req: RegistrationRequest, callback: (err: unknown, response: unknown) => void) {
    pendingOptions.set(req.getName(), {
        dependsOn: req.getDependenciesList().map((urn) => urn.split("::").pop()!),
        aliases: req.getAliasesList().map((a) => a.getSpec()?.getName() || a.getUrn().split("::").pop()!),
    });
    return registerResource.call(this, req, callback);
};

function arnFor(type: string, name: string, region = "eu-central-1"): string {
    const [, module] = type.split(":");
    const service = module.split("/")[0];
    return `arn:aws:${service}:${region}:123456789012:${name}`;
}

pulumi.runtime.setMocks(
    {
        newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
            const options = pendingOptions.get(args.name) ?? { dependsOn: [], aliases: [] };
            pendingOptions.delete(args.name);
            recorded.push({ type: args.type, name: args.name, urn: `${args.type}::${args.name}`, inputs: args.inputs, provider: args.provider, ...options });
            if (args.type === "pulumi:pulumi:StackReference") {
                const outputs = stackReferenceOutputs[args.inputs.name] ?? {};
                return { id: args.inputs.name, state: { ...args.inputs, outputs } };
            }
            const name = (args.inputs.name as string) ?? (args.inputs.bucket as string) ?? args.name;
            const state: Record<string, unknown> = { ...args.inputs, arn: args.inputs.arn ?? arnFor(args.type, name) };
            if (args.type === "aws:s3/bucketV2:BucketV2" || args.type === "aws:s3/bucket:Bucket") {
                state.bucket = args.inputs.bucket ?? `${args.name}-bucket`;
                state.arn = `arn:aws:s3:::${state.bucket}`;
            }
            if (args.type === "aws:kinesis/stream:Stream") {
                state.arn = `arn:aws:kinesis:${args.inputs.region ?? "eu-west-1"}:123456789012:stream/${name}`;
            }
            if (args.type === "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream") {
                state.arn = `arn:aws:firehose:eu-central-1:123456789012:deliverystream/${name}`;
            }
            if (args.type === "aws:kinesis/streamConsumer:StreamConsumer") {
                state.arn = `${args.inputs.streamArn}/consumer/${args.inputs.name}:1700000000`;
            }
            if (args.type === "awsx:ec2:Vpc") {
                // Remote (multi-language) component: its outputs come from here, as the awsx plugin would return them.
                state.vpcId = `vpc-${args.name}`;
                state.isolatedSubnetIds = ["a", "b", "c"].map((az) => `subnet-${args.name}-isolated-${az}`);
                state.privateSubnetIds = [];
                state.publicSubnetIds = [];
            }
            if (args.type === "aws:redshiftserverless/namespace:Namespace") {
                state.adminPasswordSecretArn = `arn:aws:secretsmanager:eu-central-1:123456789012:secret:redshift!${args.inputs.namespaceName}-admin`;
            }
            if (args.type === "aws:kms/key:Key") {
                state.keyId = `key-${args.name}`;
                state.arn = `arn:aws:kms:eu-central-1:123456789012:key/key-${args.name}`;
            }
            return { id: `${args.name}-id`, state };
        },
        call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
            invokes.push({ token: args.token, args: args.inputs });
            switch (args.token) {
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/test", userId: "test" };
                case "aws:index/getRegion:getRegion":
                    return { name: args.inputs.region ?? "eu-central-1", region: args.inputs.region ?? "eu-central-1" };
                case "aws:index/getPartition:getPartition":
                    return { partition: "aws", dnsSuffix: "amazonaws.com" };
                case "aws:kinesis/getStream:getStream":
                    return {
                        name: args.inputs.name,
                        arn: `arn:aws:kinesis:eu-west-1:123456789012:stream/${args.inputs.name}`,
                        shardLevelMetrics: [],
                        ...(streamLookups[args.inputs.name as string] ?? {}),
                    };
                case "aws:s3/getBucket:getBucket":
                    // A Firehose's destination bucket (source mode: firehose), in the source region.
                    return { bucket: args.inputs.bucket, arn: `arn:aws:s3:::${args.inputs.bucket}`, bucketRegion: "eu-west-1", region: "eu-west-1" };
                case "aws:redshift/getCluster:getCluster":
                    return {
                        clusterIdentifier: args.inputs.clusterIdentifier,
                        arn: `arn:aws:redshift:eu-central-1:123456789012:cluster:${args.inputs.clusterIdentifier}`,
                        iamRoles: ["arn:aws:iam::123456789012:role/existing-redshift-role"],
                        defaultIamRoleArn: "arn:aws:iam::123456789012:role/existing-redshift-role",
                    };
                case "aws:redshiftserverless/getWorkgroup:getWorkgroup":
                    return {
                        workgroupName: args.inputs.workgroupName,
                        namespaceName: "analytics-ns",
                        arn: `arn:aws:redshift-serverless:eu-central-1:123456789012:workgroup/${args.inputs.workgroupName}`,
                    };
                case "aws:redshiftserverless/getNamespace:getNamespace":
                    return {
                        namespaceName: args.inputs.namespaceName,
                        iamRoles: ["arn:aws:iam::123456789012:role/existing-redshift-role"],
                        arn: `arn:aws:redshift-serverless:eu-central-1:123456789012:namespace/${args.inputs.namespaceName}`,
                    };
                default:
                    // A new data source must be given a mocked answer here, not pass unnoticed.
                    throw new Error(`tests/mocks.ts: no mocked answer for invoke ${args.token}; add one`);
            }
        },
    },
    MOCK_PROJECT,
    MOCK_STACK,
    false,
);

/** Resolves a Pulumi output in tests. */
export function valueOf<T>(output: pulumi.Input<T> | undefined): Promise<T> {
    return new Promise((resolve) => pulumi.output(output as pulumi.Input<T>).apply((v) => resolve(v as T)));
}

/** Waits until every registration started so far has reached the mocks. */
export async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

export function resourcesOfType(type: string): RecordedResource[] {
    return recorded.filter((r) => r.type === type);
}
