/**
 * The security settings every bucket of this project gets, in one place: SSE-KMS with a bucket key,
 * versioning, all four public-access blocks, ACLs disabled, a TLS-only policy, and lifecycle rules.
 * In @pulumi/aws 7 each is its own resource; the policy pack (`policy/rules/s3.ts`) checks all of them.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { tlsOnlyBucketPolicy } from "../lib/iam/documents";

export interface SecureBucketSettingsArgs {
    /** The bucket, as its settings resources reference it (its id or its name). */
    readonly bucket: pulumi.Input<string>;
    readonly bucketArn: pulumi.Output<string>;
    /** Default encryption key. */
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly lifecycleRules: aws.types.input.s3.BucketLifecycleConfigurationRule[];
    /** Options of every settings resource (parent, retention); `dependsOn` is added where order matters. */
    readonly options: () => pulumi.CustomResourceOptions;
}

export interface SecureBucketSettings {
    encryption: aws.s3.BucketServerSideEncryptionConfiguration;
    versioning: aws.s3.BucketVersioning;
    publicAccess: aws.s3.BucketPublicAccessBlock;
}

/** Creates the settings resources, named `${name}-encryption`, `-versioning`, `-public-access`, `-ownership`, `-tls-only`, `-lifecycle`. */
export function secureBucketSettings(name: string, args: SecureBucketSettingsArgs): SecureBucketSettings {
    const { bucket } = args;
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-encryption`,
        { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true }] },
        args.options(),
    );
    const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket, versioningConfiguration: { status: "Enabled" } }, args.options());
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
        `${name}-public-access`,
        { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        args.options(),
    );
    new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, args.options());
    new aws.s3.BucketPolicy(
        `${name}-tls-only`,
        { bucket, policy: pulumi.jsonStringify(args.bucketArn.apply(tlsOnlyBucketPolicy)) },
        // A policy put before the public-access block exists could be refused as public by account settings.
        { ...args.options(), dependsOn: [publicAccess] },
    );
    new aws.s3.BucketLifecycleConfiguration(
        `${name}-lifecycle`,
        { bucket, rules: args.lifecycleRules },
        // Lifecycle rules on a versioned bucket must be applied after versioning is on.
        { ...args.options(), dependsOn: [versioning, encryption] },
    );
    return { encryption, versioning, publicAccess };
}
