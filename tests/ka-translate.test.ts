/**
 * The KA for SQL translation (lib/ka/): one test per construct of docs/KA-MIGRATION.md's table, with the
 * exact Flink SQL it becomes, or the exact one-line error of a construct that is rejected.
 * The translated SQL is run on data by the runner's KaBundleTest (MiniCluster).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isPathName, jsonPathExpression, KaApp, KaDefinitionError, translateKaApp } from "../lib/ka/app";
import { kaAppOutputs, lakeOutputs, loadSqlCatalog, outputNameProblem, SqlDefinitionError, SqlStatement } from "../lib/sql/catalog";
import { main as kaTranslate } from "../tools/ka-translate";

const REPO = path.resolve(__dirname, "..");
const rejectedTable: SqlStatement = loadSqlCatalog(path.join(REPO, "sql"), REPO).outputs.find((o) => o.name === "rejected_events")!.createTable;
const FILE = "sql/ka/app/application.sql";

const COLUMNS = [
    { Name: "user_id", SqlType: "VARCHAR(16)", Mapping: "$.user" },
    { Name: "site", SqlType: "VARCHAR(32)", Mapping: "$.site" },
    { Name: "amount", SqlType: "INTEGER", Mapping: "$.amount" },
    { Name: "url", SqlType: "VARCHAR(64)", Mapping: "$.page.url" },
    { Name: "sent", SqlType: "TIMESTAMP", Mapping: "$.sent" },
];

function json(outputs: Record<string, string>, columns: unknown[] = COLUMNS, format: Record<string, unknown> = {}) {
    return {
        input: {
            NamePrefix: "SOURCE_SQL_STREAM",
            InputSchema: {
                RecordFormat: { RecordFormatType: "JSON", MappingParameters: { JSONMappingParameters: { RecordRowPath: "$" } }, ...format },
                RecordEncoding: "UTF-8",
                RecordColumns: columns,
            },
        },
        outputs: Object.entries(outputs).map(([Name, output]) => ({ Name, output })),
    };
}

function translate(sql: string, outputs: Record<string, string> = { OUT: "out_1m" }, j: unknown = json(outputs)): KaApp {
    return translateKaApp({ app: "app", sqlFile: FILE, jsonFile: "sql/ka/app/application.json", sqlText: sql, json: j, rejectedTable, outputNameProblem });
}

/** The SQL of the view (or other statement) named `target`. */
function view(app: KaApp, target: string): string {
    const s = app.statements.find((x) => x.target === target && x.kind === "create-view");
    if (!s) throw new Error(`no view ${target}: ${app.statements.map((x) => x.target).join(", ")}`);
    return s.sql;
}

function error(sql: string, j?: unknown): string {
    try {
        translate(sql, { OUT: "out_1m" }, j);
    } catch (e) {
        expect(e).to.be.instanceOf(KaDefinitionError);
        return (e as Error).message;
    }
    throw new Error("translated without an error");
}

const OUT = (cols: string) => `CREATE OR REPLACE STREAM "OUT" (${cols});\n`;
const PUMP = `CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"\n`;

