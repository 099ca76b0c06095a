/**
 * Pulumi.yaml's `config:` block (typed project config) and lib/config.ts agree: every declared key is one
 * that lib/config.ts reads, a declared default is exactly what lib/config.ts uses when the key is unset,
 * a key without default is required, and the declared type is the one lib/config.ts accepts. The checks
 * run the parser itself, so they do not restate its defaults; and every stack file's value of a declared
 * key has the declared type (Pulumi checks stack values against the block).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ConfigError, ConfigReader, NAMESPACE, parseLakeConfig, parseRegionConfig, parseRole, readProjectName } from "../lib/config";

const REPO = path.resolve(__dirname, "..");
const project = YAML.parse(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8")) as {
    config: Record<string, { type: "string" | "integer" | "boolean"; default?: unknown; description?: string }>;
};
const declared = Object.entries(project.config);
const ID = { project: readProjectName(REPO), stack: "lake" };
const OUTPUTS = ["clicks_1m", "rejected_events"];

const lakeReader =
    (values: Record<string, unknown> = {}): ConfigReader =>
    (k) =>
        ({ "aws:region": "eu-central-1", [`${NAMESPACE}:role`]: "lake", ...values })[k];
const regionReader =
    (values: Record<string, unknown> = {}): ConfigReader =>
    (k) =>
        ({
            "aws:region": "eu-west-1",
            [`${NAMESPACE}:role`]: "region",
            [`${NAMESPACE}:lakeStack`]: "acme/clickstream/lake",
            [`${NAMESPACE}:sources`]: { web: { streamName: "s", mode: "create" } },
            [`${NAMESPACE}:apps`]: { a: { source: "web" } },
            ...values,
        })[k];

/** The parsed value of `key` in whichever role's config has it (both for keys of both roles). */
function parsedValues(key: string, values: Record<string, unknown> = {}): unknown[] {
    const lake = parseLakeConfig(lakeReader(values), ID) as unknown as Record<string, unknown>;
    const region = parseRegionConfig(regionReader(values), OUTPUTS) as unknown as Record<string, unknown>;
    return [lake, region].filter((c) => key in c).map((c) => c[key]);
}

describe("Pulumi.yaml: typed project config", () => {
    it("declares the simple keys, each with a type and a description", () => {
        expect(declared.map(([k]) => k)).to.have.members([
            "role",
            "season",
            "logRetentionDays",
            "runnerJar",
            "glueDatabase",
            "spectrumSchema",
            "firehoseBufferIntervalSeconds",
            "firehoseBufferSizeMiB",
            "noncurrentVersionExpirationDays",
            "errorOutputExpirationDays",
            "athenaResultsExpirationDays",
        ]);
        for (const [k, spec] of declared) {
            expect(["string", "integer"], k).to.include(spec.type);
            expect(spec.description, k).to.be.a("string").and.not.equal("");
        }
    });

    for (const [key, spec] of declared.filter(([k]) => k !== "role")) {
        it(`${key}: lib/config.ts reads it, and uses ${JSON.stringify(spec.default)} when it is unset`, () => {
            const values = parsedValues(key);
            expect(values, `${key} is a field of a parsed config`).to.not.deep.equal([]);
            for (const v of values) expect(v, key).to.equal(spec.default);
        });
        if (spec.type === "integer") {
            it(`${key}: an integer for lib/config.ts too (a non-integer is refused with one line)`, () => {
                expect(() => parsedValues(key, { [`${NAMESPACE}:${key}`]: "1.5" })).to.throw(ConfigError, `${NAMESPACE}:${key}: '1.5' is not valid;`);
            });
        }
    }

    it("role has no default, and lib/config.ts requires it", () => {
        expect(project.config.role.default).to.equal(undefined);
        expect(() => parseRole(() => undefined)).to.throw(ConfigError, `${NAMESPACE}:role: not set; allowed: lake, region`);
    });

    it("every stack file gives a declared key a value of the declared type", () => {
        const stacks = fs.readdirSync(REPO).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));
        expect(stacks).to.include.members(["Pulumi.lake.yaml", "Pulumi.eu.yaml", "Pulumi.us.yaml"]);
        for (const file of stacks) {
            const config = (YAML.parse(fs.readFileSync(path.join(REPO, file), "utf8")) as { config: Record<string, unknown> }).config;
            for (const [key, spec] of declared) {
                const value = config[`${NAMESPACE}:${key}`];
                if (value === undefined) continue;
                expect(typeof value, `${file} ${key}`).to.equal(spec.type === "integer" ? "number" : "string");
            }
        }
    });
});
