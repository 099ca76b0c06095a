/** Evaluating the lake stack under the shared mocks, and finding what it registered. */
import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { LakeConfig } from "../lib/config";
import { PolicyDocument } from "../lib/iam/lake-policies";
import { loadSqlCatalog, SqlCatalog } from "../lib/sql/catalog";
import { createLakeStack } from "../stacks/lake";
import { MOCK_PROJECT, MOCK_STACK, recorded, RecordedResource, resetResources, settle, valueOf } from "./mocks";

export const AWS = "123456789012";
/** The bucket the lake stack creates under the mocks: `<project>-<stack>-<account>-<region>`. */
export const BUCKET = `${MOCK_PROJECT}-${MOCK_STACK}-123456789012-eu-central-1`;
export const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
export const KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/key-lake-key";
export const GLUE = "arn:aws:glue:eu-central-1:123456789012";

export interface Evaluated {
    outputs: Record<string, unknown>;
    catalog: SqlCatalog;
}

/** Builds the lake stack from `config` and the `sql/` at `sqlDir`, and waits for every output and registration. */
export async function evaluateLake(config: LakeConfig, sqlDir?: string): Promise<Evaluated> {
    resetResources();
    const catalog = sqlDir ? loadSqlCatalog(sqlDir) : loadSqlCatalog();
    const raw = createLakeStack(config, catalog, sqlDir ? { sqlDir } : {});
    const outputs = (await valueOf(pulumi.output(raw) as unknown as pulumi.Output<Record<string, unknown>>)) as Record<string, unknown>;
    await settle();
    await settle();
    return { outputs, catalog };
}

export function all(type: string): RecordedResource[] {
    return recorded.filter((r) => r.type === type);
}

/** The one resource of `type` named `name`; fails if absent or duplicated. */
export function one(type: string, name: string): RecordedResource {
    const found = recorded.filter((r) => r.type === type && r.name === name);
    expect(found, `${type} ${name}`).to.have.length(1);
    return found[0];
}

export function policyOf(resource: RecordedResource, key = "policy"): { Version: string; Statement: Record<string, unknown>[] } {
    return JSON.parse(resource.inputs[key] as string);
}

/** Every Allow uses named actions (no `*`, no `service:*`) on ARNs (no `Resource: "*"`). */
export function expectLeastPrivilege(policy: PolicyDocument): void {
    for (const s of policy.Statement.filter((st) => st.Effect === "Allow")) {
        for (const action of ([] as string[]).concat(s.Action)) {
            expect(action, `${s.Sid}: ${action}`).to.match(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
        }
        for (const resource of ([] as string[]).concat(s.Resource ?? [])) {
            expect(resource, `${s.Sid}: ${resource}`).to.match(/^arn:aws:/);
        }
    }
}
