/** The runner is built against the Flink version of the Managed Flink runtime that Pulumi deploys. */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { FLINK_RUNTIME, flinkMinorVersion } from "../lib/versions";

const pom = fs.readFileSync(path.resolve(__dirname, "..", "runner", "pom.xml"), "utf8");

describe("versions", () => {
    it("runner/pom.xml's flink.version has the major.minor of FLINK_RUNTIME", () => {
        const version = /<flink\.version>\s*([^<\s]+)\s*<\/flink\.version>/.exec(pom)?.[1];
        expect(version, "runner/pom.xml has no <flink.version>").to.be.a("string");
        const [major, minor] = version!.split(".");
        expect(`${major}.${minor}`).to.equal(flinkMinorVersion(FLINK_RUNTIME));
    });

    it("the runtime is a Managed Flink runtime, never KA for SQL", () => {
        expect(FLINK_RUNTIME).to.match(/^FLINK-\d+_\d+$/);
        expect(() => flinkMinorVersion("SQL-1_0")).to.throw("'SQL-1_0' is not a Managed Flink runtime");
    });
});