describe("KA translation", () => {
    describe("supported constructs", () => {
        it("the input schema: RecordColumns' JSONPath mappings, typed with TRY_CAST, and a reject reason per bad value", () => {
            const app = translate(OUT("user_id VARCHAR(16)") + PUMP + `SELECT STREAM user_id FROM "SOURCE_SQL_STREAM_001";`);
            expect(app.statements.map((s) => `${s.kind} ${s.target}`)).to.deep.equal([
                "create-table ka_raw",
                "create-view ka_parsed",
                "create-view events_unique",
                "create-view source_sql_stream_001",
                "create-view out",
                "create-table out_1m",
                "create-table rejected_events",
                "insert out_1m",
                "insert rejected_events",
            ]);
            expect(app.statements[0].sql).to.equal(
                [
                    "CREATE TABLE ka_raw (",
                    "  payload STRING,",
                    "  arrival_time TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,",
                    "  proc_time AS PROCTIME(),",
                    "  fields AS JSON_FIELDS(payload),",
                    "  rowtime AS CAST(arrival_time AS TIMESTAMP(3)),",
                    "  WATERMARK FOR rowtime AS rowtime - INTERVAL '1' SECOND",
                    ")",
                ].join("\n"),
            );
            expect(view(app, "ka_parsed")).to.equal(
                [
                    "CREATE VIEW ka_parsed AS",
                    "SELECT payload, proc_time, rowtime,",
                    "  COALESCE(fields['user'], fields['$.user']) AS `user_id`,",
                    "  COALESCE(fields['site'], fields['$.site']) AS `site`,",
                    "  TRY_CAST(fields['amount'] AS INT) AS `amount`,",
                    "  fields['page.url'] AS `url`,",
                    "  TRY_CAST(fields['sent'] AS TIMESTAMP(3)) AS `sent`,",
                    "  CASE",
                    "    WHEN fields IS NULL THEN 'ka:app:not_json'",
                    "    WHEN fields['amount'] IS NOT NULL AND TRY_CAST(fields['amount'] AS INT) IS NULL THEN 'ka:app:bad_value:amount'",
                    "    WHEN fields['sent'] IS NOT NULL AND TRY_CAST(fields['sent'] AS TIMESTAMP(3)) IS NULL THEN 'ka:app:bad_value:sent'",
                    "  END AS reject_reason",
                    "FROM ka_raw",
                ].join("\n"),
            );
            expect(view(app, "events_unique")).to.equal(
                "CREATE VIEW events_unique AS\nSELECT rowtime, payload, `user_id`, `site`, `amount`, `url`, `sent`\nFROM ka_parsed\nWHERE reject_reason IS NULL",
            );
            expect(view(app, "source_sql_stream_001")).to.equal(
                "CREATE VIEW `source_sql_stream_001` AS\nSELECT `user_id`, `site`, `amount`, `url`, `sent`, rowtime\nFROM events_timed\nWHERE closed_outputs IS NULL",
            );
        });

        it("CREATE STREAM mapped to an output: a CREATE TABLE with the stream's columns, rowtime and region, and its INSERT", () => {
            const app = translate(
                OUT("user_id VARCHAR(16), amount DECIMAL(12,2), seen TIMESTAMP, ok BOOLEAN, n REAL") +
                    PUMP +
                    `SELECT STREAM user_id, amount, sent, TRUE, 1.5 FROM "SOURCE_SQL_STREAM_001";`,
            );
            expect(app.outputs.map((o) => [o.name, o.columns.map((c) => `${c.name} ${c.flinkType}`)])).to.deep.equal([
                ["out_1m", ["user_id STRING", "amount DECIMAL(12,2)", "seen TIMESTAMP(3)", "ok BOOLEAN", "n FLOAT", "rowtime TIMESTAMP(3)", "region STRING"]],
            ]);
            expect(app.outputs[0].createTable.sql).to.equal(
                "CREATE TABLE out_1m (\n  `user_id` STRING,\n  `amount` DECIMAL(12,2),\n  `seen` TIMESTAMP(3),\n  `ok` BOOLEAN,\n  `n` FLOAT,\n  `rowtime` TIMESTAMP(3),\n  `region` STRING\n)",
            );
            expect(app.outputs[0].insert.sql).to.equal(
                "INSERT INTO out_1m\nSELECT `user_id`, `amount`, `seen`, `ok`, `n`, CAST(rowtime AS TIMESTAMP(3)) AS rowtime, SOURCE_REGION() AS region\nFROM `out`",
            );
            expect(app.outputs[0].createTable.line).to.equal(1);
        });

        it("CREATE PUMP ... INSERT INTO ... SELECT STREAM: the stream's view, values cast to its columns (two pumps: UNION ALL)", () => {
            const app = translate(
                OUT("user_id VARCHAR(16), amount BIGINT") +
                    PUMP +
                    `SELECT STREAM user_id, amount FROM "SOURCE_SQL_STREAM_001" WHERE amount > 10;\n` +
                    `CREATE OR REPLACE PUMP "P2" AS INSERT INTO "OUT" ("AMOUNT") SELECT STREAM amount * 2 FROM "SOURCE_SQL_STREAM_001";`,
            );
            expect(view(app, "out")).to.equal(
                [
                    "CREATE VIEW `out` AS",
                    "SELECT CAST(`user_id` AS STRING) AS `user_id`, TRY_CAST(`amount` AS BIGINT) AS `amount`, rowtime AS rowtime",
                    "FROM `source_sql_stream_001`",
                    "WHERE `amount` > 10",
                    "UNION ALL",
                    "SELECT CAST(NULL AS STRING) AS `user_id`, `amount`, rowtime",
                    "FROM (",
                    "SELECT TRY_CAST(`amount` * 2 AS BIGINT) AS `amount`, rowtime AS rowtime",
                    "FROM `source_sql_stream_001`)",
                ].join("\n"),
            );
        });

        it("a chain of in-application streams: each a view over the one it reads, in dependency order", () => {
            const app = translate(
                OUT("site VARCHAR(32), n BIGINT") +
                    `CREATE OR REPLACE PUMP "P2" AS INSERT INTO "OUT" SELECT STREAM site, COUNT(*) FROM "BIG" GROUP BY site, STEP("BIG".ROWTIME BY INTERVAL '1' MINUTE);\n` +
                    `CREATE OR REPLACE STREAM "BIG" (site VARCHAR(32), amount INTEGER);\n` +
                    `CREATE OR REPLACE PUMP "P1" AS INSERT INTO "BIG" SELECT STREAM site, amount FROM "SOURCE_SQL_STREAM_001" WHERE amount >= 2;`,
            );
            expect(app.statements.filter((s) => s.kind === "create-view").map((s) => s.target)).to.deep.equal([
                "ka_parsed",
                "events_unique",
                "source_sql_stream_001",
                "big",
                "out",
            ]);
            expect(view(app, "out")).to.equal(
                "CREATE VIEW `out` AS\nSELECT CAST(`site` AS STRING) AS `site`, TRY_CAST(COUNT(*) AS BIGINT) AS `n`, window_time AS rowtime\n" +
                    "FROM TABLE(TUMBLE(TABLE `big`, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))\nGROUP BY window_start, window_end, window_time, `site`",
            );
        });

        it("identifiers: unquoted ones are upper-cased by KA and match case-insensitively here; Flink names are lower case, quoted", () => {
            const app = translate(
                OUT(`"Site" VARCHAR(32)`) +
                    PUMP +
                    `SELECT STREAM "site" FROM "SOURCE_SQL_STREAM_001" AS s WHERE s.amount IS NOT NULL AND "S"."user_id" <> 'x';`,
            );
            expect(view(app, "out")).to.equal(
                "CREATE VIEW `out` AS\nSELECT CAST(`site` AS STRING) AS `site`, rowtime AS rowtime\nFROM `source_sql_stream_001`\nWHERE `amount` IS NOT NULL AND `user_id` <> 'x'",
            );
            // As in KA, a quoted lower-case alias is not the unquoted (upper-cased) one.
            expect(error(OUT("site VARCHAR(32)") + PUMP + `SELECT STREAM site FROM "SOURCE_SQL_STREAM_001" AS "s" WHERE s.amount > 1;`)).to.equal(
                'sql/ka/app/application.sql:3:62: unknown stream or alias "S": this query reads "SOURCE_SQL_STREAM_001" or "s"',
            );
        });

        it("ROWTIME and APPROXIMATE_ARRIVAL_TIME: the arrival time (rowtime)", () => {
            const app = translate(
                OUT("t1 TIMESTAMP, t2 TIMESTAMP") +
                    PUMP +
                    `SELECT STREAM ROWTIME, "SOURCE_SQL_STREAM_001".APPROXIMATE_ARRIVAL_TIME FROM "SOURCE_SQL_STREAM_001";`,
            );
            expect(view(app, "out")).to.equal(
                "CREATE VIEW `out` AS\nSELECT TRY_CAST(rowtime AS TIMESTAMP(3)) AS `t1`, TRY_CAST(rowtime AS TIMESTAMP(3)) AS `t2`, rowtime AS rowtime\nFROM `source_sql_stream_001`",
            );
        });

        it("WHERE, CASE, CAST (as TRY_CAST), LIKE, IN, BETWEEN and arithmetic", () => {
            const app = translate(
                OUT("c VARCHAR(8), n INTEGER") +
                    PUMP +
                    `SELECT STREAM CASE WHEN amount BETWEEN 1 AND 9 THEN 'small' ELSE 'big' END, CAST(site AS INTEGER) + -1 FROM "SOURCE_SQL_STREAM_001" WHERE site LIKE 'shop%' AND user_id NOT IN ('a', 'b');`,
            );
            expect(view(app, "out")).to.equal(
                "CREATE VIEW `out` AS\nSELECT CAST(CASE WHEN `amount` BETWEEN 1 AND 9 THEN 'small' ELSE 'big' END AS STRING) AS `c`, TRY_CAST(TRY_CAST(`site` AS INT) + -1 AS INT) AS `n`, rowtime AS rowtime\n" +
                    "FROM `source_sql_stream_001`\nWHERE `site` LIKE 'shop%' AND `user_id` NOT IN ('a', 'b')",
            );
        });

        const tumbling = (groupBy: string, select = "site") =>
            view(
                translate(
                    OUT("site VARCHAR(32), n BIGINT") + PUMP + `SELECT STREAM ${select}, COUNT(*) FROM "SOURCE_SQL_STREAM_001" AS s GROUP BY site, ${groupBy};`,
                ),
                "out",
            );

        it("tumbling: GROUP BY STEP(ROWTIME BY INTERVAL ...) is a TUMBLE window", () => {
            expect(tumbling(`STEP(s.ROWTIME BY INTERVAL '120' SECOND)`)).to.equal(
                "CREATE VIEW `out` AS\nSELECT CAST(`site` AS STRING) AS `site`, TRY_CAST(COUNT(*) AS BIGINT) AS `n`, window_time AS rowtime\n" +
                    "FROM TABLE(TUMBLE(TABLE `source_sql_stream_001`, DESCRIPTOR(rowtime), INTERVAL '2' MINUTE))\nGROUP BY window_start, window_end, window_time, `site`",
            );
            expect(tumbling(`STEP(s.ROWTIME BY INTERVAL '90' SECOND)`)).to.contain("INTERVAL '90' SECOND)");
            expect(tumbling(`STEP(s.ROWTIME BY INTERVAL '150' SECOND)`)).to.contain("INTERVAL '150' SECOND(3)");
        });

        it("tumbling: GROUP BY FLOOR(ROWTIME TO unit); the window expression selected is window_start, ROWTIME the window's end", () => {
            const app = translate(
                OUT("site VARCHAR(32), w TIMESTAMP, t TIMESTAMP, n BIGINT") +
                    PUMP +
                    `SELECT STREAM site, FLOOR(s.ROWTIME TO HOUR), s.ROWTIME, COUNT(*) FROM "SOURCE_SQL_STREAM_001" AS s GROUP BY site, FLOOR(s.ROWTIME TO HOUR);`,
            );
            expect(view(app, "out")).to.equal(
                "CREATE VIEW `out` AS\nSELECT CAST(`site` AS STRING) AS `site`, TRY_CAST(window_start AS TIMESTAMP(3)) AS `w`, TRY_CAST(window_end AS TIMESTAMP(3)) AS `t`, TRY_CAST(COUNT(*) AS BIGINT) AS `n`, window_time AS rowtime\n" +
                    "FROM TABLE(TUMBLE(TABLE `source_sql_stream_001`, DESCRIPTOR(rowtime), INTERVAL '1' HOUR))\nGROUP BY window_start, window_end, window_time, `site`",
            );
        });

        it("tumbling: FLOOR arithmetic on ROWTIME, (ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / n TO SECOND", () => {
            expect(tumbling(`FLOOR((s.ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND)`)).to.contain(
                "FROM TABLE(TUMBLE(TABLE `source_sql_stream_001`, DESCRIPTOR(rowtime), INTERVAL '10' SECOND))",
            );
        });

        it("COUNT(DISTINCT ...) in a tumbling window", () => {
            const app = translate(
                OUT("site VARCHAR(32), n BIGINT") +
                    PUMP +
                    `SELECT STREAM site, COUNT(DISTINCT user_id) FROM "SOURCE_SQL_STREAM_001" AS s GROUP BY site, STEP(s.ROWTIME BY INTERVAL '1' MINUTE);`,
            );
            expect(view(app, "out").split("\n")[1]).to.equal(
                "SELECT CAST(`site` AS STRING) AS `site`, TRY_CAST(COUNT(DISTINCT `user_id`) AS BIGINT) AS `n`, window_time AS rowtime",
            );
        });

        it("sliding: aggregates OVER a named window (RANGE INTERVAL ... PRECEDING) or an inline one (ROWS n PRECEDING)", () => {
            const named = translate(
                OUT("u VARCHAR(16), s INTEGER, c BIGINT") +
                    PUMP +
                    `SELECT STREAM user_id, SUM(amount) OVER W, COUNT(*) OVER W FROM "SOURCE_SQL_STREAM_001" WINDOW W AS (PARTITION BY user_id RANGE INTERVAL '5' MINUTE PRECEDING);`,
            );
            expect(view(named, "out")).to.equal(
                "CREATE VIEW `out` AS\nSELECT CAST(`user_id` AS STRING) AS `u`, " +
                    "TRY_CAST(SUM(`amount`) OVER (PARTITION BY `user_id` ORDER BY rowtime RANGE BETWEEN INTERVAL '5' MINUTE PRECEDING AND CURRENT ROW) AS INT) AS `s`, " +
                    "TRY_CAST(COUNT(*) OVER (PARTITION BY `user_id` ORDER BY rowtime RANGE BETWEEN INTERVAL '5' MINUTE PRECEDING AND CURRENT ROW) AS BIGINT) AS `c`, rowtime AS rowtime\n" +
                    "FROM `source_sql_stream_001`",
            );
            const rows = translate(
                OUT("u VARCHAR(16), s INTEGER") +
                    PUMP +
                    `SELECT STREAM user_id, AVG(amount) OVER (PARTITION BY user_id ROWS 10 PRECEDING) FROM "SOURCE_SQL_STREAM_001";`,
            );
            expect(view(rows, "out")).to.contain("AVG(`amount`) OVER (PARTITION BY `user_id` ORDER BY rowtime ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)");
        });

        it("stagger: WINDOWED BY STAGGER (PARTITION BY ... RANGE INTERVAL ...) is a TUMBLE of that size grouped by the partition keys", () => {
            const app = translate(
                OUT("site VARCHAR(32), minute_ts TIMESTAMP, n BIGINT") +
                    PUMP +
                    `SELECT STREAM site, FLOOR(sent TO MINUTE), COUNT(*) FROM "SOURCE_SQL_STREAM_001" WINDOWED BY STAGGER (PARTITION BY site, FLOOR(sent TO MINUTE) RANGE INTERVAL '1' MINUTE);`,
            );
            expect(view(app, "out")).to.equal(
                "CREATE VIEW `out` AS\nSELECT CAST(`site` AS STRING) AS `site`, TRY_CAST(FLOOR(`sent` TO MINUTE) AS TIMESTAMP(3)) AS `minute_ts`, TRY_CAST(COUNT(*) AS BIGINT) AS `n`, window_time AS rowtime\n" +
                    "FROM TABLE(TUMBLE(TABLE `source_sql_stream_001`, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))\n" +
                    "GROUP BY window_start, window_end, window_time, `site`, FLOOR(`sent` TO MINUTE)",
            );
        });

        it("TOP_K_ITEMS_TUMBLING: an exact window Top-N of the counts (ties ordered by the value)", () => {
            const app = translate(
                OUT("site VARCHAR(32), n BIGINT") +
                    PUMP +
                    `SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 'site', 3, 60));`,
            );
            expect(view(app, "out_q1")).to.equal(
                "CREATE VIEW `out_q1` AS\nSELECT `user_id`, `site`, `amount`, `url`, `sent`, rowtime AS rowtime\nFROM `source_sql_stream_001`",
            );
            expect(view(app, "out_q2")).to.equal(
                [
                    "CREATE VIEW `out_q2` AS",
                    "SELECT `site`, item_count, rowtime FROM (",
                    "  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY item_count DESC, `site`) AS item_rank",
                    "  FROM (",
                    "    SELECT window_start, window_end, window_time AS rowtime, `site`, COUNT(*) AS item_count",
                    "    FROM TABLE(TUMBLE(TABLE `out_q1`, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))",
                    "    GROUP BY window_start, window_end, window_time, `site`))",
                    "WHERE item_rank <= 3",
                ].join("\n"),
            );
            expect(view(app, "out")).to.equal(
                "CREATE VIEW `out` AS\nSELECT CAST(`site` AS STRING) AS `site`, TRY_CAST(`item_count` AS BIGINT) AS `n`, rowtime AS rowtime\nFROM `out_q2`",
            );
        });

        it("COUNT_DISTINCT_ITEMS_TUMBLING: an exact COUNT(DISTINCT) per tumbling window", () => {
            const app = translate(
                OUT("n BIGINT") +
                    PUMP +
                    `SELECT STREAM * FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 'user_id', 60));`,
            );
            expect(view(app, "out_q2")).to.equal(
                "CREATE VIEW `out_q2` AS\nSELECT COUNT(DISTINCT `user_id`) AS number_of_distinct_items, window_time AS rowtime\n" +
                    "FROM TABLE(TUMBLE(TABLE `out_q1`, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))\nGROUP BY window_start, window_end, window_time",
            );
        });

        describe("functions", () => {
            const fn = (expr: string, type = "VARCHAR(64)") =>
                view(translate(OUT(`x ${type}`) + PUMP + `SELECT STREAM ${expr} FROM "SOURCE_SQL_STREAM_001";`), "out")
                    .split("\n")[1]
                    .replace(/ AS `x`, rowtime AS rowtime$/, "");
            it("REGEX_REPLACE(v, re, rep, 1, 0) -> REGEXP_REPLACE (every match)", () =>
                expect(fn(`REGEX_REPLACE(url, '[0-9]+', 'N', 1, 0)`)).to.equal("SELECT CAST(REGEXP_REPLACE(`url`, '[0-9]+', 'N') AS STRING)"));
            it("SUBSTRING(s FROM a FOR b), and SUBSTRING(s, a, b)", () => {
                expect(fn(`SUBSTRING(url FROM 2 FOR 3)`)).to.equal("SELECT CAST(SUBSTRING(`url` FROM 2 FOR 3) AS STRING)");
                expect(fn(`SUBSTRING(url, 2)`)).to.equal("SELECT CAST(SUBSTRING(`url` FROM 2) AS STRING)");
            });
            it("POSITION(a IN b)", () => expect(fn(`POSITION('p' IN url)`, "INTEGER")).to.equal("SELECT TRY_CAST(POSITION('p' IN `url`) AS INT)"));
            it("CHAR_LENGTH", () => expect(fn(`CHAR_LENGTH(url)`, "INTEGER")).to.equal("SELECT TRY_CAST(CHAR_LENGTH(`url`) AS INT)"));
            it("CHARACTER_LENGTH, UPPER, LOWER, INITCAP, TRIM, COALESCE, NULLIF: the same functions", () =>
                expect(
                    fn(`CHARACTER_LENGTH(url) || UPPER(site) || LOWER(site) || INITCAP(site) || TRIM(site) || COALESCE(site, 'x') || NULLIF(site, 'y')`),
                ).to.equal(
                    "SELECT CAST(CHARACTER_LENGTH(`url`) || UPPER(`site`) || LOWER(`site`) || INITCAP(`site`) || TRIM(`site`) || COALESCE(`site`, 'x') || NULLIF(`site`, 'y') AS STRING)",
                ));
            it("ABS, MOD, POWER, SQRT, LN, EXP: the same functions", () =>
                expect(fn(`ABS(amount) + MOD(amount, 7) + POWER(amount, 2) + SQRT(amount) + LN(amount) + EXP(amount)`, "DOUBLE")).to.equal(
                    "SELECT TRY_CAST(ABS(`amount`) + MOD(`amount`, 7) + POWER(`amount`, 2) + SQRT(`amount`) + LN(`amount`) + EXP(`amount`) AS DOUBLE)",
                ));
            it("TSDIFF(a, b): milliseconds from b to a", () =>
                expect(fn(`TSDIFF(ROWTIME, sent)`, "BIGINT")).to.equal(
                    "SELECT TRY_CAST((CAST(TIMESTAMPDIFF(SECOND, FLOOR(`sent` TO SECOND), FLOOR(rowtime TO SECOND)) AS BIGINT) * 1000 + MOD(EXTRACT(MILLISECOND FROM rowtime), 1000) - MOD(EXTRACT(MILLISECOND FROM `sent`), 1000)) AS BIGINT)",
                ));
            it("CHAR_TO_TIMESTAMP(format, s) -> TO_TIMESTAMP(s, format)", () =>
                expect(fn(`CHAR_TO_TIMESTAMP('yyyy-MM-dd', site)`, "TIMESTAMP")).to.equal(
                    "SELECT TRY_CAST(TO_TIMESTAMP(`site`, 'yyyy-MM-dd') AS TIMESTAMP(3))",
                ));
            it("TIMESTAMP_TO_CHAR(format, ts) -> DATE_FORMAT(ts, format)", () =>
                expect(fn(`TIMESTAMP_TO_CHAR('yyyy-MM-dd HH:mm', sent)`)).to.equal("SELECT CAST(DATE_FORMAT(`sent`, 'yyyy-MM-dd HH:mm') AS STRING)"));
            it("CURRENT_ROW_TIMESTAMP -> CURRENT_ROW_TIMESTAMP() as TIMESTAMP(3)", () =>
                expect(fn(`CURRENT_ROW_TIMESTAMP`, "TIMESTAMP")).to.equal("SELECT TRY_CAST(CAST(CURRENT_ROW_TIMESTAMP() AS TIMESTAMP(3)) AS TIMESTAMP(3))"));
            it("functions with the same meaning in Flink keep their name", () =>
                expect(fn(`UPPER(COALESCE(site, 'x'))`)).to.equal("SELECT CAST(UPPER(COALESCE(`site`, 'x')) AS STRING)"));
        });

        it("a subquery in FROM: a view of its own", () => {
            const app = translate(
                OUT("site VARCHAR(32), n BIGINT") +
                    PUMP +
                    `SELECT STREAM site, COUNT(*) FROM (SELECT STREAM LOWER(site) AS site FROM "SOURCE_SQL_STREAM_001" WHERE amount > 0) AS x GROUP BY site, STEP(x.ROWTIME BY INTERVAL '1' MINUTE);`,
            );
            expect(view(app, "out_q1")).to.equal(
                "CREATE VIEW `out_q1` AS\nSELECT LOWER(`site`) AS `site`, rowtime AS rowtime\nFROM `source_sql_stream_001`\nWHERE `amount` > 0",
            );
            expect(view(app, "out")).to.contain("FROM TABLE(TUMBLE(TABLE `out_q1`, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))");
        });
    });

    describe("rejected constructs: one line with the file, line and column, the construct and what to write instead", () => {
        const pump = (select: string, columns = "x VARCHAR(8)") => `CREATE STREAM "OUT" (${columns});\nCREATE PUMP "P" AS INSERT INTO "OUT"\n${select}`;
        const cases: [string, string, string][] = [
            [
                "RANDOM_CUT_FOREST",
                pump(`SELECT STREAM "ANOMALY_SCORE" FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")));`, "x DOUBLE"),
                "3:42: RANDOM_CUT_FOREST is not supported: Flink SQL has no anomaly detection; keep the rest of the application, and score the records outside it (e.g. Amazon SageMaker Random Cut Forest on the lake's data)",
            ],
            [
                "HOTSPOTS",
                pump(`SELECT STREAM "HOTSPOTS_RESULT" FROM TABLE(HOTSPOTS(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 100, 0.01, 2));`),
                "3:44: HOTSPOTS is not supported: Flink SQL has no anomaly detection; keep the rest of the application, and score the records outside it (e.g. Amazon SageMaker Random Cut Forest on the lake's data)",
            ],
            [
                "a JOIN (reference data)",
                pump(`SELECT STREAM r.name FROM "SOURCE_SQL_STREAM_001" AS s JOIN "REF" AS r ON s.site = r.site;`),
                "3:56: JOIN (of reference data or of two streams) is not supported: write each stream to the lake and join the outputs in Athena or Redshift Spectrum",
            ],
            [
                "CREATE TABLE (reference data)",
                `CREATE TABLE "REF" (x VARCHAR(8));`,
                "1:8: CREATE TABLE (reference data) is not supported: keep the reference data in S3 or Redshift and join it to the lake's outputs in Athena or Redshift Spectrum",
            ],
            [
                "an unknown function",
                pump(`SELECT STREAM SOUNDEX(site) FROM "SOURCE_SQL_STREAM_001";`),
                "3:15: function SOUNDEX is not supported: no Flink translation is defined for it; rewrite it with the functions listed in docs/KA-MIGRATION.md",
            ],
            [
                "GROUP BY without a ROWTIME window",
                pump(`SELECT STREAM site, COUNT(*) FROM "SOURCE_SQL_STREAM_001" GROUP BY site;`, "x VARCHAR(8), n BIGINT"),
                `3:68: GROUP BY without a ROWTIME window is not supported: add STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE) (or FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE)) to the GROUP BY`,
            ],
            [
                "an aggregate without a window",
                pump(`SELECT STREAM COUNT(*) FROM "SOURCE_SQL_STREAM_001";`, "n BIGINT"),
                `3:15: an aggregate without a window is not supported: group by a ROWTIME window (GROUP BY STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE)) or aggregate OVER a window`,
            ],
            [
                "COUNT(DISTINCT) OVER a sliding window",
                pump(`SELECT STREAM COUNT(DISTINCT user_id) OVER (RANGE INTERVAL '1' MINUTE PRECEDING) FROM "SOURCE_SQL_STREAM_001";`, "n BIGINT"),
                "3:15: COUNT(DISTINCT ...) OVER a window is not supported: Flink has no DISTINCT over a sliding window; count distinct values per tumbling window (GROUP BY STEP(ROWTIME BY ...))",
            ],
            [
                "two different OVER windows in one SELECT",
                pump(
                    `SELECT STREAM COUNT(*) OVER (RANGE INTERVAL '1' MINUTE PRECEDING), COUNT(*) OVER (RANGE INTERVAL '2' MINUTE PRECEDING) FROM "SOURCE_SQL_STREAM_001";`,
                    "n BIGINT, m BIGINT",
                ),
                "3:1: aggregates over different windows in one SELECT is not supported: Flink computes one OVER window per query: split them into two pumps",
            ],
            [
                "SELECT STREAM DISTINCT",
                pump(`SELECT STREAM DISTINCT site FROM "SOURCE_SQL_STREAM_001";`),
                "3:1: SELECT STREAM DISTINCT is not supported: group by a ROWTIME window (STEP) and the columns instead",
            ],
            [
                "ORDER BY",
                pump(`SELECT STREAM site FROM "SOURCE_SQL_STREAM_001" ORDER BY site;`),
                "3:49: ORDER is not supported: a stream has no end to order or limit; sort and limit in the Athena query",
            ],
            [
                "LIMIT",
                pump(`SELECT STREAM site FROM "SOURCE_SQL_STREAM_001" LIMIT 10;`),
                "3:49: LIMIT is not supported: a stream has no end to order or limit; sort and limit in the Athena query",
            ],
            [
                "UNION",
                pump(`SELECT STREAM site FROM "SOURCE_SQL_STREAM_001" UNION SELECT STREAM site FROM "SOURCE_SQL_STREAM_001";`),
                "3:49: UNION is not supported: write one pump per SELECT into the same stream (the pumps of a stream are combined as UNION ALL)",
            ],
            [
                "a scalar subquery",
                pump(`SELECT STREAM (SELECT site FROM "SOURCE_SQL_STREAM_001") FROM "SOURCE_SQL_STREAM_001";`),
                "3:15: a scalar subquery is not supported: read the value from a stream in FROM",
            ],
            ["s.*", pump(`SELECT STREAM s.* FROM "SOURCE_SQL_STREAM_001" AS s;`), "3:17: <stream>.* is not supported: name the columns, or SELECT STREAM *"],
            [
                "a compound interval",
                pump(
                    `SELECT STREAM COUNT(*) FROM "SOURCE_SQL_STREAM_001" GROUP BY STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1:30' MINUTE TO SECOND);`,
                    "n BIGINT",
                ),
                "3:125: a compound interval (INTERVAL '...' x TO y) is not supported: write it in one unit",
            ],
            [
                "REGEX_REPLACE from another position or of one occurrence",
                pump(`SELECT STREAM REGEX_REPLACE(site, 'a', 'b', 2, 0) FROM "SOURCE_SQL_STREAM_001";`),
                "3:15: REGEX_REPLACE with a start position other than 1 or an occurrence other than 0 (all) is not supported: replace every match from position 1: REGEX_REPLACE(value, regex, replacement, 1, 0)",
            ],
            [
                "the type TIME",
                `CREATE STREAM "OUT" (x TIME);`,
                "1:24: type TIME is not supported: use TIMESTAMP or VARCHAR (Glue and Parquet outputs have no TIME)",
            ],
            [
                "STEP outside GROUP BY",
                pump(`SELECT STREAM STEP(sent BY INTERVAL '5' MINUTE) FROM "SOURCE_SQL_STREAM_001";`, "x TIMESTAMP"),
                "3:15: STEP outside a GROUP BY window is not supported: use STEP(<stream>.ROWTIME BY INTERVAL ...) in GROUP BY (a tumbling window), or FLOOR(x TO unit)",
            ],
            [
                "GROUP BY with a stagger window",
                pump(
                    `SELECT STREAM site, COUNT(*) FROM "SOURCE_SQL_STREAM_001" GROUP BY site WINDOWED BY STAGGER (PARTITION BY site RANGE INTERVAL '1' MINUTE);`,
                    "x VARCHAR(8), n BIGINT",
                ),
                "3:1: GROUP BY with WINDOWED BY STAGGER is not supported: the stagger window's PARTITION BY is the grouping; remove GROUP BY",
            ],
        ];
        for (const [name, sql, message] of cases) {
            it(name, () => expect(error(sql)).to.equal(`${FILE}:${message}`));
        }

        it("an unknown column, and a KA syntax error", () => {
            expect(error(pump(`SELECT STREAM nope FROM "SOURCE_SQL_STREAM_001";`))).to.equal(
                `${FILE}:3:15: unknown column "NOPE" in "SOURCE_SQL_STREAM_001": its columns are USER_ID, SITE, AMOUNT, URL, SENT`,
            );
            expect(error(pump(`SELECT STREAM site FROM;`))).to.equal(`${FILE}:3:24: KA SQL syntax error: expected a stream name, found ';'`);
        });

        it("the input schema: CSV records, a row path other than $, a mapping it cannot read", () => {
            const sql = pump(`SELECT STREAM site FROM "SOURCE_SQL_STREAM_001";`);
            expect(error(sql, json({ OUT: "out_1m" }, COLUMNS, { RecordFormatType: "CSV" }))).to.equal(
                'sql/ka/app/application.json: RecordFormatType "CSV" is not supported: only JSON records are translated; convert CSV producers to JSON or write the Flink SQL by hand',
            );
            expect(error(sql, json({ OUT: "out_1m" }, COLUMNS, { MappingParameters: { JSONMappingParameters: { RecordRowPath: "$.records[0:]" } } }))).to.equal(
                "sql/ka/app/application.json: RecordRowPath '$.records[0:]' is not supported: one Kinesis record is one row ('$'); map nested fields with RecordColumns' Mapping instead",
            );
            expect(error(sql, json({ OUT: "out_1m" }, [{ Name: "site", SqlType: "VARCHAR(8)", Mapping: "$.items[0:].sku" }]))).to.equal(
                "sql/ka/app/application.json: RecordColumns 'site': Mapping '$.items[0:].sku' is not supported: use a path of names and array indexes from the record's root, e.g. $.page.url or $.items[0].sku",
            );
        });

        it("a mapped output that is not a stream, or not a valid output name", () => {
            const sql = pump(`SELECT STREAM site FROM "SOURCE_SQL_STREAM_001";`);
            expect(error(sql, json({ NOPE: "out_1m" }))).to.equal(
                `sql/ka/app/application.json: outputs: "NOPE" is not an in-application stream created in ${FILE}`,
            );
            expect(error(sql, json({ OUT: "Out-1m" }))).to.equal(
                "sql/ka/app/application.json: outputs: output name 'Out-1m' is not valid; use lower case letters, digits and '_', starting with a letter",
            );
        });
    });
});

