/**
 * A KA for SQL application in `npm start`: the us stack (Pulumi.us.yaml) runs sql/ka/web_metrics beside
 * its Flink SQL app, and every window of its outputs reconciles against the stream's records read back
 * with their arrival times (local/ka-reconcile.ts), with its accounting.
 */
import { expect } from "chai";
import * as path from "path";
import { runPipeline } from "../pipeline";

const REPO = path.resolve(__dirname, "..", "..");

describe("local: a KA application (sql/ka/web_metrics) runs in npm start on the us stack and reconciles", function () {
    this.timeout(420_000);

    it("fills ka_active_users_1m and ka_clicks_1m, every window matches the recomputation by arrival time, and nothing is lost", async () => {
        const lines: string[] = [];
        const started = Date.now();
        const run = await runPipeline({
            stack: "us",
            duration: 10,
            rate: 200,
            seed: 5,
            keep: false,
            repo: REPO,
            log: (l) => {
                lines.push(l);
                process.stdout.write(`      ${l}\n`);
            },
        });
        process.stdout.write(`      (run took ${Math.round((Date.now() - started) / 1000)} s)\n`);
        const rec = run.reconciliation!;
        expect(rec.mismatches, JSON.stringify(rec.mismatches.slice(0, 5))).to.deep.equal([]);
        expect(run.exitCode).to.equal(0);
        for (const output of ["ka_active_users_1m", "ka_clicks_1m"]) {
            expect(rec.perOutput[output], output).to.not.equal(undefined);
            expect(rec.perOutput[output].compared, `${output}: windows compared`).to.be.greaterThan(0);
            expect(rec.perOutput[output].mismatches).to.equal(0);
        }
        expect(rec.skipped).to.deep.equal([]);
        const ka = rec.accounting.apps.find((a) => a.app === "web_metrics")!;
        expect(ka, "the KA app's accounting").to.not.equal(undefined);
        expect(ka).to.include({ read: run.sent, sent: run.sent, duplicates: 0, lost: 0, ok: true });
        expect(ka.rejected).to.equal(ka.rejectedExpected);
        expect(ka.read).to.equal(ka.rejected + ka.late + ka.counted);
        expect(rec.accounting.ok).to.equal(true);
        expect(lines).to.include(`reconciliation: ${rec.windows} windows, 0 mismatches`);
        expect(lines.some((l) => l.includes(`accounting web_metrics (KA web_metrics, clickstream-us-web): read ${run.sent} = rejected`))).to.equal(true);
    });
});
