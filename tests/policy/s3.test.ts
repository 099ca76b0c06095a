import { expect } from "chai";
import { s3AclsDisabled, s3PublicAccessBlock, s3SseKms, s3TlsOnly, s3VersioningLifecycle } from "../../policy/rules/s3";
import { StackResource, validateStack } from "./harness";

const NAME = "clickstream-lake-123456789012-eu-central-1";
const ARN = `arn:aws:s3:::${NAME}`;

const tlsPolicy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: { AWS: "*" },
            Action: "s3:*",
            Resource: [ARN, `${ARN}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
    ],
});

/** A lake bucket with every companion, linked by the bucket's name (as after `pulumi up`). */
function goodBucket(): StackResource[] {
    return [
        { type: "aws:s3/bucket:Bucket", name: "lake", props: { bucket: NAME, id: NAME, arn: ARN } },
        {
            type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            name: "lake-pab",
            props: { bucket: NAME, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        },
        { type: "aws:s3/bucketPolicy:BucketPolicy", name: "lake-policy", props: { bucket: NAME, policy: tlsPolicy } },
        {
            type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            name: "lake-sse",
            props: {
                bucket: NAME,
                rules: [
                    {
                        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:eu-central-1:123456789012:key/k" },
                        bucketKeyEnabled: true,
                    },
                ],
            },
        },
        { type: "aws:s3/bucketVersioning:BucketVersioning", name: "lake-versioning", props: { bucket: NAME, versioningConfiguration: { status: "Enabled" } } },
        {
            type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            name: "lake-lifecycle",
            props: {
                bucket: NAME,
                rules: [
                    { id: "noncurrent", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 30 } },
                    { id: "multipart", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
                ],
            },
        },
        {
            type: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            name: "lake-ownership",
            props: { bucket: NAME, rule: { objectOwnership: "BucketOwnerEnforced" } },
        },
    ];
}

function without(type: string): StackResource[] {
    return goodBucket().filter((r) => r.type !== type);
}

function replace(type: string, props: Record<string, unknown>): StackResource[] {
    return goodBucket().map((r) => (r.type === type ? { ...r, props: { bucket: NAME, ...props } } : r));
}

const URN_PREFIX = `bucket 'lake': `;

describe("policy: S3 (stack rules)", () => {
    for (const rule of [s3PublicAccessBlock, s3TlsOnly, s3SseKms, s3VersioningLifecycle, s3AclsDisabled]) {
        it(`${rule.name} passes a bucket with every companion resource`, async () => {
            expect(await validateStack(rule, goodBucket())).to.deep.equal([]);
        });
    }

    it("companions are linked through property dependencies while the bucket name is unknown (preview)", async () => {
        const preview = goodBucket().map((r) =>
            r.type === "aws:s3/bucket:Bucket"
                ? { ...r, props: {} }
                : { ...r, props: { ...r.props, bucket: undefined }, propertyDependencies: { bucket: ["lake"] } },
        );
        expect(await validateStack(s3PublicAccessBlock, preview)).to.deep.equal([]);
        expect(await validateStack(s3SseKms, preview)).to.deep.equal([]);
    });

    it("s3-public-access-block fails without a block, or with one setting off", async () => {
        expect(await validateStack(s3PublicAccessBlock, without("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"))).to.deep.equal([
            `${URN_PREFIX}has no aws.s3.BucketPublicAccessBlock; add one with all four settings true (S3.1, S3.8)`,
        ]);
        const partial = replace("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
        });
        expect(await validateStack(s3PublicAccessBlock, partial)).to.deep.equal([
            `${URN_PREFIX}public-access block does not set restrictPublicBuckets to true (S3.8)`,
        ]);
    });

    it("s3-public-access-block ignores a block for another bucket", async () => {
        const other = goodBucket().map((r) =>
            r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock" ? { ...r, props: { ...r.props, bucket: "someone-elses" } } : r,
        );
        expect(await validateStack(s3PublicAccessBlock, other)).to.have.length(1);
    });

    it("s3-tls-only-policy fails without a policy, or with a policy that does not deny plain HTTP", async () => {
        expect(await validateStack(s3TlsOnly, without("aws:s3/bucketPolicy:BucketPolicy"))).to.deep.equal([
            `${URN_PREFIX}has no bucket policy; add one that denies s3:* when aws:SecureTransport is false (S3.5)`,
        ]);
        const objectsOnly = JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: `${ARN}/*`, Condition: { Bool: { "aws:SecureTransport": "false" } } }],
        });
        expect(await validateStack(s3TlsOnly, replace("aws:s3/bucketPolicy:BucketPolicy", { policy: objectsOnly }))).to.deep.equal([
            `${URN_PREFIX}bucket policy does not deny s3:* to '*' on the bucket and its objects when aws:SecureTransport is false (S3.5)`,
        ]);
    });

    it("s3-tls-only-policy accepts a policy given as an object", async () => {
        expect(await validateStack(s3TlsOnly, replace("aws:s3/bucketPolicy:BucketPolicy", { policy: JSON.parse(tlsPolicy) }))).to.deep.equal([]);
    });

    it("s3-sse-kms fails without encryption, or with SSE-S3", async () => {
        const SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
        expect(await validateStack(s3SseKms, without(SSE))).to.deep.equal([
            `${URN_PREFIX}has no server-side encryption configuration; add aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms (CKV_AWS_145)`,
        ]);
        expect(await validateStack(s3SseKms, replace(SSE, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }))).to.deep.equal([
            `${URN_PREFIX}default encryption is 'AES256'; use sseAlgorithm aws:kms (CKV_AWS_145)`,
        ]);
    });

    it("s3-sse-kms accepts the V2 resource variant", async () => {
        const v2 = goodBucket().map((r) =>
            r.type.startsWith("aws:s3/bucketServerSideEncryptionConfiguration")
                ? { ...r, type: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2" }
                : r,
        );
        expect(await validateStack(s3SseKms, v2)).to.deep.equal([]);
    });

    it("s3-versioning-lifecycle fails without versioning, without lifecycle, and without noncurrent expiry", async () => {
        expect(await validateStack(s3VersioningLifecycle, without("aws:s3/bucketVersioning:BucketVersioning"))).to.deep.equal([
            `${URN_PREFIX}versioning is not enabled; add aws.s3.BucketVersioning with status Enabled`,
        ]);
        expect(await validateStack(s3VersioningLifecycle, without("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"))).to.deep.equal([
            `${URN_PREFIX}has no enabled lifecycle rule; add aws.s3.BucketLifecycleConfiguration (S3.13)`,
        ]);
        const noNoncurrent = replace("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", {
            rules: [{ id: "multipart", status: "Enabled", abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }],
        });
        expect(await validateStack(s3VersioningLifecycle, noNoncurrent)).to.deep.equal([
            `${URN_PREFIX}is versioned but no enabled lifecycle rule expires noncurrent versions; add noncurrentVersionExpiration (S3.10)`,
        ]);
    });

    it("s3-acls-disabled fails without BucketOwnerEnforced, and with an ACL resource", async () => {
        const OWN = "aws:s3/bucketOwnershipControls:BucketOwnershipControls";
        expect(await validateStack(s3AclsDisabled, replace(OWN, { rule: { objectOwnership: "ObjectWriter" } }))).to.deep.equal([
            `${URN_PREFIX}ACLs are not disabled; add aws.s3.BucketOwnershipControls with objectOwnership BucketOwnerEnforced (S3.12)`,
        ]);
        const withAcl = [...goodBucket(), { type: "aws:s3/bucketAcl:BucketAcl", name: "lake-acl", props: { bucket: NAME, acl: "private" } }];
        expect(await validateStack(s3AclsDisabled, withAcl)).to.deep.equal([
            `${URN_PREFIX}is managed with ACLs; remove the ACL resources, acl and grants (S3.12)`,
        ]);
    });

    it("a stack without buckets has nothing to check", async () => {
        expect(await validateStack(s3PublicAccessBlock, [{ type: "aws:kms/key:Key", name: "k", props: {} }])).to.deep.equal([]);
    });
});