describe("RecordColumns Mapping → an expression over JSON_FIELDS", () => {
    it("reads a top-level field, a scalar nested in objects (flattened by JSON_FIELDS), and a path into an array", () => {
        expect(jsonPathExpression("$.site", "STRING")).to.equal("COALESCE(fields['site'], fields['$.site'])");
        expect(jsonPathExpression("$.amount", "INT")).to.equal("fields['amount']");
        expect(jsonPathExpression("$.page.url", "STRING")).to.equal("fields['page.url']");
        expect(jsonPathExpression("$['page'].n.x", "INT")).to.equal("fields['page.n.x']");
        expect(jsonPathExpression("$.items[0].sku", "STRING")).to.equal("JSON_VALUE(fields['$.items'], '$[0].sku')");
        expect(jsonPathExpression("$.a['b.c']", "STRING")).to.equal("JSON_VALUE(fields['$.a'], '$[''b.c'']')");
        expect(jsonPathExpression("$.a['b c'].d", "STRING")).to.equal("JSON_VALUE(fields['$.a'], '$[''b c''].d')");
        // a top-level name with a dot has no key in JSON_FIELDS: read from the payload
        expect(jsonPathExpression("$['page.url']", "STRING")).to.equal("JSON_VALUE(payload, '$[''page.url'']')");
        expect(jsonPathExpression("$['a.b'].c", "INT")).to.equal("JSON_VALUE(payload, '$[''a.b''].c')");
        expect(jsonPathExpression("$[0]", "STRING")).to.equal(undefined);
    });

    it("flattens the same names as the runner's JSON_FIELDS (JsonFieldsFunction.isPathName)", () => {
        for (const n of ["a-b", "é", "a_1", "A", "0", "a:b", "a$"]) expect(isPathName(n), n).to.equal(true);
        for (const n of ["a b", "a(x)", "$x", "a[0]", "a*", "a'b", 'a"b', "a@b", "", "a\tb", "a\u2003b", "a.b"]) expect(isPathName(n), n).to.equal(false);
        expect(isPathName("a\u00a0b")).to.equal(true); // no-break space: not whitespace to Java
    });
});

