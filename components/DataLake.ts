import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccountScope } from "../lib/iam/documents";
import { lakeKeyPolicy } from "../lib/iam/lake-policies";
import { ATHENA_RESULTS_PREFIX, ERROR_PREFIX_ROOT, keyAliasName, StackId } from "../lib/naming";
import { currentStackId } from "../lib/pulumi-config";
import { retainedResourceOptions } from "../lib/resource-options";
import { secureBucketSettings } from "./secure-bucket";

export interface DataLakeArgs {
    /** Partition, home region and account of the lake. */
    readonly scope: pulumi.Input<AccountScope>;
    /** Name of the bucket to create. Ignored when `existingBucketName` is set. */
    readonly bucketName: pulumi.Input<string>;
    /** Project and stack, for the key alias (`alias/<project>-<stack>`). Default the running stack's. */
    readonly stackId?: StackId;
    /**
     * Adopt this existing bucket instead of creating one. Nothing on the bucket is created or changed
     * (no policy, encryption, versioning, lifecycle, ownership or public-access settings): each of those is
     * a single, whole-bucket setting in S3, and writing it would overwrite what the bucket's owner set.
     * Default: create the bucket.
     */
    readonly existingBucketName?: string;
    /** Days before noncurrent object versions are deleted. Default 30. */
    readonly noncurrentVersionExpirationDays?: number;
    /** Days before Firehose error output (under `errors/`) expires. Default 14. */
    readonly errorOutputExpirationDays?: number;
    /** Days before Athena query results (under `athena-results/`) expire. Default 7. */
    readonly athenaResultsExpirationDays?: number;
    /** Days before incomplete multipart uploads are aborted. Default 7. */
    readonly abortIncompleteMultipartUploadDays?: number;
}

/**
 * The lake's storage: a customer-managed KMS key with rotation, and an S3 bucket encrypted with it
 * (SSE-KMS with a bucket key), versioned, private, TLS-only, ACLs disabled, with lifecycle rules.
 * The key, the bucket and the bucket's protections are retained when the stack is destroyed.
 */
export class DataLake extends pulumi.ComponentResource {
    public readonly key: aws.kms.Key;
    public readonly keyArn: pulumi.Output<string>;
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    /** The bucket this stack created; undefined when an existing bucket was adopted. */
    public readonly bucket?: aws.s3.Bucket;
    /** True when an existing bucket was adopted. */
    public readonly adopted: boolean;

    constructor(name: string, args: DataLakeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clickstream:index:DataLake", name, {}, opts);
        const retained = (extra: pulumi.CustomResourceOptions = {}) => retainedResourceOptions({ parent: this, ...extra });
        const scope = pulumi.output(args.scope);

        this.key = new aws.kms.Key(
            `${name}-key`,
            {
                description: "Clickstream lake: S3 objects, Firehose, Athena results, logs and the alarm topic",
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.jsonStringify(scope.apply(lakeKeyPolicy)),
            },
            retained(),
        );
        new aws.kms.Alias(`${name}-key-alias`, { name: keyAliasName(args.stackId ?? currentStackId()), targetKeyId: this.key.keyId }, { parent: this });
        this.keyArn = this.key.arn;

        this.adopted = args.existingBucketName !== undefined;
        if (args.existingBucketName !== undefined) {
            this.bucketName = pulumi.output(args.existingBucketName);
            this.bucketArn = pulumi.interpolate`arn:${scope.partition}:s3:::${args.existingBucketName}`;
        } else {
            const bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: args.bucketName, forceDestroy: false }, retained());
            this.bucket = bucket;
            this.bucketName = bucket.bucket;
            this.bucketArn = bucket.arn;
            secureBucketSettings(name, {
                bucket: bucket.id,
                bucketArn: bucket.arn,
                kmsKeyArn: this.key.arn,
                lifecycleRules: [
                    {
                        id: "expire-noncurrent-versions",
                        status: "Enabled",
                        filter: {},
                        noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionExpirationDays ?? 30 },
                    },
                    {
                        id: "abort-incomplete-multipart-uploads",
                        status: "Enabled",
                        filter: {},
                        abortIncompleteMultipartUpload: { daysAfterInitiation: args.abortIncompleteMultipartUploadDays ?? 7 },
                    },
                    {
                        id: "expire-firehose-errors",
                        status: "Enabled",
                        filter: { prefix: ERROR_PREFIX_ROOT },
                        expiration: { days: args.errorOutputExpirationDays ?? 14 },
                    },
                    {
                        id: "expire-athena-results",
                        status: "Enabled",
                        filter: { prefix: ATHENA_RESULTS_PREFIX },
                        expiration: { days: args.athenaResultsExpirationDays ?? 7 },
                    },
                ],
                // A retained bucket keeps its protections too.
                options: () => retained(),
            });
        }
        this.registerOutputs({ keyArn: this.keyArn, bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}
