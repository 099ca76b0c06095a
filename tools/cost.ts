/**
 * `npm run cost -- --stack eu --events-per-second N --days D [--event-bytes B] [--prices FILE]`
 *
 * Estimates what one season of a source region costs, line by line, from what `Pulumi.<stack>.yaml`
 * would really deploy. The calculation is in `tools/cost-model.ts`; this file reads the files, checks
 * the flags and prints. Model and prices: docs/COST.md.
 */
import { Command, CommanderError } from "commander";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, outputNamesOf, parseLakeConfig, parseRegionConfig, parseRole, readProjectName, readStackFile, RegionConfig } from "../lib/config";
import { isReportQuery, kaAppOutputs, lakeOutputs, loadQueryFiles, loadSqlCatalog, OutputTable, SqlDefinitionError } from "../lib/sql/catalog";
import { DASHBOARD_QUERY_HOURS } from "../lib/sql/dashboard-range";
import { ArgError, wholeNumber } from "../local/args";
import {
    AthenaScanFile,
    CostInput,
    dashboardScans,
    estimateSeason,
    formatEstimate,
    mergePriceBooks,
    PriceBook,
    throughputFromBenchmarks,
    validatePriceBook,
} from "./cost-model";

const REPO = path.resolve(__dirname, "..");

/** The repository's SQL catalog: the outputs the apps may fill, and the queries a dashboard refresh runs. */
function sqlOf(repo: string): { outputs: OutputTable[]; lakeOutputs: OutputTable[]; kaApps: Record<string, string[]>; dashboardQueries: string[] } {
    const sqlDir = path.join(repo, "sql");
    const dashboardQueries = loadQueryFiles(path.join(sqlDir, "athena"))
        .map((q) => q.name)
        .filter((name) => !isReportQuery(name));
    const catalog = loadSqlCatalog(sqlDir, repo);
    return {
        outputs: catalog.outputs,
        // A KA app's outputs are Firehoses too (docs/KA-MIGRATION.md).
        lakeOutputs: lakeOutputs(catalog),
        kaApps: kaAppOutputs(catalog),
        dashboardQueries,
    };
}

/** What the dashboard queries scanned on the local lake (tools/athena-scan.json), when measured. */
export function readAthenaScan(repo: string): AthenaScanFile | undefined {
    const file = path.join(repo, "tools", "athena-scan.json");
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as AthenaScanFile) : undefined;
}

export function loadPriceBook(defaultFile: string, overrideFile?: string): PriceBook {
    const read = (file: string): PriceBook => {
        if (!fs.existsSync(file)) throw new ArgError(`--prices: '${file}' does not exist`);
        try {
            return JSON.parse(fs.readFileSync(file, "utf8")) as PriceBook;
        } catch (e) {
            throw new ArgError(`--prices: '${file}' is not valid JSON (${(e as Error).message})`);
        }
    };
    const base = read(defaultFile);
    const book = overrideFile ? mergePriceBooks(base, read(overrideFile)) : base;
    try {
        return validatePriceBook(book, overrideFile ?? defaultFile);
    } catch (e) {
        throw new ArgError((e as Error).message);
    }
}

export interface Options {
    stack: string;
    eventsPerSecond: string;
    days: string;
    eventBytes?: string;
    prices?: string;
    attachedShards?: string;
    sourceRate?: string[];
}