describe("npm run ka:translate -- FILE", () => {
    function run(args: string[]): { code: number; out: string; err: string } {
        const out: string[] = [];
        const err: string[] = [];
        const [o, e] = [process.stdout.write, process.stderr.write];
        process.stdout.write = ((s: string) => out.push(s) > 0) as typeof process.stdout.write;
        process.stderr.write = ((s: string) => err.push(s) > 0) as typeof process.stderr.write;
        try {
            return { code: kaTranslate(args, REPO), out: out.join(""), err: err.join("") };
        } finally {
            process.stdout.write = o;
            process.stderr.write = e;
        }
    }

    it("prints the statements the runner executes, each after its origin, for the file or its folder", () => {
        const byFile = run(["sql/ka/web_metrics/application.sql"]);
        expect(byFile.code).to.equal(0);
        expect(byFile.out).to.equal(run(["sql/ka/web_metrics"]).out);
        const app = loadSqlCatalog(path.join(REPO, "sql"), REPO).kaApps.find((a) => a.name === "web_metrics")!;
        expect(byFile.out).to.equal(app.statements.map((s) => `-- ${s.file}:${s.line}: ${s.kind} ${s.target}\n${s.sql};\n`).join("\n"));
        expect(byFile.out.split("\n")[0]).to.equal("-- sql/ka/web_metrics/application.sql:1: create-table ka_raw");
    });

    it("one line and exit 1 for a translation error; exit 2 without a file", () => {
        expect(run(["sql/ka/nope"])).to.deep.equal({
            code: 1,
            out: "",
            err: "ka:translate: sql/ka/nope: not found; give a sql/ka/<app>/application.sql or its folder\n",
        });
        expect(run([])).to.deep.equal({ code: 2, out: "", err: "ka:translate: missing required argument 'file'\n" });
    });
});

