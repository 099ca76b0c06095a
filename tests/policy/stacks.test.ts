/**
 * The three example stacks, evaluated under the shared mocks exactly as configured in
 * Pulumi.lake.yaml / Pulumi.eu.yaml / Pulumi.us.yaml, pass the whole policy pack.
 *
 * Resource rules see each resource's inputs (what the engine's `Analyze` call receives); stack rules see
 * outputs (what `AnalyzeStack` receives), which under mocks are the inputs plus the mocks' `id`, `arn`
 * and bucket name.
 */
import { expect } from "chai";
import * as path from "path";
import { parseLakeConfig, readStackFile } from "../../lib/config";
import { LAKE_ID } from "../lake-fixtures";
import { policies } from "../../policy/policies";
import { evaluateLake } from "../lake-helpers";
import { loadSqlCatalog } from "../../lib/sql/catalog";
import { recorded, RecordedResource } from "../mocks";
import { evaluateRegion } from "../region-fixtures";
import { runPack, Violation } from "./harness";

const REPO = path.resolve(__dirname, "..", "..");

/** The state the shared mocks return for a resource (tests/mocks.ts `newResource`). */
function mockOutputs(r: RecordedResource): Record<string, unknown> {
    const outputs: Record<string, unknown> = { ...r.inputs, id: `${r.name}-id` };
    if (r.type === "aws:s3/bucket:Bucket" || r.type === "aws:s3/bucketV2:BucketV2") {
        outputs.bucket = r.inputs.bucket ?? `${r.name}-bucket`;
        outputs.arn = `arn:aws:s3:::${outputs.bucket}`;
    }
    return outputs;
}

async function packViolations(drop?: (r: RecordedResource) => boolean): Promise<Violation[]> {
    const resources = recorded
        .filter((r) => r.type.startsWith("aws:") && !(drop && drop(r)))
        .map((r) => ({ type: r.type, name: r.name, inputs: r.inputs, outputs: mockOutputs(r) }));
    return runPack(policies, resources);
}

function show(violations: Violation[]): string {
    return violations.map((v) => `${v.policy} ${v.resource}: ${v.message}`).join("\n");
}

describe("policy pack: the example stacks pass every rule", function () {
    this.timeout(120_000);

    it("lake (Pulumi.lake.yaml)", async () => {
        // The real sql/ folder: every output the examples deploy.
        await evaluateLake(parseLakeConfig(readStackFile(path.join(REPO, "Pulumi.lake.yaml")), LAKE_ID), path.join(REPO, "sql"));
        const types = new Set(recorded.map((r) => r.type));
        // The evaluation really produced what the rules look at.
        for (const t of [
            "aws:s3/bucket:Bucket",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws:kms/key:Key",
            "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
            "aws:athena/workgroup:Workgroup",
            "aws:iam/rolePolicy:RolePolicy",
            "aws:cloudwatch/logGroup:LogGroup",
            "aws:cloudwatch/metricAlarm:MetricAlarm",
        ]) {
            expect(types.has(t), t).to.equal(true);
        }
        const violations = await packViolations();
        expect(violations, show(violations)).to.deep.equal([]);
        // Control: the same run without the bucket's public-access block is caught, so the stack rules
        // really link the companions to the bucket.
        const withoutBlock = await packViolations((r) => r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
        expect(withoutBlock.map((v) => v.policy)).to.deep.equal(["s3-public-access-block"]);
    });

    for (const stack of ["Pulumi.eu.yaml", "Pulumi.us.yaml"]) {
        it(`region (${stack})`, async () => {
            await evaluateRegion(stack, { catalog: loadSqlCatalog() });
            const types = new Set(recorded.map((r) => r.type));
            for (const t of [
                "aws:kinesis/stream:Stream",
                "aws:kinesisanalyticsv2/application:Application",
                "aws:s3/bucket:Bucket",
                "aws:iam/rolePolicy:RolePolicy",
                "aws:cloudwatch/logGroup:LogGroup",
                "aws:cloudwatch/metricAlarm:MetricAlarm",
            ]) {
                expect(types.has(t), t).to.equal(true);
            }
            const violations = await packViolations();
            expect(violations, show(violations)).to.deep.equal([]);
        });
    }
});