/** Everything the model needs, from the flags and the repository's files. */
export function buildInput(opts: Options, repo = REPO): { input: CostInput; throughputSource: string } {
    if (!/^[A-Za-z0-9_.-]+$/.test(opts.stack ?? "")) throw new ArgError(`--stack: '${opts.stack}' is not valid; expected a stack name such as eu or us`);
    const stackFile = path.join(repo, `Pulumi.${opts.stack}.yaml`);
    if (!fs.existsSync(stackFile)) throw new ArgError(`--stack: '${opts.stack}' is not valid; Pulumi.${opts.stack}.yaml does not exist`);
    const eventsPerSecond = wholeNumber("--events-per-second", opts.eventsPerSecond, 1, 10_000_000);
    const days = wholeNumber("--days", opts.days, 1, 366);
    const book = loadPriceBook(path.join(repo, "tools", "prices.json"), opts.prices);
    const eventBytes = opts.eventBytes === undefined ? book.assumptions.eventBytes.value : wholeNumber("--event-bytes", opts.eventBytes, 1, 1_048_576);
    const attachedShards =
        opts.attachedShards === undefined ? book.assumptions.attachedStreamShards.value : wholeNumber("--attached-shards", opts.attachedShards, 1, 10_000);

    const read = readStackFile(stackFile);
    let sql: ReturnType<typeof sqlOf>;
    try {
        sql = sqlOf(repo);
    } catch (e) {
        if (e instanceof SqlDefinitionError) throw new ArgError(e.message);
        throw e;
    }
    let config: RegionConfig;
    try {
        if (parseRole(read) !== "region") {
            throw new ArgError(`--stack: '${opts.stack}' is a lake stack; the estimate is per source region (a stack with clickstream:role: region)`);
        }
        config = parseRegionConfig(read, ...outputNamesOf(sql.outputs), sql.kaApps);
    } catch (e) {
        if (e instanceof ConfigError) throw new ArgError(`Pulumi.${opts.stack}.yaml: ${e.message}`);
        throw e;
    }

    const rates: Record<string, number> = Object.fromEntries(config.sources.map((s) => [s.name, eventsPerSecond]));
    for (const pair of opts.sourceRate ?? []) {
        const m = /^([^=]+)=(.*)$/.exec(pair);
        if (!m || !config.sources.some((s) => s.name === m[1])) {
            throw new ArgError(
                `--source-rate: '${pair}' is not valid; expected <source>=<events per second> with a source of ${opts.stack}: ${config.sources.map((s) => s.name).join(", ")}`,
            );
        }
        rates[m[1]] = wholeNumber(`--source-rate ${m[1]}`, m[2], 0, 10_000_000);
    }

    // The lake's Firehose buffering decides how many objects land in S3.
    let firehose = { bufferIntervalSeconds: 60, bufferSizeMiB: 128 };
    const lakeFile = path.join(repo, "Pulumi.lake.yaml");
    if (fs.existsSync(lakeFile)) {
        const lake = parseLakeConfig(readStackFile(lakeFile), { project: readProjectName(repo), stack: "lake" });
        firehose = { bufferIntervalSeconds: Math.max(1, lake.firehoseBufferIntervalSeconds), bufferSizeMiB: lake.firehoseBufferSizeMiB };
    }

    const benchFile = path.join(repo, "docs", "BENCHMARKS.md");
    const measured = fs.existsSync(benchFile) ? throughputFromBenchmarks(fs.readFileSync(benchFile, "utf8")) : undefined;
    const utilization = book.assumptions["flink.targetCpuUtilization"].value;
    let eventsPerSecondPerKpu = book.assumptions["flink.eventsPerSecondPerKpu"].value;
    let throughputSource = "tools/prices.json assumption flink.eventsPerSecondPerKpu";
    if (measured?.basis === "stated") {
        eventsPerSecondPerKpu = measured.eventsPerSecond;
        throughputSource = `docs/BENCHMARKS.md: '${measured.evidence}'`;
    } else if (measured?.basis === "cpu") {
        eventsPerSecondPerKpu = Math.floor(measured.eventsPerSecond * utilization);
        throughputSource = `docs/BENCHMARKS.md: ${measured.evidence} = ${measured.eventsPerSecond.toLocaleString("en-US")} events/s per vCPU, at ${utilization * 100} % target CPU`;
    }

    return {
        input: {
            config,
            outputNames: sql.lakeOutputs.map((o) => o.name),
            eventsPerSecond: rates,
            days,
            eventBytes,
            attachedShards,
            eventsPerSecondPerKpu,
            dashboard: dashboardScans(sql.dashboardQueries, DASHBOARD_QUERY_HOURS, readAthenaScan(repo)),
            firehose,
            book,
        },
        throughputSource,
    };
}

export function report(opts: Options, repo = REPO): string {
    const { input, throughputSource } = buildInput(opts, repo);
    const estimate = estimateSeason(input);
    const rates = Object.entries(input.eventsPerSecond)
        .map(([s, r]) => `${s}=${r.toLocaleString("en-US")}/s`)
        .join(", ");
    const header = [
        `Season estimate for stack '${opts.stack}' (${input.config.region}, season: ${input.config.season}): ${input.days} days, ${rates}, ${input.eventBytes} B/event`,
        `Prices: ${input.book.currency}, ${input.book.region} list prices taken ${input.book.takenOn}${opts.prices ? `, overridden by ${opts.prices}` : ""}`,
        `KPUs: ${estimate.kpus.map((k) => `${k.app}=${k.kpus}`).join(", ")} at ${input.eventsPerSecondPerKpu.toLocaleString("en-US")} events/s per KPU (${throughputSource})`,
    ];
    return formatEstimate(estimate, header);
}

export function main(argv: string[]): number {
    const program = new Command("cost")
        .description("Estimate the cost of one season of a source region stack")
        .requiredOption("--stack <name>", "region stack, e.g. eu (reads Pulumi.<name>.yaml)")
        .requiredOption("--events-per-second <n>", "events per second written to each source stream")
        .requiredOption("--days <n>", "length of the season in days")
        .option("--event-bytes <n>", "bytes of one event (default from tools/prices.json)")
        .option("--prices <file>", "JSON file overriding any price or assumption of tools/prices.json")
        .option("--attached-shards <n>", "shards of each attached stream (default from tools/prices.json)")
        .option("--source-rate <source=n...>", "events per second for one source, overriding --events-per-second")
        .exitOverride()
        .configureOutput({ writeErr: () => undefined, writeOut: (s) => process.stdout.write(s) });
    try {
        program.parse(argv, { from: "user" });
        process.stdout.write(report(program.opts<Options>()) + "\n");
        return 0;
    } catch (e) {
        if (e instanceof CommanderError) {
            if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return 0;
            process.stderr.write(`cost: ${e.message.replace(/^error: /, "")}\n`);
            return 2;
        }
        if (e instanceof ArgError) {
            process.stderr.write(`cost: ${e.message}\n`);
            return 2;
        }
        throw e;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
