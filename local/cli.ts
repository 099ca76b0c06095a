/**
 * `npm start -- [--stack eu] [--duration SECONDS] [--rate EVENTS_PER_SECOND] [--seed N] [--events FILE] [--keep] [--port N] [--serve]`
 * Runs the whole pipeline locally, with a live dashboard on 127.0.0.1. See docs/LOCAL.md.
 */
import * as fs from "fs";
import * as path from "path";
import { Command } from "commander";
import { regionStacks } from "../lib/config";
import { ArgError, parseArgs, stackName, validated, wholeNumberArg } from "./args";
import { DashboardServer } from "./dashboard-server";
import { runPipeline, RunOptions } from "./pipeline";

const REPO = path.resolve(__dirname, "..");

/** The flags that npm start, the drill and the local benchmark share: the region stack and the generator's seed. */
export function localRunFlags(program: Command): Command {
    return program
        .option(
            "--stack <name>",
            "region stack (Pulumi.<name>.yaml)",
            validated((v) => stackName(v, regionStacks(REPO))),
            "eu",
        )
        .option("--seed <n>", "generator seed (same seed, same events)", wholeNumberArg("--seed", 0, 2 ** 31 - 1), 42);
}

export function buildProgram(): Command {
    return localRunFlags(
        new Command("npm start --").description(
            [
                "Runs the clickstream pipeline on this machine (127.0.0.1), with no AWS account:",
                "",
                "  1. kinesis-local (Kinesis emulator), fed by a deterministic clickstream",
                "     generator (or by --events FILE)",
                "  2. the runner jar and sql/ in Flink local mode, one JVM per app of the stack",
                "  3. a Firehose stand-in writing Parquet (Glue schema) to",
                "     .local/lake/<output>/year=/month=/day=/hour=/",
                "  4. the sql/athena/ queries with DuckDB, and .local/dashboard.html; during",
                "     the run, a live dashboard on http://127.0.0.1:<port>/ (its URL is printed)",
                "  5. a reconciliation of every window against an independent DuckDB",
                "     recomputation from .local/run/ground-truth.jsonl",
                "",
                "Exit 0 only with 0 mismatches; 1 on a mismatch or a failure; 2 on a bad flag.",
            ].join("\n"),
        ),
    )
        .option("--duration <seconds>", "seconds of generated traffic", wholeNumberArg("--duration", 5, 3600), 60)
        .option("--rate <events/s>", "events per second (shards sized for it)", wholeNumberArg("--rate", 1, 20000), 200)
        .option(
            "--events <file>",
            "replay a JSON-lines file (one record a line)",
            validated((v) => {
                if (!fs.existsSync(v) || !fs.statSync(v).isFile()) throw new ArgError(`--events: '${v}' is not a readable file`);
                return path.resolve(v);
            }),
        )
        .option("--keep", "keep .local/run and .local/lake of earlier runs")
        .option("--time-scale <n>", "event-time seconds per wall second", wholeNumberArg("--time-scale", 1, 60), 10)
        .option("--port <n>", "port of the live dashboard on 127.0.0.1 (default: a free one)", wholeNumberArg("--port", 1, 65535))
        .option("--serve", "keep serving the live dashboard after the run, until Ctrl-C")
        .addHelpText(
            "after",
            [
                "",
                "Examples:",
                "  npm start",
                "  npm start -- --duration 30 --rate 500 --seed 7",
                "  npm start -- --events my-events.jsonl --rate 100",
                "  npm start -- --serve --port 8080",
                "",
                "Outputs:",
                "  .local/run/           ground truth, app properties, logs",
                "  .local/lake/          Parquet files, and errors/ for failed conversions",
                "  .local/dashboard.html charts and query results",
                "  http://127.0.0.1:<port>/ the live dashboard, during the run (or on, with --serve)",
                "",
                "Ctrl-C stops every process it started (by pid, SIGTERM then SIGKILL);",
                "after the run, with --serve, it closes the dashboard (exit: the run's code).",
                "See docs/LOCAL.md.",
            ].join("\n"),
        );
}

export async function main(argv: string[]): Promise<number> {
    const o = parseArgs(buildProgram(), argv);
    if (typeof o === "number") return o;
    const options: RunOptions = {
        stack: o.stack,
        duration: o.duration,
        rate: o.rate,
        seed: o.seed,
        events: o.events,
        keep: Boolean(o.keep),
        timeScale: o.timeScale,
        dashboard: { port: o.port ?? 0, serve: Boolean(o.serve) },
    };
    try {
        const r = await runPipeline(options);
        if (r.dashboard) await serveUntilSignal(r.dashboard);
        return r.exitCode;
    } catch (e) {
        process.stderr.write(`npm start failed: ${(e as Error).message}\n`);
        return 1;
    }
}

/** `--serve`: waits for Ctrl-C (or SIGTERM), then closes the dashboard. */
export async function serveUntilSignal(server: DashboardServer, log = (l: string) => process.stdout.write(l + "\n")): Promise<NodeJS.Signals> {
    log(`dashboard: ${server.url} (serving the finished run until Ctrl-C)`);
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
        const on = (s: NodeJS.Signals) => {
            process.off("SIGINT", on);
            process.off("SIGTERM", on);
            resolve(s);
        };
        process.on("SIGINT", on);
        process.on("SIGTERM", on);
    });
    await server.close();
    log(`${signal}: dashboard closed`);
    return signal;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
