import { expect } from "chai";
import { wholeNumber, ArgError } from "../args";
import { classifyPayload, isBlank, parseEventTime } from "../classify";
import { DeliveryBuffer } from "../firehose";
import { ClickstreamGenerator, isoWithOffset, nextFunnelStep, WEB_SITES, APP_SITES } from "../generator";
import { shardsForRate } from "../kinesis";
import { convertRecord, ConversionError, dataFileName, glueToDuckDb, partitionDir } from "../lake";
import { diffRows, reconcile } from "../reconcile";
import { sqlLiteral } from "../athena";
import { missingPrerequisites } from "./prerequisites";
import { compareRows, glueToTrino, localLocation, normalizeCell, trinoConfig, trinoTableSql } from "../trino";
import { DuckDBInstance } from "@duckdb/node-api";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Rng, Zipf } from "../rng";
import { localStart } from "../runner";
import { AppConfig } from "../../lib/config";
import { barChartSvg, lineChartSvg } from "../dashboard";
import * as http from "http";
import { loadSqlCatalog } from "../../lib/sql/catalog";
import { partitionOf } from "../../lib/naming";
import { partitionsOnDisk, partitionsRead, PlannedScan, recentPartitions } from "../lake-scan";
import { glueColumns } from "../../lib/sql/glue-schema";
import { parseArgs } from "../args";
import { buildProgram } from "../cli";
import { liveModel } from "../dashboard-model";
import { LiveResponse, rowKey } from "../dashboard-page";
import { startDashboardServer } from "../dashboard-server";
import { stopWithSavepoint } from "../flink-rest";

const gen = (seed: number) =>
    new ClickstreamGenerator({
        seed,
        rate: 100,
        startTimeMs: Date.UTC(2026, 10, 27, 10),
        sources: [
            { name: "web", sites: WEB_SITES, weight: 3 },
            { name: "mobile", sites: APP_SITES, weight: 1 },
        ],
    });

