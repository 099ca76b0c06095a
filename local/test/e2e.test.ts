import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DuckDBInstance } from "@duckdb/node-api";
import { chromium } from "playwright-core";
import { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { loadSqlCatalog } from "../../lib/sql/catalog";
import { glueColumns, PARTITION_KEYS } from "../../lib/sql/glue-schema";
import { FirehoseStandIn } from "../firehose";
import { glueToDuckDb } from "../lake";
import { LiveResponse } from "../dashboard-page";
import { LakeFileEntry } from "../firehose";
import { runPipeline, RunResult } from "../pipeline";
import { chromiumPath } from "./prerequisites";

const REPO = path.resolve(__dirname, "..", "..");
const CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/** Kills (SIGKILL, by pid) what is left of a browser started with this user-data-dir, if closing it failed. */
function killBrowser(userDir: string): void {
    for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        const cmd = (() => {
            try {
                return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
            } catch {
                return "";
            }
        })();
        if (cmd.includes(`--user-data-dir=${userDir}`)) {
            try {
                process.kill(Number(pid), "SIGKILL");
            } catch {
                // already gone
            }
        }
    }
}

/** The live dashboard's bound: a window's row is on the page at most this long after its Parquet file landed. */
const LIVE_BOUND_MS = 10_000;

interface LiveWindow {
    query: string;
    key: string;
    value: string;
    file: string;
    /** When the file became queryable (the stand-in's rename; lake-files.jsonl `queryableMs`). */
    landedMs: number;
    /** When the test first saw the row on the page. */
    shownMs?: number;
}

interface LiveWatch {
    windows: LiveWindow[];
    consoleErrors: string[];
    /** Data points drawn per canvas (Chart.js). */
    chartPoints: Record<string, number>;
    statusAtEnd: string;
    screenshot: string;
}

/** The outputs watched on the live page: their query table (newest windows first), key columns (`data-key`) and value column. */
const LIVE_TARGETS = [
    {
        output: "active_users_1m",
        query: "active_users_1m_latest",
        keys: ["region", "site", "country", "window_start", "window_end"],
        value: "active_users",
        newest: "window_start",
    },
    {
        output: "clicks_1m",
        query: "clicks_1m_latest",
        keys: ["region", "site", "country", "page_type", "window_start", "window_end"],
        value: "clicks",
        newest: "window_start",
    },
    {
        output: "active_users_5m",
        query: "active_users_5m_latest",
        keys: ["region", "site", "country", "window_start", "window_end"],
        value: "active_users",
        newest: "window_end",
    },
];

/** Headless Chromium with a fresh user-data-dir (playwright passes it as --user-data-dir), to kill and remove after. */
async function launchChromium(prefix: string, viewport: { width: number; height: number }) {
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const browser = await chromium.launchPersistentContext(userDir, { executablePath: chromiumPath(), headless: true, viewport, args: CHROMIUM_ARGS });
    return { browser, userDir };
}

/**
 * Watches the live page while the run goes on: every file of a LIVE_TARGETS output that brings a newer
 * window than the files before it (so its rows are at the top of the newest-first query table) becomes a
 * target, and the page is checked every 100 ms until the row shows, with the value in the file.
 * Stops when the run has ended and every target showed, or at `deadline`.
 */
