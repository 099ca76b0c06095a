/**
 * S3 buckets. In @pulumi/aws 7 a bucket's settings live in separate resources (public-access block,
 * policy, encryption, versioning, lifecycle, ownership controls), so these are stack rules: each bucket
 * created in the stack must have the companion resources. The deprecated inline arguments of
 * `aws.s3.Bucket` and the `...V2` resource variants are accepted too.
 *
 * A companion belongs to a bucket when its `bucket` equals the bucket's name (`bucket` or `id`), or,
 * during preview when the name is not known yet, when its `bucket` property depends on the bucket.
 */
import { PolicyResource, ReportViolation, StackValidationArgs } from "@pulumi/policy";
import { MANDATORY, PolicyStatement, Rule, asArray, parsePolicyDocument, safe, statements } from "./util";

export const BUCKET_TYPES: readonly string[] = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
export const S3_TYPES = {
    publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    policy: ["aws:s3/bucketPolicy:BucketPolicy"],
    encryption: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
    lifecycle: ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"],
    ownership: ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"],
    acl: ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"],
};

const PUBLIC_ACCESS_BLOCKS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

/** The names by which other resources refer to a bucket. */
function bucketNames(bucket: PolicyResource): string[] {
    return [safe(() => bucket.props.bucket), safe(() => bucket.props.id)].filter((v): v is string => typeof v === "string" && v.length > 0);
}

function belongsTo(resource: PolicyResource, bucket: PolicyResource): boolean {
    const target = safe(() => resource.props.bucket);
    if (typeof target === "string" && bucketNames(bucket).includes(target)) return true;
    const deps = resource.propertyDependencies?.bucket ?? [];
    return deps.some((d) => d === bucket || d.urn === bucket.urn);
}

function companions(args: StackValidationArgs, bucket: PolicyResource, types: string[]): PolicyResource[] {
    return args.resources.filter((r) => types.includes(r.type) && belongsTo(r, bucket));
}

function buckets(args: StackValidationArgs): PolicyResource[] {
    return args.resources.filter((r) => BUCKET_TYPES.includes(r.type));
}

/** Runs `check` for every bucket created in the stack. */
function eachBucket(check: (bucket: PolicyResource, args: StackValidationArgs, report: (message: string) => void) => void) {
    return (args: StackValidationArgs, report: ReportViolation) => {
        for (const bucket of buckets(args)) {
            check(bucket, args, (message) => report(`bucket '${bucket.name}': ${message}`, bucket.urn));
        }
    };
}

export const s3PublicAccessBlock: Rule = {
    name: "s3-public-access-block",
    description: "Every bucket has a public-access block with all four settings on (Security Hub S3.1, S3.8).",
    enforcementLevel: MANDATORY,
    validateStack: eachBucket((bucket, args, report) => {
        const blocks = companions(args, bucket, S3_TYPES.publicAccessBlock);
        if (blocks.length === 0) {
            report("has no aws.s3.BucketPublicAccessBlock; add one with all four settings true (S3.1, S3.8)");
            return;
        }
        const complete = blocks.some((b) => PUBLIC_ACCESS_BLOCKS.every((k) => safe(() => b.props[k]) === true));
        if (!complete) {
            const missing = PUBLIC_ACCESS_BLOCKS.filter((k) => !blocks.some((b) => safe(() => b.props[k]) === true));
            report(`public-access block does not set ${missing.join(", ")} to true (S3.8)`);
        }
    }),
};

function isAnyone(principal: unknown): boolean {
    if (principal === "*") return true;
    if (principal && typeof principal === "object") {
        return asArray((principal as { AWS?: string | string[] }).AWS).includes("*");
    }
    return false;
}

/** `Deny` to anyone, for all S3 actions, on the bucket and its objects, when `aws:SecureTransport` is false. */
export function isTlsOnlyStatement(statement: PolicyStatement): boolean {
    if (statement.Effect !== "Deny" || !isAnyone(statement.Principal)) return false;
    const actions = asArray(statement.Action);
    if (!actions.includes("s3:*") && !actions.includes("*")) return false;
    const secureTransport = statement.Condition?.Bool?.["aws:SecureTransport"] ?? statement.Condition?.BoolIfExists?.["aws:SecureTransport"];
    if (!asArray(secureTransport as string | boolean | (string | boolean)[] | undefined).some((v) => String(v) === "false")) return false;
    const resources = asArray(statement.Resource);
    if (resources.includes("*")) return true;
    const bucketArns = resources.filter((r) => /^arn:[^:]+:s3:::[^/]+$/.test(r));
    return bucketArns.some((arn) => resources.includes(`${arn}/*`));
}