describe("local: pure parts", () => {
    it("the generator is deterministic from the seed", () => {
        const a = gen(7),
            b = gen(7),
            c = gen(8);
        const ra = Array.from({ length: 500 }, () => a.next().data);
        expect(Array.from({ length: 500 }, () => b.next().data)).to.deep.equal(ra);
        expect(Array.from({ length: 500 }, () => c.next().data)).to.not.deep.equal(ra);
    });
    it("labels ~0.5% duplicates and ~0.5% malformed, and classify.ts agrees with every label", () => {
        const g = gen(1);
        const counts = { event: 0, duplicate: 0, malformed: 0 };
        for (let i = 0; i < 40000; i++) {
            const r = g.next();
            counts[r.label.kind]++;
            const c = classifyPayload(r.data, Date.UTC(2026, 10, 27, 12));
            if (r.label.kind === "malformed") {
                expect(c.reason, r.data).to.not.equal(null);
                if (r.label.malformed === "missing_field" || r.label.malformed === "blank_field")
                    expect(c.reason).to.equal(`missing_field:${r.label.missingField}`);
                else if (r.label.malformed === "glued") expect(c.reason).to.equal("not_json");
                else expect(c.reason).to.equal(r.label.malformed);
            } else {
                expect(c.reason, r.data).to.equal(null);
                expect(c.event!.event_ms).to.equal(r.eventTimeMs);
                expect(r.label.latenessMs).to.be.below(20_000); // inside the 60 s watermark delay
            }
        }
        expect(counts.duplicate / 40000).to.be.within(0.003, 0.008);
        expect(counts.malformed / 40000).to.be.within(0.003, 0.008);
    });
    it("a source with offline devices sends some events 2.5 to 6 min late, labelled offline", () => {
        const g = new ClickstreamGenerator({
            seed: 3,
            rate: 100,
            startTimeMs: Date.UTC(2026, 10, 27, 10),
            sources: [{ name: "mobile", sites: APP_SITES, weight: 1, lateRate: 0.02 }],
        });
        const offline = Array.from({ length: 20000 }, () => g.next()).filter((r) => r.label.offline);
        expect(offline.length / 20000).to.be.within(0.01, 0.03);
        for (const r of offline) expect(r.label.latenessMs).to.be.within(150_000, 400_000);
    });
    it("blank is empty or Java whitespace: tabs and line breaks, not the no-break space", () => {
        for (const v of ["", " ", "\t", "\n", "\r\n", "\u000B\f", "\u001F", "\u2003", "\u2028"]) expect(isBlank(v), JSON.stringify(v)).to.equal(true);
        for (const v of ["x", " x ", "\u00A0", "\u2007", "\u202F", "\uFEFF"]) expect(isBlank(v), JSON.stringify(v)).to.equal(false);
        expect(
            classifyPayload(
                '{"event_id":"e","event_type":"click","user_id":"\\t","session_id":"s","site":"x","country":"DE","event_time":"2026-11-27T10:00:00Z"}',
                Date.UTC(2026, 10, 28),
            ).reason,
        ).to.equal("missing_field:user_id");
        expect(
            classifyPayload(
                '{"event_id":"e","event_type":"click","user_id":"u","session_id":"s","site":"x","country":"DE","event_time":"\\t"}',
                Date.UTC(2026, 10, 28),
            ).reason,
        ).to.equal("missing_field:event_time");
        expect(classifyPayload('{"event_id":"e"}{"event_id":"f"}', 0).reason).to.equal("not_json");
        expect(classifyPayload('{"event_id":"e"} x', 0).reason).to.equal("not_json");
    });
    it("Zipf probabilities follow 1/k^s and sampling matches them", () => {
        const z = new Zipf(100, 1.1);
        expect(z.probability(1) / z.probability(2)).to.be.closeTo(Math.pow(2, 1.1), 1e-9);
        const rng = new Rng(3);
        let ones = 0;
        for (let i = 0; i < 20000; i++) if (z.sample(rng) === 1) ones++;
        expect(ones / 20000).to.be.closeTo(z.probability(1), 0.015);
    });
    it("the funnel only moves forward one step (or back to a page view)", () => {
        expect(nextFunnelStep("page_view", 0.1)).to.equal("click");
        expect(nextFunnelStep("click", 0.1)).to.equal("add_to_cart");
        expect(nextFunnelStep("add_to_cart", 0.1)).to.equal("purchase");
        expect(nextFunnelStep("purchase", 0.9)).to.equal(undefined);
    });
    it("parses event times like PARSE_EVENT_TIME", () => {
        expect(parseEventTime("2026-11-27T10:15:30.123+01:00")).to.equal(Date.UTC(2026, 10, 27, 9, 15, 30, 123));
        expect(parseEventTime(isoWithOffset(Date.UTC(2026, 10, 27, 9), -300))).to.equal(Date.UTC(2026, 10, 27, 9));
        expect(parseEventTime("1764238500000")).to.equal(1764238500000);
        expect(parseEventTime("1764238500000.5")).to.equal(null);
        expect(parseEventTime("2026-13-45T99:00:00Z")).to.equal(null);
        expect(parseEventTime("2026-11-27T10:15:30")).to.equal(null); // no zone
    });
    it("maps Glue types to DuckDB types", () => {
        expect(
            ["string", "bigint", "int", "timestamp", "decimal(18,2)", "varchar(10)", "array<string>", "map<string,int>", "struct<a:int,b:string>"].map(
                glueToDuckDb,
            ),
        ).to.deep.equal([
            "VARCHAR",
            "BIGINT",
            "INTEGER",
            "TIMESTAMP",
            "DECIMAL(18,2)",
            "VARCHAR",
            "VARCHAR[]",
            "MAP(VARCHAR, INTEGER)",
            'STRUCT("a" INTEGER, "b" VARCHAR)',
        ]);
    });
    it("converts records like the Hive JSON SerDe: unknown ignored, missing null, mistyped fails", () => {
        const cols = [
            { name: "n", type: "bigint" },
            { name: "t", type: "timestamp" },
            { name: "s", type: "string" },
        ];
        expect(convertRecord('{"N":"5","t":"2026-11-27 10:00:00","x":1}', cols)).to.deep.equal({ n: 5, t: "2026-11-27 10:00:00", s: null });
        expect(() => convertRecord('{"n":"five"}', cols)).to.throw(ConversionError, "column 'n' (bigint)");
        expect(() => convertRecord('{"t":"2026-11-27T10:00:00Z"}', cols)).to.throw(ConversionError, "column 't'");
        // java.sql.Timestamp.valueOf, the SerDe's default: any fraction, or none (Flink leaves out a zero
        // fraction); no 'T', no zone, no epoch number.
        expect(convertRecord('{"t":"2026-11-27 10:00:00.5"}', cols).t).to.equal("2026-11-27 10:00:00.5");
        expect(convertRecord('{"t":"2026-11-27 10:00:00.123"}', cols).t).to.equal("2026-11-27 10:00:00.123");
        expect(convertRecord('{"t":"2026-1-7 10:00:00"}', cols).t).to.equal("2026-01-07 10:00:00");
        expect(() => convertRecord('{"t":"2026-11-27T10:00:00"}', cols)).to.throw(
            ConversionError,
            "column 't' (timestamp): cannot read \"2026-11-27T10:00:00\" as a timestamp (yyyy-MM-dd HH:mm:ss[.fff])",
        );
        expect(() => convertRecord('{"t":1764238500000}', cols)).to.throw(ConversionError, "column 't' (timestamp): cannot read 1764238500000 as a timestamp");
        expect(() => convertRecord("not json", cols)).to.throw(ConversionError);
    });
    it("lays out partitions by arrival hour (UTC) and names files <stream>-<seq>-<uuid>", () => {
        expect(partitionDir("/lake", "clicks_1m", new Date(Date.UTC(2026, 0, 2, 3, 59)))).to.equal("/lake/clicks_1m/year=2026/month=01/day=02/hour=03");
        expect(dataFileName("clickstream-clicks_1m", 7, "u")).to.equal("clickstream-clicks_1m-000007-u.parquet");
    });
    it("flushes a delivery buffer on size or interval, whichever first", () => {
        const b = new DeliveryBuffer<string>(100, 5000);
        expect(b.add("a", 60, 0)).to.equal(false);
        expect(b.due(4999)).to.equal(false);
        expect(b.due(5000)).to.equal(true);
        expect(b.add("b", 40, 10)).to.equal(true);
        expect(b.take().items).to.deep.equal(["a", "b"]);
        expect(b.due(99999)).to.equal(false);
    });
    it("a local app configured for LATEST reads its new stream from TRIM_HORIZON; other start positions are kept", () => {
        const app: Omit<AppConfig, "startPosition"> = {
            name: "mobile",
            source: "mobile",
            streamName: "mobile-events-eu",
            read: { readMode: "EFO" },
            outputs: ["late_events"],
            parallelism: 1,
            parallelismPerKpu: 1,
            autoScaling: true,
            checkpointIntervalMs: 60000,
            restore: "latest",
        };
        expect(localStart({ ...app, startPosition: "LATEST" })).to.deep.equal({ ...app, startPosition: "TRIM_HORIZON" });
        expect(localStart({ ...app, startPosition: "TRIM_HORIZON" }).startPosition).to.equal("TRIM_HORIZON");
        const atTimestamp: AppConfig = { ...app, startPosition: "AT_TIMESTAMP", startTimestamp: "2026-11-30T10:00:00Z" };
        expect(localStart(atTimestamp)).to.equal(atTimestamp);
    });
    it("sizes shards for the rate", () => {
        expect([1, 150, 151, 1500, 100000].map(shardsForRate)).to.deep.equal([1, 1, 2, 10, 32]);
    });
    it("diffs windows: open windows are skipped, missing closed windows and wrong values are mismatches", () => {
        const exp = [
            { ws: 1, we: 60, k: "a", v: 2 },
            { ws: 2, we: 120, k: "a", v: 3 },
            { ws: 3, we: 180, k: "a", v: 1 },
        ];
        const act = [
            { ws: 1, we: 60, k: "a", v: "2" },
            { ws: 2, we: 120, k: "a", v: 4 },
        ];
        const d = diffRows("o", ["ws", "we", "k"], ["v"], exp, act, (r) => Number(r.we) <= 150);
        expect(d.compared).to.equal(2);
        expect(d.mismatches.map((m) => m.key.ws)).to.deep.equal([2]);
    });
    it("validates flags with one clear line", () => {
        expect(() => wholeNumber("--rate", "abc", 1, 20000)).to.throw(ArgError, "--rate: 'abc' is not valid; expected a whole number from 1 to 20000");
        expect(wholeNumber("--rate", "300", 1, 20000)).to.equal(300);
    });
    it("draws one SVG point per data row and one bar per reason", () => {
        const svg = lineChartSvg({
            id: "x",
            title: "t",
            series: [
                {
                    name: "a",
                    points: [
                        { x: 0, y: 1 },
                        { x: 60000, y: 2 },
                    ],
                },
            ],
        });
        expect(svg.match(/class="pt"/g)).to.have.length(2);
        expect(barChartSvg({ id: "b", title: "r", bars: [{ label: "not_json", value: 3 }] }).match(/class="bar"/g)).to.have.length(1);
    });
});

