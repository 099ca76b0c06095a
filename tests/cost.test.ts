import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RegionConfig } from "../lib/config";
import { ArgError } from "../local/args";
import { buildInput, main, report } from "../tools/cost";
import { CostInput, dashboardScans, estimateSeason, throughputFromBenchmarks, PriceBook, PRICE_KEYS, ASSUMPTION_KEYS } from "../tools/cost-model";

const REPO = path.resolve(__dirname, "..");

/** A price book written out here, so the expected numbers below do not move when tools/prices.json does. */
function book(): PriceBook {
    const price = (usd: number) => ({ usd, unit: "u", source: "test", date: "2026-11-26" });
    const assume = (value: number) => ({ value, source: "test" });
    return {
        currency: "USD",
        region: "us-east-1",
        takenOn: "2026-11-26",
        prices: {
            "kinesis.onDemand.streamHour": price(0.04),
            "kinesis.onDemand.ingestGb": price(0.08),
            "kinesis.onDemand.retrievalGb": price(0.04),
            "kinesis.onDemand.extendedRetentionGbMonth": price(0.1),
            "kinesis.longTermRetentionGbMonth": price(0.023),
            "kinesis.provisioned.shardHour": price(0.015),
            "kinesis.provisioned.putPayloadUnitsMillion": price(0.014),
            "kinesis.provisioned.extendedRetentionShardHour": price(0.02),
            "kinesis.efo.consumerShardHour": price(0.015),
            "kinesis.efo.retrievalGb": price(0.013),
            "flink.kpuHour": price(0.11),
            "flink.runningStorageGbMonth": price(0.1),
            "firehose.directPutIngestGb": price(0.029),
            "firehose.formatConversionGb": price(0.018),
            "s3.standardStorageGbMonth": price(0.023),
            "s3.putThousand": price(0.005),
            "athena.scannedTb": price(5),
            "cloudwatch.alarmMonth": price(0.1),
            "cloudwatch.dashboardMonth": price(3),
            "cloudwatch.logsIngestGb": price(0.5),
            "kms.keyMonth": price(1),
        },
        assumptions: {
            "flink.eventsPerSecondPerKpu": assume(400),
            "flink.runningStorageGbPerKpu": assume(50),
            "flink.orchestrationKpusPerApp": assume(1),
            "flink.targetCpuUtilization": assume(0.5),
            "flink.logGbPerAppDay": assume(0.05),
            eventBytes: assume(1000),
            attachedStreamShards: assume(4),
            "output.rowsPerMinute": assume(500),
            "output.rowBytes": assume(200),
            "output.rejectedShare": assume(0.001),
            "output.rejectedExtraBytes": assume(200),
            "parquet.compressionRatio": assume(0.2),
            "athena.refreshesPerDay": assume(288),
            "athena.minimumBytesPerQuery": assume(10485760),
            hoursPerMonth: assume(730),
        },
    };
}

const app = (over: Partial<RegionConfig["apps"][number]>) => ({
    name: "a",
    source: "web",
    streamName: "web-stream",
    read: { readMode: "POLLING" as const, pollIntervalMs: 200 },
    outputs: ["clicks_1m", "rejected_events"],
    parallelism: 1,
    parallelismPerKpu: 1,
    autoScaling: true,
    startPosition: "TRIM_HORIZON" as const,
    restore: "latest" as const,
    checkpointIntervalMs: 60000,
    ...over,
});

/** eu-like: a created on-demand stream (48 h) read by `realtime`, and an attached stream read by `mobile`. */
function euLike(): CostInput {
    const config: RegionConfig = {
        role: "region",
        region: "eu-west-1",
        season: "on",
        lakeStack: "acme/clickstream/lake",
        sources: [
            { name: "web", streamName: "web-stream", mode: "create", capacity: "on-demand", retentionHours: 48 },
            { name: "mobile", streamName: "mobile-stream", mode: "attach", capacity: "on-demand", retentionHours: 48 },
        ],
        apps: [
            app({ name: "realtime", source: "web", outputs: ["clicks_1m", "rejected_events"], parallelism: 2 }),
            app({ name: "mobile", source: "mobile", streamName: "mobile-stream", read: { readMode: "EFO" }, autoScaling: false }),
        ],
        runnerJar: "runner/target/clickstream-runner.jar",
        logRetentionDays: 30,
        alarmEmails: [],
    };
    return {
        config,
        outputNames: ["clicks_1m", "rejected_events"],
        eventsPerSecond: { web: 1000, mobile: 500 },
        days: 10,
        eventBytes: 1500,
        attachedShards: 2,
        eventsPerSecondPerKpu: 400,
        dashboard: {
            hours: 3,
            queries: [
                { name: "clicks_1m_latest", scan: { tables: ["clicks_1m"], bytesPerRow: 20 } },
                { name: "rejected_events_by_reason", scan: { tables: ["rejected_events"], bytesPerRow: 1000 } },
            ],
        },
        firehose: { bufferIntervalSeconds: 60, bufferSizeMiB: 128 },
        book: book(),
    };
}