export const s3TlsOnly: Rule = {
    name: "s3-tls-only-policy",
    description: "Every bucket has a policy that denies requests without TLS (aws:SecureTransport false) on the bucket and its objects (Security Hub S3.5).",
    enforcementLevel: MANDATORY,
    validateStack: eachBucket((bucket, args, report) => {
        const documents = [...companions(args, bucket, S3_TYPES.policy).map((p) => safe(() => p.props.policy)), safe(() => bucket.props.policy)].filter(
            (d) => d !== undefined && d !== null && d !== "",
        );
        const tlsOnly = documents.some((raw) => {
            const parsed = parsePolicyDocument(raw);
            return "document" in parsed && statements(parsed.document).some(isTlsOnlyStatement);
        });
        if (!tlsOnly) {
            report(
                documents.length === 0
                    ? "has no bucket policy; add one that denies s3:* when aws:SecureTransport is false (S3.5)"
                    : "bucket policy does not deny s3:* to '*' on the bucket and its objects when aws:SecureTransport is false (S3.5)",
            );
        }
    }),
};

interface SseRule {
    applyServerSideEncryptionByDefault?: { sseAlgorithm?: string; kmsMasterKeyId?: string };
}

export const s3SseKms: Rule = {
    name: "s3-sse-kms",
    description: "Every bucket encrypts by default with SSE-KMS (aws:kms or aws:kms:dsse) (Checkov CKV_AWS_145).",
    enforcementLevel: MANDATORY,
    validateStack: eachBucket((bucket, args, report) => {
        const rules: SseRule[] = [
            ...companions(args, bucket, S3_TYPES.encryption).flatMap((c) => asArray(safe(() => c.props.rules) as SseRule[] | undefined)),
            ...asArray(safe(() => bucket.props.serverSideEncryptionConfiguration?.rule) as SseRule | undefined),
        ];
        if (rules.length === 0) {
            report("has no server-side encryption configuration; add aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms (CKV_AWS_145)");
            return;
        }
        const algorithms = rules.map((r) => r.applyServerSideEncryptionByDefault?.sseAlgorithm);
        if (!algorithms.some((a) => a === "aws:kms" || a === "aws:kms:dsse")) {
            report(`default encryption is ${algorithms.map((a) => `'${a ?? "none"}'`).join(", ")}; use sseAlgorithm aws:kms (CKV_AWS_145)`);
        }
    }),
};

interface LifecycleRule {
    status?: string;
    enabled?: boolean;
    noncurrentVersionExpiration?: unknown;
}

export const s3VersioningLifecycle: Rule = {
    name: "s3-versioning-lifecycle",
    description:
        "Every bucket has versioning enabled and a lifecycle configuration with at least one enabled rule, " +
        "including one that expires noncurrent versions (Security Hub S3.10, S3.13).",
    enforcementLevel: MANDATORY,
    validateStack: eachBucket((bucket, args, report) => {
        const versioned =
            companions(args, bucket, S3_TYPES.versioning).some((v) => safe(() => v.props.versioningConfiguration?.status) === "Enabled") ||
            safe(() => bucket.props.versioning?.enabled) === true;
        if (!versioned) report("versioning is not enabled; add aws.s3.BucketVersioning with status Enabled");
        const rules: LifecycleRule[] = [
            ...companions(args, bucket, S3_TYPES.lifecycle).flatMap((l) => asArray(safe(() => l.props.rules) as LifecycleRule[] | undefined)),
            ...asArray(safe(() => bucket.props.lifecycleRules) as LifecycleRule[] | undefined),
        ];
        const enabled = rules.filter((r) => r.status === "Enabled" || r.enabled === true);
        if (enabled.length === 0) {
            report("has no enabled lifecycle rule; add aws.s3.BucketLifecycleConfiguration (S3.13)");
            return;
        }
        if (versioned && !enabled.some((r) => r.noncurrentVersionExpiration)) {
            report("is versioned but no enabled lifecycle rule expires noncurrent versions; add noncurrentVersionExpiration (S3.10)");
        }
    }),
};

export const s3AclsDisabled: Rule = {
    name: "s3-acls-disabled",
    description: "Every bucket disables ACLs with ownership controls BucketOwnerEnforced and has no ACL resources or grants (Security Hub S3.12).",
    enforcementLevel: MANDATORY,
    validateStack: eachBucket((bucket, args, report) => {
        const enforced = companions(args, bucket, S3_TYPES.ownership).some((o) => safe(() => o.props.rule?.objectOwnership) === "BucketOwnerEnforced");
        if (!enforced) report("ACLs are not disabled; add aws.s3.BucketOwnershipControls with objectOwnership BucketOwnerEnforced (S3.12)");
        const acls = companions(args, bucket, S3_TYPES.acl);
        const inlineAcl = safe(() => bucket.props.acl);
        const grants = asArray(safe(() => bucket.props.grants) as unknown[] | undefined);
        if (acls.length > 0 || (inlineAcl !== undefined && inlineAcl !== "private") || grants.length > 0) {
            report("is managed with ACLs; remove the ACL resources, acl and grants (S3.12)");
        }
    }),
};

export const s3Rules: Rule[] = [s3PublicAccessBlock, s3TlsOnly, s3SseKms, s3VersioningLifecycle, s3AclsDisabled];