async function watchLive(url: string, runDir: string, runEnded: () => boolean, deadline: number): Promise<LiveWatch> {
    const { browser, userDir } = await launchChromium("chromium-live-", { width: 1280, height: 900 });
    const db = await (await DuckDBInstance.create(":memory:")).connect();
    const out: LiveWatch = { windows: [], consoleErrors: [], chartPoints: {}, statusAtEnd: "", screenshot: "" };
    try {
        const page = await browser.newPage();
        page.on("console", (m) => m.type() === "error" && out.consoleErrors.push(m.text()));
        page.on("pageerror", (e) => out.consoleErrors.push(e.message));
        await page.goto(url);
        const manifest = path.join(runDir, "lake-files.jsonl");
        let seenLines = 0;
        const newest = new Map<string, string>();
        for (;;) {
            const lines = fs.existsSync(manifest) ? fs.readFileSync(manifest, "utf8").split("\n").filter(Boolean) : [];
            for (const line of lines.slice(seenLines)) {
                const e = JSON.parse(line) as LakeFileEntry;
                const t = LIVE_TARGETS.find((x) => x.output === e.output);
                if (!t) continue;
                const r = (
                    await db.runAndReadAll(`SELECT ${[...t.keys, t.value].join(", ")} FROM read_parquet('${e.file}') ORDER BY ${t.newest} DESC LIMIT 1`)
                ).getRowObjectsJson()[0];
                if (!r || String(r[t.newest]) <= (newest.get(t.output) ?? "")) continue;
                newest.set(t.output, String(r[t.newest]));
                out.windows.push({
                    query: t.query,
                    key: t.keys.map((k) => r[k]).join("|"),
                    value: String(r[t.value]),
                    file: e.file,
                    landedMs: e.queryableMs,
                });
            }
            seenLines = lines.length;
            const pending = out.windows.filter((w) => w.shownMs === undefined);
            if (pending.length) {
                const shown = await page.evaluate(
                    (ws) =>
                        ws.filter(
                            (w) =>
                                document.querySelector(`section[data-query="${w.query}"] tr[data-key="${CSS.escape(w.key)}"] td:last-child`)?.textContent ===
                                w.value,
                        ),
                    pending.map((w) => ({ query: w.query, key: w.key, value: w.value })),
                );
                const now = Date.now();
                for (const w of pending) if (shown.some((x) => x.query === w.query && x.key === w.key)) w.shownMs = now;
            }
            if ((runEnded() && pending.length === 0) || Date.now() > deadline) break;
            await new Promise((r) => setTimeout(r, 100));
        }
        await page.waitForFunction(() => document.getElementById("status")?.dataset.phase === "ended", undefined, { timeout: 10_000 });
        out.statusAtEnd = (await page.locator("#status").textContent()) ?? "";
        out.chartPoints = await page.evaluate(() => {
            type Data = { datasets: { data: (number | null)[] }[] };
            const Chart = (window as unknown as { Chart: { getChart(c: Element): { data: Data } | undefined } }).Chart;
            return Object.fromEntries(
                Array.from(document.querySelectorAll("canvas")).map((c) => [
                    c.id,
                    (Chart.getChart(c)?.data.datasets ?? []).reduce((n, d) => n + d.data.filter((v) => v !== null).length, 0),
                ]),
            );
        });
        out.screenshot = path.join(path.dirname(runDir), "live-dashboard.png");
        await page.screenshot({ path: out.screenshot });
    } finally {
        db.closeSync();
        await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 10_000))]);
        killBrowser(userDir);
        fs.rmSync(userDir, { recursive: true, force: true });
    }
    return out;
}
const walk = (d: string): string[] =>
    fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)])) : [];

