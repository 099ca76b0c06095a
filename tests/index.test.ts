/**
 * index.ts: dispatch on `clickstream:role`, and a user mistake ends the run with one line
 * (pulumi.RunError) before any resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import * as catalogModule from "../lib/sql/catalog";
import * as lakeModule from "../stacks/lake";
import { fixtureCatalog, lakeOutputs, OUTPUT_NAMES, REPO, settleAll, tempJar } from "./region-fixtures";
import { recorded, resetResources, resourcesOfType, stackReferenceOutputs, valueOf } from "./mocks";

/** The stack file's config as the Pulumi engine hands it over: strings, structured values as JSON. */
function engineConfig(stackFile: string, overrides: Record<string, string> = {}): Record<string, string> {
    const doc = YAML.parse(fs.readFileSync(path.join(REPO, stackFile), "utf8")) as { config: Record<string, unknown> };
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(doc.config)) out[k] = typeof v === "object" ? JSON.stringify(v) : String(v);
    return { ...out, ...overrides };
}

/** Runs index.ts afresh under the given config. */
function runIndex(config: Record<string, string>): Record<string, unknown> {
    pulumi.runtime.setAllConfig(config);
    delete require.cache[require.resolve("../index")];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("../index");
}

describe("index.ts", function () {
    this.timeout(60000);
    const mutableCatalog = catalogModule as { loadSqlCatalog: typeof catalogModule.loadSqlCatalog };
    const mutableLake = lakeModule as { createLakeStack: typeof lakeModule.createLakeStack };
    const realLoad = catalogModule.loadSqlCatalog;
    const realLake = lakeModule.createLakeStack;
    const jar = tempJar();

    before(() => {
        // The SQL under test here is the fixture's; the real sql/ is covered by tests/region-stack.test.ts.
        const catalog = fixtureCatalog(); // parsed before the stub is in place
        mutableCatalog.loadSqlCatalog = () => catalog;
        stackReferenceOutputs["acme/clickstream/lake"] = { analyticsOutputs: lakeOutputs(OUTPUT_NAMES) };
    });
    after(() => {
        mutableCatalog.loadSqlCatalog = realLoad;
        mutableLake.createLakeStack = realLake;
        pulumi.runtime.setAllConfig({});
        delete require.cache[require.resolve("../index")];
    });
    beforeEach(() => resetResources());

    it("role region builds the region stack from Pulumi.eu.yaml", async () => {
        const outputs = runIndex(engineConfig("Pulumi.eu.yaml", { "clickstream:runnerJar": jar.file }));
        const resolved = (await valueOf(outputs as never)) as Record<string, unknown>;
        await settleAll();
        expect(resolved).to.deep.include({ region: "eu-west-1", season: "on", lakeStack: "acme/clickstream/lake" });
        expect(resourcesOfType("aws:kinesisanalyticsv2/application:Application").map((a) => a.inputs.name)).to.have.members([
            "clickstream-test-realtime",
            "clickstream-test-campaigns",
            "clickstream-test-mobile",
        ]);
    });

    it("role lake calls the lake builder, and nothing of a region", async () => {
        const calls: string[] = [];
        mutableLake.createLakeStack = (config) => {
            calls.push(config.role + ":" + config.region);
            return { dispatched: "lake" };
        };
        try {
            expect(runIndex(engineConfig("Pulumi.lake.yaml"))).to.deep.equal({ dispatched: "lake" });
        } finally {
            mutableLake.createLakeStack = realLake;
        }
        await settleAll();
        expect(calls).to.deep.equal(["lake:eu-central-1"]);
        expect(recorded.filter((r) => r.type.startsWith("aws:kinesis"))).to.deep.equal([]);
    });

    it("a bad config value is one line through pulumi.RunError, before any resource", async () => {
        const run = () => runIndex(engineConfig("Pulumi.eu.yaml", { "clickstream:season": "off", "clickstream:runnerJar": jar.file }));
        expect(run).to.throw(pulumi.RunError, /^clickstream:season: 'off' is not valid; allowed: on, paused$/);
        await settleAll();
        expect(recorded).to.deep.equal([]);
    });

    it("a bad role is one line through pulumi.RunError", () => {
        expect(() => runIndex(engineConfig("Pulumi.eu.yaml", { "clickstream:role": "edge" }))).to.throw(
            pulumi.RunError,
            /^clickstream:role: 'edge' is not valid; allowed: lake, region$/,
        );
    });

    it("a missing runner jar is one line through pulumi.RunError naming npm run build:runner, before any resource", async () => {
        const missing = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "clickstream-nojar-")), "none.jar");
        expect(() => runIndex(engineConfig("Pulumi.eu.yaml", { "clickstream:runnerJar": missing }))).to.throw(
            pulumi.RunError,
            /^clickstream:runnerJar: runner jar '.*none\.jar' not found at .*; build it with `npm run build:runner` \(Maven\) and run again$/,
        );
        await settleAll();
        expect(recorded).to.deep.equal([]);
    });
});