describe("local: reconciliation of rejected_events", () => {
    const gtRow = (seq: number, reason: string, data: string) =>
        JSON.stringify({ seq, stream: "web", shard: "shardId-0", sent_ms: 1000 + seq, kind: "malformed", reason, event_id: null, data });
    async function reconcileRejected(lakeRows: [string, string, number][]) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reconcile-"));
        try {
            fs.writeFileSync(
                path.join(dir, "gt.jsonl"),
                [gtRow(0, "not_json", "{oops"), gtRow(1, "not_json", "[1,"), gtRow(2, "bad_timestamp", '{"event_time":"x"}')].join("\n") + "\n",
            );
            const partition = path.join(dir, "lake", "rejected_events", "year=2026", "month=11", "day=30", "hour=22");
            fs.mkdirSync(partition, { recursive: true });
            const db = await (await DuckDBInstance.create(":memory:")).connect();
            const values = lakeRows.map(([reason, payload, ms]) => `(epoch_ms(${ms}), 'eu-west-1', ${sqlLiteral(reason)}, ${sqlLiteral(payload)})`).join(", ");
            await db.run(
                `COPY (SELECT * FROM (VALUES ${values}) AS t(received_at, region, reason, payload)) TO ${sqlLiteral(path.join(partition, "r.parquet"))} (FORMAT parquet)`,
            );
            const apps = [{ app: "realtime", stream: "web", outputs: ["rejected_events"] }];
            return await reconcile(db, path.join(dir, "gt.jsonl"), path.join(dir, "lake"), "eu-west-1", apps, { allWindowsClosed: true });
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
    it("counts a rejection re-sent after a restore once, like sql/athena/rejected_events_by_reason.sql", async () => {
        const r = await reconcileRejected([
            ["not_json", "{oops", 1],
            ["not_json", "[1,", 2],
            ["bad_timestamp", '{"event_time":"x"}', 3],
            ["not_json", "{oops", 9], // the same record, re-read from the last checkpoint after a crash
        ]);
        expect(r.perOutput.rejected_events).to.deep.equal({ compared: 2, mismatches: 0, closedUntilMs: undefined });
        expect(r.mismatches).to.deep.equal([]);
    });
    it("still finds a rejection the lake lacks", async () => {
        const r = await reconcileRejected([
            ["not_json", "{oops", 1],
            ["bad_timestamp", '{"event_time":"x"}', 3],
        ]);
        expect(r.mismatches.filter((m) => m.output === "rejected_events")).to.deep.equal([
            { output: "rejected_events", key: { region: "eu-west-1", reason: "not_json" }, expected: { records: "2" }, actual: { records: "1" } },
        ]);
    });
    it("leaves a KA app's rejections (ka:<app>:...) to its own reconciliation (local/ka-reconcile.ts): no extra row, no extra payload", async () => {
        const r = await reconcileRejected([
            ["not_json", "{oops", 1],
            ["not_json", "[1,", 2],
            ["bad_timestamp", '{"event_time":"x"}', 3],
            ["ka:web_metrics:not_json", "{oops", 4],
            ["ka:web_metrics:late:ka_clicks_1m", '{"site":"a"}', 5],
        ]);
        expect(r.perOutput.rejected_events).to.deep.equal({ compared: 2, mismatches: 0, closedUntilMs: undefined });
        expect(r.mismatches).to.deep.equal([]);
    });
});

describe("local: live dashboard", () => {
    const REPO = path.resolve(__dirname, "..", "..");
    const outputs = loadSqlCatalog(path.join(REPO, "sql"), REPO).outputs.map((o) => ({ name: o.name, columns: glueColumns(o) }));
    const athenaDir = path.join(REPO, "sql", "athena");
    // The windows start at the top of the current hour (UTC), in its partition: the dashboard queries
    // read the last hours only (sql/athena/*_latest.sql).
    const base = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const at = (minute: number) => new Date(base + minute * 60_000).toISOString().slice(0, 19).replace("T", " ");
    const windowFile = async (lake: string, minutes: number) => {
        const p = partitionOf(new Date(base));
        const dir = path.join(lake, "active_users_1m", `year=${p.year}`, `month=${p.month}`, `day=${p.day}`, `hour=${p.hour}`);
        fs.mkdirSync(dir, { recursive: true });
        const db = await (await DuckDBInstance.create(":memory:")).connect();
        await db.run(
            `COPY (SELECT TIMESTAMP '${at(0)}' + INTERVAL (i) MINUTE AS window_start, TIMESTAMP '${at(1)}' + INTERVAL (i) MINUTE AS window_end, ` +
                `'eu-west-1' AS region, 'shop-de' AS site, 'DE' AS country, (5 + i)::BIGINT AS active_users FROM range(${minutes}) t(i)) TO '${dir}/f.parquet' (FORMAT parquet)`,
        );
        db.closeSync();
    };

    it("takes --port and --serve, and refuses a bad port with one line", () => {
        const errors: string[] = [];
        const write = process.stderr.write;
        process.stderr.write = ((s: string) => (errors.push(s), true)) as typeof process.stderr.write;
        try {
            expect(parseArgs(buildProgram(), ["--port", "abc"])).to.equal(2);
            expect(parseArgs(buildProgram(), ["--port", "70000"])).to.equal(2);
        } finally {
            process.stderr.write = write;
        }
        expect(errors).to.deep.equal([
            "--port: 'abc' is not valid; expected a whole number from 1 to 65535\n",
            "--port: '70000' is not valid; expected a whole number from 1 to 65535\n",
        ]);
        const o = parseArgs(buildProgram(), ["--port", "8080", "--serve"]) as Record<string, unknown>;
        expect([o.port, o.serve]).to.deep.equal([8080, true]);
        const d = parseArgs(buildProgram(), []) as Record<string, unknown>;
        expect([d.port, d.serve]).to.deep.equal([undefined, undefined]);
    });

    it("models a lake without files with every query and no error, then a window once its file lands", async () => {
        const lake = fs.mkdtempSync(path.join(os.tmpdir(), "live-lake-"));
        try {
            const empty = await liveModel({ lakeDir: lake, athenaDir, outputs });
            expect(empty.errors).to.deep.equal([]);
            expect(empty.tables.map((t) => t.name)).to.include.members([
                "active_users_1m_latest",
                "cart_value_by_campaign_latest",
                "rejected_events_by_reason",
            ]);
            for (const t of empty.tables) expect(t.totalRows, t.name).to.equal(0);
            for (const o of empty.outputs) expect([o.files, o.freshnessSeconds], o.output).to.deep.equal([0, null]);

            await windowFile(lake, 3);
            const m = await liveModel({ lakeDir: lake, athenaDir, outputs, now: base + 5 * 60_000 });
            expect(m.errors).to.deep.equal([]);
            const t = m.tables.find((x) => x.name === "active_users_1m_latest")!;
            expect(t.totalRows).to.equal(3);
            expect(rowKey(t.columns, t.rows[0])).to.equal(`eu-west-1|shop-de|DE|${at(2)}|${at(3)}`);
            const f = m.outputs.find((o) => o.output === "active_users_1m")!;
            expect([f.files, f.timeColumn, f.freshnessSeconds]).to.deep.equal([1, "window_end", 120]); // minute 5 − minute 3
            expect(m.outputs.find((o) => o.output === "rejected_events")!.timeColumn).to.equal("received_at");
            expect(m.lines.find((l) => l.id === "active-users-by-site")!.series).to.deep.equal([
                {
                    name: "shop-de",
                    points: [0, 1, 2].map((i) => ({ x: base + i * 60_000, y: 5 + i })),
                },
            ]);
        } finally {
            fs.rmSync(lake, { recursive: true, force: true });
        }
    });

    it("serves the page, Chart.js and the model on 127.0.0.1 only, to no other host name", async () => {
        const lake = fs.mkdtempSync(path.join(os.tmpdir(), "live-lake-"));
        await windowFile(lake, 2);
        const server = await startDashboardServer({ title: "t", model: () => liveModel({ lakeDir: lake, athenaDir, outputs }) });
        try {
            expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
            const page = await (await fetch(server.url)).text();
            expect(page).to.contain('<script src="/vendor/chart.umd.min.js"></script>');
            expect(page).to.not.match(/https?:\/\//); // no CDN
            const js = await fetch(server.url + "vendor/chart.umd.min.js");
            expect([js.status, js.headers.get("content-type")]).to.deep.equal([200, "text/javascript; charset=utf-8"]);
            expect(await js.text()).to.contain("Chart.js v4.5.1");
            server.setStatus({ phase: "running", step: "5/9 sending" });
            const r = (await (await fetch(server.url + "api/model")).json()) as LiveResponse;
            expect(r.status).to.deep.equal({ phase: "running", step: "5/9 sending", serving: false });
            expect(r.model!.tables.find((x) => x.name === "active_users_1m_latest")!.totalRows).to.equal(2);
            const other = await new Promise<number>((resolve, reject) =>
                http
                    .get(server.url + "api/model", { headers: { host: "attacker.example:80" } }, (res) => (res.resume(), resolve(res.statusCode!)))
                    .on("error", reject),
            );
            expect(other).to.equal(403);
            expect((await fetch(server.url + "nothing")).status).to.equal(404);
            expect((await fetch(server.url + "api/model", { method: "POST" })).status).to.equal(405);
        } finally {
            await server.close();
            fs.rmSync(lake, { recursive: true, force: true });
        }
    });
});

describe("local: prerequisites", () => {
    it("names each missing tool in one line, with the command that installs it", () => {
        const list = [
            { name: "A", for: "a thing", problem: () => undefined, install: "apt-get install -y a" },
            { name: "Chromium", for: "the dashboard tests", problem: () => "/usr/bin/chromium does not exist", install: "apt-get install -y chromium" },
        ];
        expect(missingPrerequisites(list)).to.deep.equal([
            "missing: Chromium, for the dashboard tests: /usr/bin/chromium does not exist; install it with `apt-get install -y chromium`",
        ]);
        expect(missingPrerequisites(list.slice(0, 1))).to.deep.equal([]);
    });
});

describe("local: Trino (pure parts)", () => {
    it("maps every Glue type the outputs can have to its Trino type", () => {
        const cases: [string, string][] = [
            ["string", "varchar"],
            ["boolean", "boolean"],
            ["tinyint", "tinyint"],
            ["smallint", "smallint"],
            ["int", "integer"],
            ["bigint", "bigint"],
            ["float", "real"],
            ["double", "double"],
            ["date", "date"],
            ["timestamp", "timestamp(3)"],
            ["varchar(20)", "varchar(20)"],
            ["char(2)", "char(2)"],
            ["decimal(12,2)", "decimal(12,2)"],
            ["array<string>", "array(varchar)"],
            ["map<string,array<int>>", "map(varchar, array(integer))"],
            ["struct<a:int,b:map<string,decimal(10,2)>>", 'row("a" integer, "b" map(varchar, decimal(10,2)))'],
        ];
        for (const [glue, trino] of cases) expect(glueToTrino(glue), glue).to.equal(trino);
        expect(() => glueToTrino("uniontype<int,string>")).to.throw("unsupported Glue type: uniontype<int,string>");
    });

    it("declares an output as an external Parquet table partitioned by year, month, day, hour (varchar)", () => {
        const catalog = loadSqlCatalog(path.join(__dirname, "..", "..", "sql"), path.join(__dirname, "..", ".."));
        const out = catalog.outputs.find((o) => o.name === "clicks_1m")!;
        expect(trinoTableSql("db", out.name, glueColumns(out), localLocation("/lake/clicks_1m"))).to.equal(
            'CREATE TABLE hive."db"."clicks_1m" ("window_start" timestamp(3), "window_end" timestamp(3), "region" varchar, "site" varchar, ' +
                '"country" varchar, "page_type" varchar, "clicks" bigint, "year" varchar, "month" varchar, "day" varchar, "hour" varchar) ' +
                "WITH (format = 'PARQUET', external_location = 'local:///lake/clicks_1m', partitioned_by = ARRAY['year', 'month', 'day', 'hour'])",
        );
    });

    it("configures a single node on 127.0.0.1 with a hive catalog on the local file system", () => {
        const { config, hive } = trinoConfig("/tmp/t", 8123);
        expect(config)
            .to.include("http-server.http.port=8123\n")
            .and.include("node.bind-ip=127.0.0.1\n")
            .and.include("node-scheduler.include-coordinator=true\n");
        expect(hive)
            .to.include("hive.metastore=file\n")
            .and.include("hive.metastore.catalog.dir=local:///tmp/t/metastore\n")
            .and.include("fs.native-local.enabled=true\n");
    });

    it("compares rows across engines: numbers within 1e-9, timestamps to the millisecond, order only when ordered", () => {
        expect(normalizeCell("2026-11-27 10:00:00")).to.equal("2026-11-27 10:00:00.000");
        expect(normalizeCell("2026-11-27 10:00:00.120")).to.equal("2026-11-27 10:00:00.120");
        expect(normalizeCell("2026-11-27T10:00:00.1234Z")).to.equal("2026-11-27 10:00:00.123");
        expect(normalizeCell("12.50")).to.equal(12.5);
        expect(normalizeCell("DE")).to.equal("DE");
        expect(normalizeCell(null)).to.equal(null);
        expect(compareRows([["a", "1.10"]], [["a", 1.1 + 1e-12]], true)).to.deep.equal({ identical: true });
        expect(compareRows([["a", 1.1]], [["a", 1.2]], true).identical).to.equal(false);
        expect(compareRows([["a"], ["b"]], [["b"], ["a"]], true)).to.deep.equal({ identical: false, detail: 'row 1: ["a"] against ["b"]' });
        expect(compareRows([["a"], ["b"]], [["b"], ["a"]], false)).to.deep.equal({ identical: true });
        expect(compareRows([["a"]], [], false)).to.deep.equal({ identical: false, detail: "1 rows against 0" });
    });
});

describe("local: partitions a planned scan reads (lake-scan)", () => {
    const onDisk = [
        "year=2026/month=11/day=29/hour=23",
        "year=2026/month=11/day=30/hour=22",
        "year=2026/month=11/day=30/hour=23",
        "year=2026/month=12/day=01/hour=01",
    ];

    it("keeps the partitions whose every key value the plan kept, and all of them for an unconstrained key", () => {
        const scan: PlannedScan = { table: "t", keys: { year: ["2026"], month: ["11", "12"], day: ["30", "01"], hour: "all" } };
        expect(partitionsRead(scan, onDisk)).to.deep.equal(onDisk.slice(1));
        expect(partitionsRead({ table: "t", keys: { year: [], month: [], day: [], hour: [] } }, onDisk)).to.deep.equal([]);
    });

    it("takes the recent hours from the start of the hour N hours ago, across a month", () => {
        expect(recentPartitions(onDisk, new Date(Date.UTC(2026, 11, 1, 1, 30)), 3)).to.deep.equal(onDisk.slice(1));
        expect(recentPartitions(onDisk, new Date(Date.UTC(2026, 11, 1, 1, 30)), 2)).to.deep.equal(onDisk.slice(2));
    });

    it("lists year/month/day/hour directories only, sorted", () => {
        const lake = fs.mkdtempSync(path.join(os.tmpdir(), "scan-lake-"));
        try {
            for (const p of [...onDisk].reverse()) fs.mkdirSync(path.join(lake, "t", p), { recursive: true });
            fs.mkdirSync(path.join(lake, "t", "year=2026", "other"), { recursive: true });
            expect(partitionsOnDisk(lake, "t")).to.deep.equal(onDisk);
            expect(partitionsOnDisk(lake, "missing")).to.deep.equal([]);
        } finally {
            fs.rmSync(lake, { recursive: true, force: true });
        }
    });
});

describe("local: stop with a savepoint when the runner exits before the next poll (flink-rest)", () => {
    /** A runner's REST API that answers the stop request, then goes away as the runner JVM does when its job has finished. */
    async function exitingRunner(onStop: () => void): Promise<number> {
        const server = http.createServer((req, res) => {
            res.setHeader("content-type", "application/json");
            if (req.url === "/jobs/overview") {
                res.end(JSON.stringify({ jobs: [{ jid: "j1", state: "RUNNING" }] }));
            } else if (req.method === "POST" && req.url === "/jobs/j1/stop") {
                onStop();
                res.end(JSON.stringify({ "request-id": "r1" }), () => {
                    server.close();
                    server.closeAllConnections();
                });
            } else {
                res.statusCode = 404;
                res.end("{}");
            }
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        return (server.address() as { port: number }).port;
    }

    it("returns the savepoint completed in the directory since the request", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "savepoints-"));
        fs.mkdirSync(path.join(dir, "savepoint-000000-old"));
        fs.writeFileSync(path.join(dir, "savepoint-000000-old", "_metadata"), "");
        const port = await exitingRunner(() => {
            fs.mkdirSync(path.join(dir, "savepoint-j1-new"));
            fs.writeFileSync(path.join(dir, "savepoint-j1-new", "_metadata"), "");
        });
        expect(await stopWithSavepoint(port, dir, true)).to.equal(path.join(dir, "savepoint-j1-new"));
    });

    it("fails when no savepoint completed (the runner went away without one)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "savepoints-"));
        fs.mkdirSync(path.join(dir, "savepoint-j1-unfinished")); // no _metadata: not completed
        const port = await exitingRunner(() => undefined);
        const error = await stopWithSavepoint(port, dir, true).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(error?.message).to.equal("fetch failed");
    });
});