const GiB = 2 ** 30;
const MONTHS = 240 / 730; // 10 days = 240 hours; a month is 730 hours

function line(estimate: ReturnType<typeof estimateSeason>, text: string) {
    const found = estimate.lines.filter((l) => l.line === text);
    expect(found, text).to.have.length(1);
    return found[0];
}

describe("cost model: a 10-day eu-like season worked by hand", () => {
    const e = estimateSeason(euLike());
    // 1000 events/s x 864,000 s = 864e6 events; 1,500 B rounds up to 2 KB for on-demand ingestion.
    const cases: [string, number, number][] = [
        ["web-stream: on-demand stream-hours", 240, 240 * 0.04],
        ["web-stream: data ingested (1 KB rounding)", (864e6 * 2048) / GiB, ((864e6 * 2048) / GiB) * 0.08],
        // One app reads every byte once (no rounding on reads).
        ["web-stream: data retrieved by 1 app(s)", (864e6 * 1500) / GiB, ((864e6 * 1500) / GiB) * 0.04],
        // 48 h retention: 24 extra hours of 5.4e9 B/h (1000/s x 3600 x 1500) held for the season.
        ["web-stream: retention 48 h, 24 h-7 d part", (5.4e9 / GiB) * 24 * MONTHS, (5.4e9 / GiB) * 24 * MONTHS * 0.1],
        // Attached: one EFO consumer (the mobile app) on 2 shards, and 500/s x 864,000 s x 1,500 B read.
        ["mobile-stream (attached): 1 EFO consumer(s) x 2 shards", 480, 480 * 0.015],
        ["mobile-stream (attached): EFO data retrieved", 648e9 / GiB, (648e9 / GiB) * 0.013],
        // realtime: parallelism 2 -> 2 KPU, but 1000/s needs ceil(1000/400) = 3; autoscaling -> 3 (+1).
        ["realtime: 3 KPU + 1 orchestration", 960, 960 * 0.11],
        ["realtime: running storage (50 GB/KPU)", 150 * MONTHS, 150 * MONTHS * 0.1],
        // mobile: fixed at 1 KPU (+1) although 500/s needs 2.
        ["mobile: 1 KPU + 1 orchestration", 480, 480 * 0.11],
        ["mobile: running storage (50 GB/KPU)", 50 * MONTHS, 50 * MONTHS * 0.1],
        // Rows: clicks_1m twice (500/min x 14,400 min = 7.2e6 rows), rejected_events 864,000 + 432,000 rows;
        // every row is under 5 KB, so each bills 5,120 B.
        [
            "Direct PUT ingestion (5 KB rounding per record)",
            ((2 * 7.2e6 + 864000 + 432000) * 5120) / GiB,
            (((2 * 7.2e6 + 864000 + 432000) * 5120) / GiB) * 0.029,
        ],
        ["JSON to Parquet conversion", ((2 * 7.2e6 + 864000 + 432000) * 5120) / GiB, (((2 * 7.2e6 + 864000 + 432000) * 5120) / GiB) * 0.018],
        // 4 output streams, each flushed every 60 s: 4 x 14,400 objects.
        ["PUT requests (one object per buffer flush)", 57600, (57600 / 1000) * 0.005],
        // JSON: 2 x 7.2e6 x 200 + 864,000 x 1,700 + 432,000 x 1,700 = 5.0832e9 B; Parquet 20 %; half held on average.
        ["Parquet storage during the season", ((5.0832e9 * 0.2) / GiB / 2) * MONTHS, ((5.0832e9 * 0.2) / GiB / 2) * MONTHS * 0.023],
        // 288 refreshes x 10 days, each reading 3.5 hours (3 h + the current hour, half full on average):
        // clicks_1m: 2 x 500 rows/min x 60 x 3.5 h x 20 B = 4.2e6 B, under the 10 MB minimum;
        // rejected_events: (1 + 0.5) rows/s x 3600 x 3.5 h x 1000 B = 18.9e6 B.
        ["2 dashboard queries x 288 refreshes/day, 3 h each", (2880 * (10485760 + 18.9e6)) / 2 ** 40, ((2880 * (10485760 + 18.9e6)) / 2 ** 40) * 5],
        // 4 per app (downtime, failed checkpoints, restarts, lag) x 2 apps + 1 created stream.
        ["9 alarms (4 per app reading Kinesis, 1 per created stream)", 9 * MONTHS, 9 * MONTHS * 0.1],
        ["1 dashboard", MONTHS, MONTHS * 3],
        ["application logs (2 apps)", 1, 0.5],
        ["region key (streams, logs, artifacts, topic)", MONTHS, MONTHS * 1],
    ];

    for (const [text, quantity, cost] of cases) {
        it(text, () => {
            const l = line(e, text);
            expect(l.quantity).to.be.closeTo(quantity, 1e-9);
            expect(l.cost).to.be.closeTo(cost, 1e-9);
        });
    }

    it("has exactly these lines, and the total is their sum", () => {
        expect(e.lines.map((l) => l.line)).to.have.members(cases.map((c) => c[0]));
        expect(e.lines).to.have.length(cases.length);
        expect(e.total).to.be.closeTo(
            cases.reduce((s, c) => s + c[2], 0),
            1e-9,
        );
        // Added up by hand: 9.60 + 131.84 + 48.28 + 3.97 + 7.20 + 7.85 + 105.60 + 4.93 + 52.80 + 1.64
        // + 2.17 + 1.35 + 0.38 + 0.004 + 0.27 + 0.30 + 0.99 + 0.50 + 0.33 = $380.01.
        expect(e.total).to.be.closeTo(380.01, 0.005);
    });

    it("counts a dashboard query that was not measured at Athena's minimum, and says so", () => {
        const input = euLike();
        input.dashboard = dashboardScans(["clicks_1m_latest", "new_query"], 3, {
            measuredOn: "2026-12-01T00:00:00Z",
            command: "npm run measure:athena-scan",
            engine: "Trino 476",
            lake: "test",
            hours: 3,
            queries: [{ name: "clicks_1m_latest", tables: ["clicks_1m"], rowsRead: 100, bytesRead: 4000 }],
        });
        expect(input.dashboard.queries).to.deep.equal([
            { name: "clicks_1m_latest", scan: { tables: ["clicks_1m"], bytesPerRow: 40 } },
            { name: "new_query", scan: undefined },
        ]);
        const estimate = estimateSeason(input);
        // clicks_1m: 60,000 rows/h x 3.5 h x 40 B = 8.4e6 B, so both queries bill the 10 MB minimum.
        expect(line(estimate, "2 dashboard queries x 288 refreshes/day, 3 h each").quantity).to.be.closeTo((2880 * 2 * 10485760) / 2 ** 40, 1e-12);
        expect(estimate.notes).to.include(
            "new_query: not in tools/athena-scan.json, so counted at Athena's minimum per query; run npm start, then npm run measure:athena-scan",
        );
    });

    it("plans KPUs from the config and the measured throughput, and warns about a fixed app", () => {
        expect(e.kpus).to.deep.equal([
            { app: "realtime", configuredKpus: 2, neededKpus: 3, kpus: 3, underProvisioned: false },
            { app: "mobile", configuredKpus: 1, neededKpus: 2, kpus: 1, underProvisioned: true },
        ]);
        expect(e.notes).to.include("mobile: needs 2 KPU for the traffic but is fixed at 1 (autoScaling: false); it will fall behind");
    });

    it("paused costs the stream-hour, the consumer-shard-hours, alarms, dashboard and key", () => {
        // 24 x 0.04 + 1 x 2 x 24 x 0.015 + (9 x 0.10 + 3.00 + 1.00) / 730 x 24
        expect(e.pausedPerDay).to.be.closeTo(0.96 + 0.72 + (4.9 / 730) * 24, 1e-9);
    });

    it("storage after the season: all the Parquet, per month", () => {
        expect(e.storagePerMonthAfter).to.be.closeTo(((5.0832e9 * 0.2) / GiB) * 0.023, 1e-12);
    });
});

