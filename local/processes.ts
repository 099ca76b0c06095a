/**
 * Child processes of a local run: spawned in their own process group, tracked by pid, and stopped with
 * escalation (SIGTERM, wait, SIGKILL) on success, on error and on Ctrl-C. Nothing is found by name.
 */
import { ChildProcess, spawn, SpawnOptions } from "child_process";
import * as fs from "fs";
import * as net from "net";

export interface Managed {
    name: string;
    child: ChildProcess;
    exited: Promise<number | null>;
}

export class ProcessGroup {
    private readonly children: Managed[] = [];

    spawn(name: string, command: string, args: string[], options: SpawnOptions & { logFile?: string } = {}): Managed {
        const log = options.logFile ? fs.openSync(options.logFile, "a") : "ignore";
        const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", log, log] });
        if (typeof log === "number") fs.closeSync(log);
        const exited = new Promise<number | null>((resolve) => {
            child.once("exit", (code, signal) => resolve(code ?? (signal ? -1 : null)));
            child.once("error", () => resolve(-1));
        });
        const managed = { name, child, exited };
        this.children.push(managed);
        return managed;
    }

    pids(): number[] {
        return this.children.filter((c) => c.child.exitCode === null && c.child.signalCode === null && c.child.pid).map((c) => c.child.pid!);
    }

    /** Stops one child: SIGTERM to its process group, then SIGKILL after `graceMs`. */
    async stop(m: Managed, graceMs = 5000): Promise<void> {
        const pid = m.child.pid;
        if (!pid || m.child.exitCode !== null || m.child.signalCode !== null) return;
        signalGroup(pid, "SIGTERM");
        const done = await Promise.race([m.exited.then(() => true), delay(graceMs).then(() => false)]);
        if (!done) {
            signalGroup(pid, "SIGKILL");
            await Promise.race([m.exited, delay(3000)]);
        }
        // The group may hold grandchildren that outlived the leader.
        signalGroup(pid, "SIGKILL");
    }

    /** Stops every child, newest first. */
    async stopAll(graceMs = 5000): Promise<void> {
        await Promise.all([...this.children].reverse().map((c) => this.stop(c, graceMs)));
    }

    /** Last resort (process exit): SIGKILL every group synchronously. */
    killAllSync(): void {
        for (const c of this.children) if (c.child.pid) signalGroup(c.child.pid, "SIGKILL");
    }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pid, signal);
    } catch {
        try {
            process.kill(pid, signal);
        } catch {
            // already gone
        }
    }
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1 (bound, then released). */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });
}

/** Resolves when something accepts connections on 127.0.0.1:port, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, alive?: () => boolean): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
        const ok = await new Promise<boolean>((resolve) => {
            const sock = net.connect(port, "127.0.0.1");
            sock.once("connect", () => {
                sock.destroy();
                resolve(true);
            });
            sock.once("error", () => resolve(false));
        });
        if (ok) return;
        if (alive && !alive()) throw new Error(`the process meant to listen on port ${port} exited`);
        if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
        await delay(200);
    }
}

/** Every live process's parent and resident set size in bytes, read from Linux /proc. */
export function processTable(): Map<number, { ppid: number; rss: number }> {
    const table = new Map<number, { ppid: number; rss: number }>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            table.set(Number(entry), { ppid: Number(fields[1]), rss: Number(fields[21]) * 4096 });
        } catch {
            // exited meanwhile
        }
    }
    return table;
}

/** Resident set size of a pid and all its descendants, in bytes (Linux /proc). */
export function treeRss(rootPids: number[]): number {
    const table = processTable();
    const children = new Map<number, number[]>();
    for (const [pid, { ppid }] of table) {
        if (!children.has(ppid)) children.set(ppid, []);
        children.get(ppid)!.push(pid);
    }
    let total = 0;
    const seen = new Set<number>();
    const visit = (pid: number) => {
        if (seen.has(pid)) return;
        seen.add(pid);
        total += table.get(pid)?.rss ?? 0;
        for (const c of children.get(pid) ?? []) visit(c);
    };
    rootPids.forEach(visit);
    return total;
}
