import { expect } from "chai";
import { DrillResult, runDrill } from "../drill";

describe("local: the season drill (npm run drill)", function () {
    this.timeout(900_000);
    let result: DrillResult;
    const lines: string[] = [];

    before(async () => {
        result = await runDrill({
            stack: "eu",
            seed: 7,
            rate: 240,
            shards: 4,
            steadySeconds: 20,
            log: (l) => (lines.push(l), process.stdout.write(`      ${l}\n`)),
        });
    });

    it("ends with 0 mismatches and 0 lost over every window of every output, and exits 0", () => {
        const last = lines[lines.length - 1];
        expect(last).to.match(/^drill: 6 phases, \d+ windows, 0 mismatches, \d+ late, 0 lost$/);
        expect(result.reconciliation.windows).to.be.above(1000);
        expect(result.reconciliation.accounting.ok, result.reconciliation.accounting.apps.map((a) => a.line).join("\n")).to.equal(true);
        expect(result.exitCode).to.equal(0);
    });

    it("goes through steady, pause, resume, SQL change, crash and drain, one line each", () => {
        expect(result.phases.map((p) => p.name)).to.deep.equal(["steady", "pause", "resume", "SQL change", "crash", "drain"]);
        for (const [i, p] of result.phases.entries()) expect(lines.filter((l) => l.includes(`drill: phase ${i + 1}/6 ${p.name}: `))).to.have.length(1);
    });

    it("reads several shards per stream with a backlog after the resume, and skew between them", () => {
        expect(lines.find((l) => l.includes("drill: phase 1/6 steady"))).to.match(/on 2 streams \(4 and 4 shards/);
        expect(result.backlog).to.be.above(500);
        expect(result.maxSkewMs).to.be.above(60_000); // shards more than the 1-minute bound apart, and no event late for it
    });

    it("keeps state across the SQL change where nothing changed, and survives kill -9", () => {
        const change = lines.find((l) => l.includes("drill: phase 4/6 SQL change"))!;
        expect(change).to.match(/state kept by \d+ operators, 3 start empty \(globalwindowaggregate, globalwindowaggregate, sink\), 1 snapshot states dropped/);
        expect(lines.find((l) => l.includes("drill: phase 5/6 crash"))).to.match(
            /kill -9 of realtime \(pid \d+\); restarted from its latest checkpoint chk-\d+ and running again after [\d.]+ s \(new pid \d+\)/,
        );
        expect(result.reconciliation.perOutput.clicks_1m.straddling).to.be.a("number");
    });

    it("records the late events of the offline devices, and only valid unique events", () => {
        expect(result.reconciliation.late).to.be.above(10);
        const mobile = result.reconciliation.accounting.apps.find((a) => a.app === "mobile")!;
        expect(mobile.late).to.equal(result.reconciliation.late);
        expect(Object.keys(result.latePerPhase)).to.deep.equal(["steady", "pause", "resume", "SQL change", "crash", "drain"]);
    });
});