describe("cost model: provisioned streams and a paused season", () => {
    function usLike(season: "on" | "paused", retentionHours: number): CostInput {
        const input = euLike();
        input.config = {
            ...input.config,
            season,
            sources: [{ name: "web", streamName: "us-web", mode: "create", capacity: "provisioned", shards: 8, retentionHours }],
            apps: [app({ name: "realtime", source: "web", streamName: "us-web", parallelism: 4, parallelismPerKpu: 2 })],
        };
        input.eventsPerSecond = { web: 2000 };
        input.eventBytes = 800;
        return input;
    }

    it("bills shard-hours, 25 KB PUT payload units and extended-retention shard-hours", () => {
        const e = estimateSeason(usLike("on", 72));
        expect(line(e, "us-web: 8 shards").quantity).to.equal(8 * 240);
        expect(line(e, "us-web: 8 shards").cost).to.be.closeTo(1920 * 0.015, 1e-9);
        // 2000/s x 864,000 s = 1.728e9 events, each under 25 KB: one unit each.
        expect(line(e, "us-web: PUT payload units (25 KB)").quantity).to.be.closeTo(1728, 1e-9);
        expect(line(e, "us-web: PUT payload units (25 KB)").cost).to.be.closeTo(1728 * 0.014, 1e-9);
        expect(line(e, "us-web: retention 72 h").cost).to.be.closeTo(1920 * 0.02, 1e-9);
        // parallelism 4 at 2 per KPU = 2 KPU; 2000/s needs 5 -> autoscaling plans 5 (+1).
        expect(line(e, "realtime: 5 KPU + 1 orchestration").quantity).to.equal(6 * 240);
    });

    it("bills long-term retention beyond 7 days by the GB-month", () => {
        const e = estimateSeason(usLike("on", 240));
        // 2000/s x 3600 x 800 B = 5.76e9 B per hour, held 72 h beyond 168 h.
        expect(line(e, "us-web: retention beyond 7 d").quantity).to.be.closeTo((5.76e9 / GiB) * 72 * MONTHS, 1e-9);
    });

    it("warns when the traffic exceeds the shards", () => {
        const input = usLike("on", 24);
        input.eventsPerSecond = { web: 9000 };
        expect(estimateSeason(input).notes).to.include(
            "us-web: 9000 events/s of 800 B exceeds 8 shards (1,000 records/s and 1 MiB/s each); writes will be throttled",
        );
    });

    it("paused: no KPUs, no reads, no lake traffic; the stream, alarms, dashboard and key remain", () => {
        const e = estimateSeason(usLike("paused", 24));
        expect(e.lines.map((l) => l.group)).to.not.include.members(["Managed Flink", "Firehose (lake)", "S3 (lake)", "Athena (lake)"]);
        expect(e.lines.map((l) => l.line)).to.deep.equal([
            "us-web: 8 shards",
            "us-web: PUT payload units (25 KB)",
            "5 alarms (4 per app reading Kinesis, 1 per created stream)",
            "1 dashboard",
            "region key (streams, logs, artifacts, topic)",
        ]);
        // 8 shards x 24 h x 0.015 + (5 x 0.10 + 3 + 1) / 730 x 24
        expect(e.pausedPerDay).to.be.closeTo(2.88 + (4.5 / 730) * 24, 1e-9);
    });
});

