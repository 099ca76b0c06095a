import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { policies } from "../../policy/policies";

describe("policy pack: shape", () => {
    it("has 27 uniquely named rules, all mandatory", () => {
        const names = policies.map((p) => p.name);
        expect(names).to.have.length(27);
        expect(new Set(names).size).to.equal(names.length);
        expect(policies.filter((p) => p.enforcementLevel !== "mandatory").map((p) => p.name)).to.deep.equal([]);
    });

    it("every rule is documented in docs/SECURITY.md", () => {
        const doc = fs.readFileSync(path.resolve(__dirname, "..", "..", "docs", "SECURITY.md"), "utf8");
        expect(policies.map((p) => p.name).filter((n) => !doc.includes(`\`${n}\``))).to.deep.equal([]);
    });

    it("the pack folder runs with `pulumi preview --policy-pack policy`", () => {
        const dir = path.resolve(__dirname, "..", "..", "policy");
        expect(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8")).to.match(/^runtime: nodejs$/m);
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        expect(pkg.version).to.be.a("string").and.not.equal("");
        expect(pkg.main).to.equal("index.ts");
        const root = JSON.parse(fs.readFileSync(path.resolve(dir, "..", "package.json"), "utf8"));
        // The pack pins what the program pins, so a local install and the repository's agree.
        for (const dep of ["@pulumi/policy", "@pulumi/pulumi", "@pulumi/aws"]) {
            expect(pkg.dependencies[dep], dep).to.equal(root.dependencies[dep] ?? root.devDependencies[dep]);
        }
    });
});
