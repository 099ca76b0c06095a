import { expect } from "chai";
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
import { runPipeline, RunResult } from "../pipeline";

const REPO = path.resolve(__dirname, "..", "..");
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

    before(async () => {
        result = await runPipeline({
            stack: "eu",
            duration: 20,
            rate: 200,
            seed: 11,
            keep: false,
            log: (l) => (lines.push(l), process.stdout.write(`      ${l}\n`)),
        });
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
        expect(result.sent).to.equal(apps[0].sent + apps[2].sent); // realtime and campaigns read one stream, mobile the other
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
        const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "chromium-"));
        // A fresh user-data-dir (playwright passes it as --user-data-dir).
        const browser = await chromium.launchPersistentContext(userDir, {
            executablePath: "/usr/bin/chromium",
            headless: true,
            viewport: { width: 1400, height: 1000 },
            args: [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        });
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