describe("KA applications in the SQL catalog (sql/ka/<app>/)", () => {
    /** A copy of the repository's sql/ with the given KA folders (files by name). */
    function sqlWith(apps: Record<string, Record<string, string>>, withoutRejected = false): string {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "clickstream-ka-"));
        fs.cpSync(path.join(REPO, "sql"), path.join(root, "sql"), { recursive: true });
        fs.rmSync(path.join(root, "sql", "ka"), { recursive: true, force: true });
        if (withoutRejected) fs.rmSync(path.join(root, "sql", "outputs", "rejected_events.sql"));
        for (const [app, files] of Object.entries(apps)) {
            fs.mkdirSync(path.join(root, "sql", "ka", app), { recursive: true });
            for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(root, "sql", "ka", app, f), text);
        }
        return path.join(root, "sql");
    }
    const app = (sql: string, outputs: Record<string, string> = { OUT: "ka_out" }) => ({
        "application.sql": sql,
        "application.json": JSON.stringify(json(outputs)),
    });
    const OK = OUT("site VARCHAR(32)") + PUMP + `SELECT STREAM site FROM "SOURCE_SQL_STREAM_001";`;
    const load = (dir: string) => loadSqlCatalog(dir, path.dirname(dir));
    const loadError = (dir: string) => {
        try {
            load(dir);
        } catch (e) {
            expect(e).to.be.instanceOf(SqlDefinitionError);
            return (e as Error).message;
        }
        throw new Error("loaded without an error");
    };

    it("translates every folder when the catalog loads: its outputs join the lake's, the region config knows its outputs", () => {
        const catalog = load(sqlWith({ one: app(OK) }));
        expect(catalog.kaApps.map((a) => [a.name, a.file, a.outputs.map((o) => o.name)])).to.deep.equal([["one", "sql/ka/one/application.sql", ["ka_out"]]]);
        expect(lakeOutputs(catalog).map((o) => o.name)).to.deep.equal([...catalog.outputs.map((o) => o.name), "ka_out"]);
        expect(kaAppOutputs(catalog)).to.deep.equal({ one: ["ka_out"] });
        // The repository's own: the example.
        expect(kaAppOutputs(loadSqlCatalog())).to.deep.equal({ web_metrics: ["ka_active_users_1m", "ka_clicks_1m"] });
    });

    it("fails the preview with the file, line and column of an unsupported construct", () => {
        expect(
            loadError(
                sqlWith({
                    two: app(OUT("x DOUBLE") + PUMP + `SELECT STREAM x FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")));`),
                }),
            ),
        ).to.match(/^sql\/ka\/two\/application\.sql:3:28: RANDOM_CUT_FOREST is not supported: /);
    });

    it("needs rejected_events, a unique output name, and both files", () => {
        expect(loadError(sqlWith({ one: app(OK) }, true))).to.equal(
            "sql/ka: KA applications write their rejected records to rejected_events; add sql/outputs/rejected_events.sql",
        );
        expect(loadError(sqlWith({ one: app(OK, { OUT: "clicks_1m" }) }))).to.equal(
            "sql/ka/one/application.json: output 'clicks_1m' is already defined by sql/outputs/clicks_1m.sql; choose another output name",
        );
        expect(loadError(sqlWith({ one: { "application.sql": OK } }))).to.equal(
            "sql/ka/one: application.json is missing (a KA application folder holds application.sql and application.json)",
        );
        expect(loadError(sqlWith({ "One-App": app(OK) }))).to.equal("sql/ka/One-App: KA application folder names use lower-case letters, digits and '_'");
    });
});
