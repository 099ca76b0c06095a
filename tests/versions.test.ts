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

    it("both AWS connectors take their version from the one aws.connector.version property", () => {
        const dependency = (artifact: string) => new RegExp(`<artifactId>${artifact}</artifactId>\\s*<version>([^<]+)</version>`).exec(pom)?.[1];
        expect(dependency("flink-connector-kinesis")).to.equal("${aws.connector.version}");
        expect(dependency("flink-connector-aws-kinesis-firehose")).to.equal("${aws.connector.version}");
        expect(/<aws\.connector\.version>([^<]+)<\/aws\.connector\.version>/.exec(pom)?.[1]).to.equal("4.3.0-1.19");
    });

    it("the runtime is a Managed Flink runtime, never KA for SQL", () => {
        expect(FLINK_RUNTIME).to.match(/^FLINK-\d+_\d+$/);
        expect(() => flinkMinorVersion("SQL-1_0")).to.throw("'SQL-1_0' is not a Managed Flink runtime");
    });
});
