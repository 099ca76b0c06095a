/**
 * IAM identity policies: no wildcard actions, and no `Resource: "*"` for actions that can be scoped.
 *
 * Checked documents: `aws.iam.RolePolicy`, `aws.iam.Policy`, `aws.iam.UserPolicy`, `aws.iam.GroupPolicy`
 * and a role's `inlinePolicies`. Documents arrive as JSON strings or objects. Only `Allow` statements
 * grant access, so `Deny` statements (such as a TLS-only guard) may use wildcards. Trust policies
 * (`assumeRolePolicy`) and resource policies (KMS key, bucket, topic) are not identity policies.
 */
import { ResourceValidationArgs, ReportViolation } from "@pulumi/policy";
import { MANDATORY, PolicyStatement, Rule, asArray, parsePolicyDocument, statementLabel, statements } from "./util";

/**
 * Actions that AWS does not let you scope to a resource: the Service Authorization Reference lists no
 * resource type for them, so `Resource: "*"` is the only valid value. They are tolerated with
 * `Resource: "*"` only in a statement that also has a `Condition` (for example `cloudwatch:namespace`
 * for PutMetricData, or `aws:RequestedRegion`).
 */
export const UNSCOPABLE_ACTIONS: readonly string[] = [
    "cloudwatch:PutMetricData",
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "firehose:ListDeliveryStreams",
    "kinesis:ListStreams",
    "kinesisanalytics:ListApplications",
    "redshift-data:CancelStatement",
    "redshift-data:DescribeStatement",
    "redshift-data:GetStatementResult",
    "redshift-data:ListStatements",
    "s3:ListAllMyBuckets",
    "sts:GetCallerIdentity",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:PutTelemetryRecords",
    "xray:PutTraceSegments",
];

const UNSCOPABLE = new Set(UNSCOPABLE_ACTIONS.map((a) => a.toLowerCase()));

export const IAM_POLICY_TYPES: readonly string[] = [
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
];
const ROLE_TYPE = "aws:iam/role:Role";

/** The identity policy documents a resource carries, each with a label for messages. */
function documentsOf(args: ResourceValidationArgs): { label: string; raw: unknown }[] {
    if (IAM_POLICY_TYPES.includes(args.type)) return [{ label: "policy", raw: args.props.policy }];
    if (args.type === ROLE_TYPE) {
        return (
            asArray(args.props.inlinePolicies as { name?: string; policy?: string }[] | undefined)
                // An inline policy entry without a document (`{}`) tells the provider to remove unmanaged inline policies.
                .filter((p) => p && p.policy !== undefined && p.policy !== "")
                .map((p, i) => ({ label: `inline policy '${p.name ?? i + 1}'`, raw: p.policy }))
        );
    }
    return [];
}

function isWildcardAction(action: string): boolean {
    return action === "*" || /^[A-Za-z0-9-]+:\*$/.test(action);
}

function allows(statement: PolicyStatement): boolean {
    return statement.Effect === "Allow";
}

function forEachAllowStatement(args: ResourceValidationArgs, report: ReportViolation, check: (where: string, statement: PolicyStatement) => void): void {
    for (const { label, raw } of documentsOf(args)) {
        const parsed = parsePolicyDocument(raw);
        if ("error" in parsed) {
            report(`${label} ${parsed.error}`);
            continue;
        }
        statements(parsed.document).forEach((statement, i) => {
            if (allows(statement)) check(`${label} ${statementLabel(statement, i)}`, statement);
        });
    }
}

export const iamNoWildcardActions: Rule = {
    name: "iam-no-wildcard-actions",
    description: "IAM identity policies (inline ones too) allow no '*' or 'service:*' actions and no NotAction (Security Hub IAM.1, IAM.21).",
    enforcementLevel: MANDATORY,
    validateResource: (args, report) => {
        forEachAllowStatement(args, report, (where, statement) => {
            if (statement.NotAction !== undefined) {
                report(`${where} allows NotAction, which grants every other action; list the actions instead (IAM.1)`);
            }
            for (const action of asArray(statement.Action)) {
                if (isWildcardAction(action)) {
                    report(`${where} allows the wildcard action '${action}'; list the actions it needs (${action === "*" ? "IAM.1" : "IAM.21"})`);
                }
            }
        });
    },
};

export const iamNoWildcardResources: Rule = {
    name: "iam-no-wildcard-resources",
    description:
        "IAM identity policies (inline ones too) allow no Resource '*' (or NotResource) for actions that can be scoped; " +
        "actions in the documented UNSCOPABLE_ACTIONS list may use '*' only with a Condition (Checkov CKV_AWS_355).",
    enforcementLevel: MANDATORY,
    validateResource: (args, report) => {
        forEachAllowStatement(args, report, (where, statement) => {
            if (statement.NotResource !== undefined) {
                report(`${where} uses NotResource, which grants every other resource; list the resource ARNs (CKV_AWS_355)`);
            }
            if (!asArray(statement.Resource).includes("*")) return;
            const actions = asArray(statement.Action);
            const scopable = actions.filter((a) => !UNSCOPABLE.has(a.toLowerCase()));
            if (scopable.length > 0) {
                report(`${where} grants ${scopable.map((a) => `'${a}'`).join(", ")} on Resource '*'; scope it to ARNs (CKV_AWS_355)`);
                return;
            }
            if (!statement.Condition || Object.keys(statement.Condition).length === 0) {
                report(`${where} grants ${actions.map((a) => `'${a}'`).join(", ")} on Resource '*' without a Condition; add one (e.g. cloudwatch:namespace)`);
            }
        });
    },
};

export const iamRules: Rule[] = [iamNoWildcardActions, iamNoWildcardResources];
