/**
 * examples/small-pipeline under mocks: another Pulumi program that imports only the package entry point
 * (components/index.ts) builds a lake, a Glue table and Firehose per file of its own sql/outputs/, and a
 * stream and Flink app from its own config, wired together.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { readStackFile } from "../lib/config";
import { glueColumns } from "../lib/sql/glue-schema";
import { loadSqlCatalog } from "../lib/sql/catalog";
import { reassembleSqlBundle } from "../lib/runtime-properties";
import { smallPipeline } from "../examples/small-pipeline/pipeline";
import { MOCK_PROJECT, MOCK_STACK, recorded, resetResources, resourcesOfType, valueOf } from "./mocks";
import { settleAll, tempJar } from "./region-fixtures";

const EXAMPLE = path.resolve(__dirname, "..", "examples", "small-pipeline");

describe("examples/small-pipeline: a program built from the package entry point", function () {
    this.timeout(60000);
    let outputs: Awaited<ReturnType<typeof valueOf>>;
    before(async () => {
        resetResources();
        const jar = tempJar();
        const result = smallPipeline({
            config: readStackFile(path.join(EXAMPLE, "Pulumi.dev.yaml")),
            sqlDir: path.join(EXAMPLE, "sql"),
            runnerJar: jar.file,
            stackId: { project: MOCK_PROJECT, stack: MOCK_STACK },
        });
        outputs = await valueOf(result as never);
        await settleAll();
    });

    it("imports nothing from the project but the entry point", () => {
        for (const file of ["index.ts", "pipeline.ts"]) {
            const imports = [...fs.readFileSync(path.join(EXAMPLE, file), "utf8").matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
            expect(
                imports.filter((i) => i.startsWith(".") && i !== "./pipeline"),
                file,
            ).to.deep.equal(["../../components"]);
        }
    });

    it("creates a Glue table and a Firehose for each of its own outputs, with the columns of its SQL", () => {
        const catalog = loadSqlCatalog(path.join(EXAMPLE, "sql"));
        expect(catalog.outputs.map((o) => o.name)).to.deep.equal(["revenue_1m"]);
        const table = resourcesOfType("aws:glue/catalogTable:CatalogTable");
        expect(table.map((t) => t.inputs.name)).to.deep.equal(["revenue_1m"]);
        expect(table[0].inputs.databaseName).to.equal("small_clickstream");
        expect(table[0].inputs.storageDescriptor.columns).to.deep.equal(glueColumns(catalog.outputs[0]));
        expect(resourcesOfType("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").map((f) => f.inputs.name)).to.deep.equal([
            `${MOCK_PROJECT}-revenue_1m`,
        ]);
        expect(outputs).to.deep.include({ firehoses: [`${MOCK_PROJECT}-revenue_1m`] });
    });

    it("creates its configured stream and one Flink app that runs its SQL and may write only to that Firehose", () => {
        expect(resourcesOfType("aws:kinesis/stream:Stream").map((s) => s.inputs.name)).to.deep.equal(["small-orders-dev"]);
        const apps = resourcesOfType("aws:kinesisanalyticsv2/application:Application");
        expect(apps.map((a) => a.inputs.name)).to.deep.equal([`${MOCK_PROJECT}-${MOCK_STACK}-revenue`]);
        const groups = apps[0].inputs.applicationConfiguration.environmentProperties.propertyGroups.map(
            (g: { propertyGroupId: string; propertyMap: Record<string, string> }) => ({ PropertyGroupId: g.propertyGroupId, PropertyMap: g.propertyMap }),
        );
        expect(reassembleSqlBundle(groups).statements.map((s) => s.file)).to.deep.equal([
            "sql/sources/orders_raw.sql",
            "sql/outputs/revenue_1m.sql",
            "sql/outputs/revenue_1m.sql",
        ]);
        expect(groups.find((g: { PropertyGroupId: string }) => g.PropertyGroupId === "table.orders_raw").PropertyMap).to.include({
            connector: "kinesis",
            stream: "small-orders-dev",
            "aws.region": "eu-west-1",
        });
        const policy = JSON.parse(recorded.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name === "small-app-revenue-policy")!.inputs.policy);
        const firehose = policy.Statement.find((s: { Sid: string }) => s.Sid === "WriteLakeFirehoses");
        expect(firehose.Resource).to.deep.equal([`arn:aws:firehose:eu-central-1:123456789012:deliverystream/${MOCK_PROJECT}-revenue_1m`]);
    });
});