describe("local: Firehose stand-in schema drift", () => {
    it("sends a mistyped record to the error prefix with the reason, and converts the rest", async () => {
        const lake = fs.mkdtempSync(path.join(os.tmpdir(), "lake-"));
        const catalog = loadSqlCatalog(path.join(REPO, "sql"), REPO);
        const out = catalog.outputs.find((o) => o.name === "clicks_1m")!;
        const f = new FirehoseStandIn({
            lakeDir: lake,
            streams: [{ name: "clickstream-clicks_1m", output: out.name, columns: glueColumns(out) }],
            bufferIntervalMs: 300,
        });
        const endpoint = await f.start();
        try {
            const client = new FirehoseClient({ endpoint, region: "eu-central-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
            const good = {
                window_start: "2026-11-27 10:00:00",
                window_end: "2026-11-27 10:01:00",
                region: "eu-west-1",
                site: "shop-de",
                country: "DE",
                page_type: "product",
                clicks: 3,
            };
            const res = await client.send(
                new PutRecordBatchCommand({
                    DeliveryStreamName: "clickstream-clicks_1m",
                    Records: [
                        { Data: Buffer.from(JSON.stringify(good)) },
                        { Data: Buffer.from(JSON.stringify({ ...good, clicks: "three", added_column: 1 })) },
                    ],
                }),
            );
            expect(res.FailedPutCount).to.equal(0);
            expect(res.RequestResponses).to.have.length(2);
            await new Promise((r) => setTimeout(r, 800));
        } finally {
            await f.stop();
        }
        const files = walk(lake);
        const errors = files.filter((p) => p.includes(`${path.sep}errors${path.sep}clicks_1m${path.sep}format-conversion-failed${path.sep}year=`));
        expect(errors).to.have.length(1);
        const record = JSON.parse(fs.readFileSync(errors[0], "utf8").trim());
        expect(record.errorCode).to.equal("DataFormatConversion.MalformedData");
        expect(record.errorMessage).to.contain("column 'clicks' (bigint)");
        expect(JSON.parse(Buffer.from(record.rawData, "base64").toString()).clicks).to.equal("three");
        expect(
            files.filter((p) => /clicks_1m\/year=\d{4}\/month=\d\d\/day=\d\d\/hour=\d\d\/clickstream-clicks_1m-\d{6}-[0-9a-f-]{36}\.parquet$/.test(p)),
        ).to.have.length(1);
    });
});

describe("local: end to end (npm start, 20 s of traffic)", function () {
    this.timeout(400_000);
    let result: RunResult;
    const lines: string[] = [];
    let live: LiveWatch | undefined;
    let liveError: Error | undefined;

    // One run for every test below; the live dashboard is watched in headless Chromium while it runs.
    before(async () => {
        let onUrl: (url: string) => void = () => undefined;
        const url = new Promise<string>((resolve) => (onUrl = resolve));
        let ended = false;
        const run = runPipeline({
            stack: "eu",
            duration: 20,
            rate: 200,
            seed: 11,
            keep: false,
            // serve: the test closes the dashboard itself, once the page has shown every window.
            dashboard: { port: 0, serve: true },
            log: (l) => {
                lines.push(l);
                process.stdout.write(`      ${l}\n`);
                const m = /^dashboard: (http:\/\/127\.0\.0\.1:\d+\/) \(live\)$/.exec(l);
                if (m) onUrl(m[1]);
            },
        }).finally(() => (ended = true));
        const watch = Promise.race([url, run.then(() => Promise.reject(new Error("no dashboard line")))]).then((u) =>
            watchLive(u, path.join(REPO, ".local", "run"), () => ended, Date.now() + 360_000),
        );
        try {
            result = await run;
        } finally {
            live = await watch.catch((e: Error) => ((liveError = e), undefined));
            await result?.dashboard?.close();
        }
    });

    it(`shows each new window on the live dashboard within ${LIVE_BOUND_MS / 1000} s of its Parquet file, with no console errors`, () => {
        if (liveError) throw liveError;
        expect(lines[0]).to.match(/^dashboard: http:\/\/127\.0\.0\.1:\d+\/ \(live\)$/);
        const w = live!.windows;
        const delays = w.map((x) => (x.shownMs ?? Infinity) - x.landedMs).sort((a, b) => a - b);
        const fmt = (ms: number) => (ms / 1000).toFixed(1) + " s";
        process.stdout.write(
            `      live dashboard: ${w.length} new windows; file landed -> row on the page: min ${fmt(delays[0])}, median ${fmt(delays[Math.floor(delays.length / 2)])}, max ${fmt(delays[delays.length - 1])} (bound ${fmt(LIVE_BOUND_MS)})\n`,
        );
        // At least the first file of each watched output; on a busy machine the apps may fire every window at the drain, in one file each.
        expect(w.length).to.be.at.least(LIVE_TARGETS.length);
        for (const x of w) expect((x.shownMs ?? Infinity) - x.landedMs, `${x.query} ${x.key} (${x.file})`).to.be.at.most(LIVE_BOUND_MS);
        expect(live!.consoleErrors).to.deep.equal([]);
        expect(live!.statusAtEnd).to.match(/^Run ended \(serving until Ctrl-C\): reconciliation: \d+ windows, 0 mismatches$/);
        for (const id of [
            "active-users-by-site",
            "active-users-by-country",
            "clicks-by-site",
            "clicks-by-country",
            "active-users-5m-by-site",
            "campaign-revenue",
            "rejected-by-reason",
        ])
            expect(live!.chartPoints[`chart-${id}`], id).to.be.above(0);
        // Late records depend on when the shards were read; the chart has a bar when the lake has any.
        expect(live!.chartPoints["chart-late-by-output"] > 0).to.equal(result.reconciliation!.late > 0);
    });

    it("prints the reconciliation line with zero mismatches and exits 0", () => {
        expect(lines.filter((l) => /^reconciliation: \d+ windows, 0 mismatches$/.test(l))).to.have.length(1);
        expect(result.reconciliation!.windows).to.be.above(50);
        expect(result.reconciliation!.accounting.ok, result.reconciliation!.accounting.line).to.equal(true);
        expect(result.exitCode).to.equal(0);
    });

    it("accounts for every record of every app: read = rejected + duplicates + late + counted, 0 lost", () => {
        expect(lines).to.include("accounting: OK: read = rejected + duplicates + late + counted for every app, 0 lost");
        const apps = result.reconciliation!.accounting.apps;
        expect(apps.map((a) => a.app)).to.deep.equal(["realtime", "campaigns", "mobile"]);
        for (const a of apps) {
            expect(a.read, a.line).to.equal(a.sent);
            expect(a.read, a.line).to.equal(a.rejected + a.duplicates + a.late + a.counted);
            expect(lines.filter((l) => l.trim() === a.line)).to.have.length(1);
        }
        expect(result.sent).to.equal(apps[0].sent + apps[1].sent + apps[2].sent); // one source each: web, checkout (Firehose objects), mobile
    });

    it("reads the checkout Firehose's GZIP objects, back to back and newline-separated, and reconciles them like a stream", () => {
        const objects = lines.find((l) => l.includes("delivery stream checkout-events-eu: "));
        const m = /delivery stream checkout-events-eu: (\d+) records in (\d+) objects \((\d+) back to back, (\d+) newline-separated\)/.exec(objects ?? "");
        expect(m, objects).to.not.equal(null);
        const [records, total, backToBack, newline] = m!.slice(1).map(Number);
        expect(backToBack).to.be.above(0);
        expect(newline).to.be.above(0);
        expect(backToBack + newline).to.equal(total);
        const dir = path.join(result.localDir, "run", "sources", "checkout");
        const files = (function walk(d: string): string[] {
            return fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
        })(dir);
        expect(files).to.have.length(total);
        for (const f of files) {
            expect(path.relative(dir, f)).to.match(/^\d{4}\/\d\d\/\d\d\/\d\d\/checkout-events-eu-1-\d{4}(-\d\d){5}-[0-9a-f-]{36}\.gz$/);
            expect([...fs.readFileSync(f).subarray(0, 2)]).to.deep.equal([0x1f, 0x8b]); // GZIP
        }
        const campaigns = result.reconciliation!.accounting.apps.find((a) => a.app === "campaigns")!;
        expect(campaigns.stream).to.equal("checkout-events-eu");
        expect(campaigns.read, campaigns.line).to.equal(records);
        expect(campaigns.rejected, campaigns.line).to.be.above(0);
        expect(result.reconciliation!.perOutput.cart_value_by_campaign).to.deep.include({ mismatches: 0 });
        expect(result.reconciliation!.perOutput.cart_value_by_campaign.compared).to.be.above(0);
    });

    it("records the offline devices' late events in late_events, with the outputs that missed them", async () => {
        const db = await (await DuckDBInstance.create(":memory:")).connect();
        const rows = (
            await db.runAndReadAll(`SELECT DISTINCT event_id, closed_outputs FROM read_parquet('${result.localDir}/lake/late_events/**/*.parquet')`)
        ).getRowObjectsJson();
        expect(rows.length).to.be.above(0);
        for (const r of rows) expect(r.closed_outputs).to.equal("page_clicks_late"); // only the mobile stream has offline devices
        expect(result.reconciliation!.late).to.equal(rows.length);
    });

    it("writes Parquet files in the hourly layout with exactly the Glue schema", async () => {
        const lake = path.join(result.localDir, "lake");
        const catalog = loadSqlCatalog(path.join(REPO, "sql"), REPO);
        const db = await (await DuckDBInstance.create(":memory:")).connect();
        for (const o of ["active_users_1m", "clicks_1m", "rejected_events"]) {
            const files = walk(path.join(lake, o));
            expect(files.length, o).to.be.above(0);
            for (const f of files)
                expect(path.relative(lake, f)).to.match(
                    new RegExp(`^${o}/year=\\d{4}/month=\\d\\d/day=\\d\\d/hour=\\d\\d/clickstream-${o}-\\d{6}-[0-9a-f-]{36}\\.parquet$`),
                );
            const described = (
                await db.runAndReadAll(
                    `DESCRIBE SELECT * FROM read_parquet('${lake}/${o}/**/*.parquet', hive_partitioning = true, hive_types_autocast = false)`,
                )
            ).getRowObjectsJson();
            const glue = glueColumns(catalog.outputs.find((x) => x.name === o)!);
            const want = [...glue, ...PARTITION_KEYS].map((c) => `${c.name} ${glueToDuckDb(c.type)}`).sort();
            expect(described.map((r) => `${r.column_name} ${r.column_type}`).sort()).to.deep.equal(want);
            const dataCols = (await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${files[0]}', hive_partitioning = false)`))
                .getRowObjectsJson()
                .map((r) => r.column_name);
            expect(dataCols).to.deep.equal(glue.map((c) => c.name));
        }
    });

    it("keeps rejected events with their reasons", async () => {
        const db = await (await DuckDBInstance.create(":memory:")).connect();
        const rows = (
            await db.runAndReadAll(`SELECT reason, COUNT(*) AS n FROM read_parquet('${result.localDir}/lake/rejected_events/**/*.parquet') GROUP BY 1`)
        ).getRowObjectsJson();
        const reasons = rows.map((r) => String(r.reason));
        expect(reasons.length).to.be.above(1);
        for (const r of reasons) expect(r).to.match(/^(not_json|missing_field:\w+|bad_timestamp|absurd_timestamp)$/);
    });

    it("renders the dashboard charts with the data in headless Chromium", async () => {
        const file = path.join(result.localDir, "dashboard.html");
        const html = fs.readFileSync(file, "utf8");
        expect(html).to.not.match(/<script|https?:\/\/(?!shop|app)/);
        const { browser, userDir } = await launchChromium("chromium-", { width: 1400, height: 1000 });
        try {
            const page = await browser.newPage();
            await page.goto(`file://${file}`);
            for (const id of ["active-users-by-site", "active-users-by-country", "clicks-by-site", "clicks-by-country"]) {
                const chart = page.locator(`svg#${id}`);
                const expected = Number(await chart.getAttribute("data-points"));
                expect(expected, id).to.be.above(0);
                expect(await chart.locator("circle.pt").count(), id).to.equal(expected);
                expect(await chart.locator("text.legend").count()).to.equal(Number(await chart.getAttribute("data-series")));
                const box = await chart.boundingBox();
                expect(box!.width).to.be.above(100);
            }
            const bars = page.locator("svg#rejected-by-reason rect.bar");
            expect(await bars.count()).to.equal(Number(await page.locator("svg#rejected-by-reason").getAttribute("data-bars")));
            expect(await bars.count()).to.be.above(1);
            expect(await page.locator("svg#rejected-by-reason text.label").allTextContents()).to.include.members(["not_json"]);
            await page.screenshot({ path: path.join(result.localDir, "dashboard.png"), fullPage: true });
        } finally {
            await browser.close();
            fs.rmSync(userDir, { recursive: true, force: true });
        }
    });
});

describe("local: npm start --serve (a separate 8 s run)", function () {
    this.timeout(300_000);

    it("prints the dashboard URL first, keeps serving after the run, and closes on Ctrl-C (SIGINT) with exit 0", async () => {
        // The CLI as `npm start` runs it, in its own process group so that anything left can be stopped by pid.
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "local/cli.ts", "--duration", "8", "--rate", "100", "--serve"], {
            cwd: REPO,
            detached: true,
            stdio: ["ignore", "pipe", "pipe"],
        });
        const out: string[] = [];
        let buffered = "";
        child.stdout.on("data", (d: Buffer) => {
            buffered += d.toString();
            const parts = buffered.split("\n");
            buffered = parts.pop()!;
            for (const l of parts) {
                out.push(l);
                process.stdout.write(`      ${l}\n`);
            }
        });
        child.stderr.on("data", (d: Buffer) => process.stderr.write(d));
        const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
        const waitFor = async (re: RegExp, ms: number) => {
            const until = Date.now() + ms;
            while (!out.some((l) => re.test(l))) {
                if (Date.now() > until) throw new Error(`no line ${re} within ${ms / 1000} s`);
                if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode} before ${re}`);
                await new Promise((r) => setTimeout(r, 200));
            }
            return out.find((l) => re.test(l))!;
        };
        try {
            const url = /^dashboard: (\S+) \(live\)$/.exec(await waitFor(/^dashboard: /, 60_000))![1];
            expect(out[0]).to.equal(`dashboard: ${url} (live)`);
            expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
            await waitFor(/^dashboard: .* \(serving the finished run until Ctrl-C\)$/, 240_000);
            expect(out).to.include("accounting: OK: read = rejected + duplicates + late + counted for every app, 0 lost");
            const r = (await (await fetch(url + "api/model")).json()) as LiveResponse;
            expect(r.status.phase).to.equal("ended");
            expect(r.status.serving).to.equal(true);
            expect(r.model!.errors).to.deep.equal([]);
            expect(r.model!.tables.find((t) => t.name === "active_users_1m_latest")!.totalRows).to.be.above(0);
            process.kill(child.pid!, "SIGINT");
            const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("timeout"), 15_000))]);
            expect(code).to.equal(0);
            expect(out[out.length - 1]).to.equal("SIGINT: dashboard closed");
            const refused = await fetch(url).then(
                () => false,
                () => true,
            );
            expect(refused, "the server is closed").to.equal(true);
        } finally {
            if (child.exitCode === null && child.signalCode === null) {
                try {
                    process.kill(-child.pid!, "SIGTERM");
                    await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
                    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
                } catch {
                    // already gone
                }
            }
        }
    });
});
