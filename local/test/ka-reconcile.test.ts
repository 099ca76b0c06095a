/**
 * The KA recomputation (local/ka-reconcile.ts) on hand-made records with known arrival times: every
 * expected row is worked out by hand in the comments, independently of the translated Flink SQL.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { columnValue, KA_METRICS, kaExpected, kaInputColumns, kaParse } from "../ka-reconcile";
import { ArrivedRecord } from "../kinesis";

const REPO = path.resolve(__dirname, "..", "..");
const JSON_FILE = "sql/ka/web_metrics/application.json";
const COLUMNS = kaInputColumns(fs.readFileSync(path.join(REPO, JSON_FILE), "utf8"), JSON_FILE);
const T = Date.UTC(2026, 11, 1, 12, 0, 0); // 12:00:00.000

let seq = 0;
const rec = (arrivalMs: number, data: unknown): ArrivedRecord => ({
    shardId: "shardId-000000000000",
    sequenceNumber: String(++seq),
    arrivalMs,
    data: typeof data === "string" ? data : JSON.stringify(data),
});
const ev = (user: string | null, type: string, extra: Record<string, unknown> = {}) => ({
    event_id: `e-${++seq}`,
    event_type: type,
    ...(user === null ? {} : { user_id: user }),
    site: "Shop.DE",
    country: "de",
    ...extra,
});

describe("local: KA recomputation (ka-reconcile)", () => {
    it("reads the input schema of sql/ka/web_metrics/application.json, and refuses a column type it does not recompute", () => {
        expect(COLUMNS.map((c) => [c.name, c.mapping])).to.deep.equal([
            ["event_id", "$.event_id"],
            ["event_type", "$.event_type"],
            ["user_id", "$.user_id"],
            ["site", "$.site"],
            ["country", "$.country"],
            ["page_type", "$.page.type"],
        ]);
        const json = JSON.stringify({
            input: { InputSchema: { RecordFormat: { RecordFormatType: "JSON" }, RecordColumns: [{ Name: "n", SqlType: "INTEGER", Mapping: "$.n" }] } },
        });
        expect(() => kaInputColumns(json, "x/application.json")).to.throw(
            "x/application.json: column n (INTEGER): local/ka-reconcile.ts recomputes VARCHAR and CHAR columns only; this app cannot be reconciled locally",
        );
    });

    it("maps a value by its JSONPath as KA's JSON mapping does", () => {
        const doc = { s: "x", n: 12, b: true, z: null, o: { type: "product", deep: { a: 1 } }, a: [1, "two"], p: "not an object" };
        expect(columnValue(doc, "$.s")).to.equal("x");
        expect(columnValue(doc, "$.n")).to.equal("12");
        expect(columnValue(doc, "$.b")).to.equal("true");
        expect(columnValue(doc, "$.z")).to.equal(null);
        expect(columnValue(doc, "$.missing")).to.equal(null);
        expect(columnValue(doc, "$.o")).to.equal('{"type":"product","deep":{"a":1}}'); // a top-level object: its JSON text
        expect(columnValue(doc, "$.a")).to.equal('[1,"two"]');
        expect(columnValue(doc, "$.o.type")).to.equal("product");
        expect(columnValue(doc, "$['o']['type']")).to.equal("product");
        expect(columnValue(doc, "$.o.deep")).to.equal(null); // a nested object: JSON_VALUE gives NULL
        expect(columnValue(doc, "$.a[1]")).to.equal("two");
        expect(columnValue(doc, "$.p.type")).to.equal(null);
    });

    it("rejects a record that is not exactly one JSON object as ka:<app>:not_json", () => {
        for (const data of ['{"event_id": "e1"', '{"a":1}{"a":2}', '{"a":1}\n{"a":2}', "[1,2]", "null", "42", ""])
            expect(kaParse("web_metrics", COLUMNS, rec(T, data)), data).to.deep.equal({ reason: "ka:web_metrics:not_json" });
        expect(kaParse("web_metrics", COLUMNS, rec(T, ' {"site": "a"} '))).to.deep.include({
            columns: { event_id: null, event_type: null, user_id: null, site: "a", country: null, page_type: null },
        });
    });

    it("computes KA's rows per minute of arrival time: no de-duplication, late records left out, NULL user ids not counted", () => {
        const dup = ev("u2", "click");
        const late = ev("u9", "click", { page: { type: "cart" } });
        const records = [
            rec(T + 10_000, ev(null, "view")), // 12:00:10, no user: in the 12:00 group, not counted as a user
            rec(T + 59_999, ev("u1", "click", { page: { type: "product" } })), // 12:00:59.999: the 12:00 window's last ms
            rec(T + 60_000, ev("u1", "view")), // 12:01:00.000: the 12:01 window
            rec(T + 90_000, dup), // 12:01:30, a click without page: page_type 'unknown'
            rec(T + 100_000, dup), // 12:01:40, the same record again: counted again (KA has no de-duplication)
            rec(T + 110_000, late), // late (in the lake's rejected_events): in no window
            rec(T + 120_000, '{"site": "Shop.DE", "event_type": "click"'), // not JSON: rejected
            rec(T + 121_000, { ...ev("u3", "click"), site: "other", country: "fr" }), // 12:02, another site and country
        ];
        const e = kaExpected("web_metrics", COLUMNS, records, [JSON.stringify(late)]);
        expect([...e.rejected]).to.deep.equal([["ka:web_metrics:not_json", ['{"site": "Shop.DE", "event_type": "click"']]]);
        expect(e.late.map((r) => r.arrivalMs)).to.deep.equal([T + 110_000]);
        expect(e.phantomLate).to.deep.equal([]);
        expect(e.onTime).to.have.length(6);
        const m = 60_000;
        expect(KA_METRICS.ka_active_users_1m.rows(e.onTime, "us-east-1")).to.deep.equal([
            { window_start: T, region: "us-east-1", site: "shop.de", country: "DE", active_users: 1, rowtime: T + m - 1 },
            { window_start: T + m, region: "us-east-1", site: "shop.de", country: "DE", active_users: 2, rowtime: T + 2 * m - 1 },
            { window_start: T + 2 * m, region: "us-east-1", site: "other", country: "FR", active_users: 1, rowtime: T + 3 * m - 1 },
        ]);
        expect(KA_METRICS.ka_clicks_1m.rows(e.onTime, "us-east-1")).to.deep.equal([
            { window_start: T, region: "us-east-1", site: "shop.de", country: "DE", page_type: "product", clicks: 1, rowtime: T + m - 1 },
            { window_start: T + m, region: "us-east-1", site: "shop.de", country: "DE", page_type: "unknown", clicks: 2, rowtime: T + 2 * m - 1 },
            { window_start: T + 2 * m, region: "us-east-1", site: "other", country: "FR", page_type: "unknown", clicks: 1, rowtime: T + 3 * m - 1 },
        ]);
    });

    it("a late payload that arrived twice: its earliest arrival is the late one; a late payload of no valid record is a phantom", () => {
        const twice = ev("u1", "click");
        const records = [rec(T + 5_000, twice), rec(T + 65_000, twice), rec(T + 70_000, "oops")];
        const e = kaExpected("web_metrics", COLUMNS, records, [JSON.stringify(twice), "oops", "never sent"]);
        expect(e.late.map((r) => r.arrivalMs)).to.deep.equal([T + 5_000]);
        expect(e.onTime.map((r) => r.arrivalMs)).to.deep.equal([T + 65_000]);
        expect(e.phantomLate).to.deep.equal(["oops", "never sent"]); // a rejected record is never late
        expect([...e.rejected]).to.deep.equal([["ka:web_metrics:not_json", ["oops"]]]);
    });
});