describe("cost tool: files and flags", () => {
    it("reads the runner's measured throughput from docs/BENCHMARKS.md", () => {
        const md = "# Benchmarks\n\n## Runner throughput\n\nSome text.\n\nevents/s per KPU: 12,500\n\n## Local pipeline\n\nevents/s per KPU: 1\n";
        expect(throughputFromBenchmarks(md)).to.deep.equal({ eventsPerSecond: 12500, basis: "stated", evidence: "events/s per KPU: 12,500" });
        expect(throughputFromBenchmarks("## Runner throughput\n\n| eventsPerSecondPerKpu: 8000.5 |\n")?.eventsPerSecond).to.equal(8000.5);
        // runner/bench/run.sh's figure: 248 CPU-seconds per million events = floor(1e6 / 248) = 4,032 events/s per vCPU.
        expect(throughputFromBenchmarks("## Runner throughput\n\n| CPU | 496.2 CPU-s = **248 CPU-seconds per million events** |\n")).to.deep.equal({
            eventsPerSecond: 4032,
            basis: "cpu",
            evidence: "248 CPU-seconds per million events",
        });
        expect(throughputFromBenchmarks("## Runner throughput\n\nnot measured yet\n")).to.equal(undefined);
        expect(throughputFromBenchmarks("## Other\n\nevents/s per KPU: 5\n")).to.equal(undefined);
    });

    it("sizes KPUs from the RocksDB figure of docs/BENCHMARKS.md (issue 13), not the heap figures after it", () => {
        // docs/BENCHMARKS.md: "For sizing: 52.0 CPU-s per million events" (RocksDB, incremental checkpoints)
        // = floor(1e6 / 52.0) = 19,230 events/s per vCPU; at 50 % target CPU, 9,615 per KPU.
        const { input, throughputSource } = buildInput({ stack: "eu", eventsPerSecond: "1000", days: "1" });
        expect(input.eventsPerSecondPerKpu).to.equal(9615);
        expect(throughputSource).to.equal("docs/BENCHMARKS.md: 52.0 CPU-s per million events = 19,230 events/s per vCPU, at 50 % target CPU");
    });

    it("sizes KPUs from a CPU-seconds measurement at the target CPU utilization", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-repo-"));
        for (const f of ["Pulumi.yaml", "Pulumi.eu.yaml", "Pulumi.lake.yaml"]) fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
        fs.mkdirSync(path.join(dir, "tools"));
        fs.copyFileSync(path.join(REPO, "tools", "prices.json"), path.join(dir, "tools", "prices.json"));
        fs.cpSync(path.join(REPO, "sql"), path.join(dir, "sql"), { recursive: true });
        fs.mkdirSync(path.join(dir, "docs"));
        fs.writeFileSync(path.join(dir, "docs", "BENCHMARKS.md"), "## Runner throughput\n\n250 CPU-s per million events\n");
        const { input, throughputSource } = buildInput({ stack: "eu", eventsPerSecond: "1000", days: "1" }, dir);
        // 1e6 / 250 = 4,000 events/s per vCPU, at 50 % target CPU = 2,000 per KPU.
        expect(input.eventsPerSecondPerKpu).to.equal(2000);
        expect(throughputSource).to.equal("docs/BENCHMARKS.md: 250 CPU-s per million events = 4,000 events/s per vCPU, at 50 % target CPU");
    });

    it("tools/prices.json has every price with a source URL and a date, and every assumption with a source", () => {
        const prices = JSON.parse(fs.readFileSync(path.join(REPO, "tools", "prices.json"), "utf8")) as PriceBook;
        for (const k of PRICE_KEYS) {
            expect(prices.prices[k].usd, k).to.be.a("number");
            expect(prices.prices[k].source, k).to.match(/^https:\/\/aws\.amazon\.com\//);
            expect(prices.prices[k].date, k).to.match(/^\d{4}-\d{2}-\d{2}$/);
        }
        for (const k of ASSUMPTION_KEYS) {
            expect(prices.assumptions[k].value, k).to.be.a("number");
            expect(prices.assumptions[k].source, k).to.not.equal("");
        }
    });

    it("reads Pulumi.eu.yaml as deployed: its sources, apps and the lake's buffering", () => {
        const { input } = buildInput({ stack: "eu", eventsPerSecond: "2000", days: "30" });
        expect(input.config.sources.map((s) => `${s.name}:${s.mode}:${s.mode === "firehose" ? s.compression : s.capacity}`)).to.deep.equal([
            "web:create:on-demand",
            "mobile:attach:on-demand",
            "checkout:firehose:GZIP",
        ]);
        expect(input.config.apps.map((a) => a.name)).to.deep.equal(["realtime", "campaigns", "mobile"]);
        expect(input.eventsPerSecond).to.deep.equal({ web: 2000, mobile: 2000, checkout: 2000 });
        expect(input.firehose).to.deep.equal({ bufferIntervalSeconds: 60, bufferSizeMiB: 128 });
    });

    it("prices a Firehose-fed source by our apps' S3 requests only, and gives its app no lag alarm", () => {
        const { input } = buildInput({ stack: "eu", eventsPerSecond: "2000", days: "30" });
        const e = estimateSeason(input);
        const seconds = 30 * 86_400;
        // campaigns lists events/ every 30 s (discoveryIntervalSeconds' default) and gets one object per 300 s (the assumption).
        const list = line(e, "checkout-events-eu: LIST every 30 s by 1 app(s)");
        expect(list.quantity).to.equal(seconds / 30);
        expect(list.cost).to.be.closeTo((seconds / 30 / 1000) * 0.005, 1e-9);
        const get = line(e, "checkout-events-eu: GET of each delivered object by 1 app(s)");
        expect(get.quantity).to.equal(seconds / 300);
        expect(get.cost).to.be.closeTo((seconds / 300 / 1000) * 0.0004, 1e-9);
        expect(e.lines.filter((l) => l.line.includes("checkout-events-eu") && l.group === "Kinesis")).to.deep.equal([]);
        // realtime and mobile: 4 each; campaigns: 3 (no lag alarm); the web stream: 1.
        expect(e.lines.find((l) => l.group === "CloudWatch" && l.line.includes("alarms"))!.line).to.equal(
            "12 alarms (4 per app reading Kinesis, 3 per app reading S3 objects, 1 per created stream)",
        );
    });

    it("--source-rate overrides one source, and --prices overrides a price", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prices-"));
        const file = path.join(dir, "p.json");
        fs.writeFileSync(file, JSON.stringify({ prices: { "flink.kpuHour": { usd: 0.2 } } }));
        const { input } = buildInput({ stack: "eu", eventsPerSecond: "2000", days: "30", sourceRate: ["mobile=100"], prices: file });
        expect(input.eventsPerSecond).to.deep.equal({ web: 2000, mobile: 100, checkout: 2000 });
        expect(input.book.prices["flink.kpuHour"].usd).to.equal(0.2);
        expect(input.book.prices["flink.kpuHour"].source).to.match(/managed-service-apache-flink/);
    });

    const bad: [Record<string, unknown>, string][] = [
        [{ days: "0" }, "--days: '0' is not valid; expected a whole number from 1 to 366"],
        [{ days: "1.5" }, "--days: '1.5' is not valid; expected a whole number from 1 to 366"],
        [{ eventsPerSecond: "-3" }, "--events-per-second: '-3' is not valid; expected a whole number from 1 to 10000000"],
        [{ eventBytes: "2000000" }, "--event-bytes: '2000000' is not valid; expected a whole number from 1 to 1048576"],
        [{ stack: "mars" }, "--stack: 'mars' is not valid; Pulumi.mars.yaml does not exist"],
        [{ stack: "lake" }, "--stack: 'lake' is a lake stack; the estimate is per source region (a stack with clickstream:role: region)"],
        [
            { sourceRate: ["desktop=5"] },
            "--source-rate: 'desktop=5' is not valid; expected <source>=<events per second> with a source of eu: web, mobile, checkout",
        ],
        [{ prices: "/nonexistent/p.json" }, "--prices: '/nonexistent/p.json' does not exist"],
    ];
    for (const [over, message] of bad) {
        it(`rejects ${JSON.stringify(over)} with one line`, () => {
            expect(() => buildInput({ stack: "eu", eventsPerSecond: "1000", days: "30", ...over } as never)).to.throw(ArgError, message);
        });
    }

    it("main prints the one-line error on stderr and exits 2", () => {
        const written: string[] = [];
        const original = process.stderr.write.bind(process.stderr);
        process.stderr.write = ((s: string) => {
            written.push(s);
            return true;
        }) as typeof process.stderr.write;
        try {
            expect(main(["--stack", "eu", "--events-per-second", "10", "--days", "0"])).to.equal(2);
            expect(main(["--stack", "eu", "--days", "3"])).to.equal(2);
        } finally {
            process.stderr.write = original;
        }
        expect(written).to.deep.equal([
            "cost: --days: '0' is not valid; expected a whole number from 1 to 366\n",
            "cost: required option '--events-per-second <n>' not specified\n",
        ]);
    });

    it("prints a table with line, quantity, unit price, cost and a total", () => {
        const text = report({ stack: "us", eventsPerSecond: "8000", days: "45", eventBytes: "800" });
        const lines = text.split("\n");
        expect(lines[0]).to.equal("Season estimate for stack 'us' (us-east-1, season: on): 45 days, web=8,000/s, 800 B/event");
        expect(lines.some((l) => /^line\s+quantity\s+unit price\s+cost$/.test(l))).to.equal(true);
        expect(lines.some((l) => /^Kinesis: clickstream-us-web: 8 shards\s+8,640 shard-hours\s+\$0\.015\s+\$129\.60$/.test(l))).to.equal(true);
        expect(lines.some((l) => /^total\s+\$\d+\.\d\d$/.test(l))).to.equal(true);
    });
});
