/**
 * Flink's REST API of a local runner JVM (its MiniCluster listens on 127.0.0.1 at `runner/local.rest.port`):
 * what Managed Flink's control plane does for a deployed app, done by hand for local runs and the drill:
 * stop with a savepoint (`season: paused`, or an update), and read operator metrics.
 */
import * as fs from "fs";
import * as path from "path";
import { delay } from "./processes";

export class FlinkRestError extends Error {}

async function call<T>(port: number, route: string, init?: { method: string; body: unknown }): Promise<T> {
    const res = await fetch(`http://127.0.0.1:${port}${route}`, {
        method: init?.method ?? "GET",
        headers: init ? { "content-type": "application/json" } : undefined,
        body: init ? JSON.stringify(init.body) : undefined,
        signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    if (!res.ok) throw new FlinkRestError(`${init?.method ?? "GET"} ${route}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
}

/** The id of the job running in the runner JVM on `port`, waiting up to `timeoutMs` for it to be RUNNING. */
export async function runningJob(port: number, timeoutMs = 60_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
        try {
            const o = await call<{ jobs: { jid: string; state: string }[] }>(port, "/jobs/overview");
            const job = o.jobs.find((j) => j.state === "RUNNING");
            if (job) return job.jid;
        } catch {
            // not listening yet
        }
        if (Date.now() > until) throw new FlinkRestError(`no RUNNING job on 127.0.0.1:${port} after ${timeoutMs / 1000} s`);
        await delay(500);
    }
}

/** The savepoints in `dir` (Flink writes a savepoint's `_metadata` last, when it completes). */
function completedSavepoints(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .filter((e) => e.startsWith("savepoint-") && fs.existsSync(path.join(dir, e, "_metadata")))
        .map((e) => path.join(dir, e));
}

/**
 * Stops the job with a savepoint in `dir` (drain: fire every window first, as at the end of input), and
 * returns the savepoint's location. The runner JVM exits once the job has finished, which can be before the
 * next poll of the savepoint's status: then the savepoint is the one completed in `dir` since the request.
 */
export async function stopWithSavepoint(port: number, dir: string, drain: boolean, timeoutMs = 120_000): Promise<string> {
    const job = await runningJob(port, 10_000);
    const before = new Set(completedSavepoints(dir));
    const { "request-id": request } = await call<{ "request-id": string }>(port, `/jobs/${job}/stop`, {
        method: "POST",
        body: { targetDirectory: `file://${dir}`, drain },
    });
    const until = Date.now() + timeoutMs;
    for (;;) {
        let s: { status: { id: string }; operation?: { location?: string; "failure-cause"?: { "stack-trace"?: string } } };
        try {
            s = await call(port, `/jobs/${job}/savepoints/${request}`);
        } catch (e) {
            if (e instanceof FlinkRestError) throw e;
            // Not answering: the JVM may have exited after the job finished with its savepoint.
            const made = completedSavepoints(dir).filter((p) => !before.has(p));
            if (made.length === 1) return made[0];
            throw e;
        }
        if (s.status.id === "COMPLETED") {
            const location = s.operation?.location;
            if (!location) throw new FlinkRestError(`stop with savepoint failed: ${(s.operation?.["failure-cause"]?.["stack-trace"] ?? "").split("\n")[0]}`);
            return location.replace(/^file:/, "");
        }
        if (Date.now() > until) throw new FlinkRestError(`stop with savepoint did not complete within ${timeoutMs / 1000} s`);
        await delay(500);
    }
}

/** Current value of every operator metric whose name ends with one of `names`, summed over subtasks. */
export async function operatorMetrics(port: number, names: string[]): Promise<Record<string, number>> {
    const job = await runningJob(port, 5_000);
    const { vertices } = await call<{ vertices: { id: string }[] }>(port, `/jobs/${job}`);
    const totals: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
    for (const v of vertices) {
        const available = await call<{ id: string }[]>(port, `/jobs/${job}/vertices/${v.id}/metrics`);
        const wanted = available.map((m) => m.id).filter((id) => names.some((n) => id.endsWith(`.${n}`)));
        if (wanted.length === 0) continue;
        const values = await call<{ id: string; value: string }[]>(
            port,
            `/jobs/${job}/vertices/${v.id}/metrics?get=${wanted.map(encodeURIComponent).join(",")}`,
        );
        for (const m of values) {
            const name = names.find((n) => m.id.endsWith(`.${n}`))!;
            totals[name] += Number(m.value) || 0;
        }
    }
    return totals;
}
