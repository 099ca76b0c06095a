import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    isReportQuery,
    loadQueryFiles,
    loadSqlCatalog,
    OUTPUT_NAME_MAX,
    parseOutputFile,
    reportOf,
    splitStatements,
    SqlDefinitionError,
    windowInputs,
} from "../lib/sql/catalog";
import { DASHBOARD_QUERY_HOURS, expandQueryMacros, lastHoursColumns, lastHoursPredicate } from "../lib/sql/dashboard-range";
import { flinkTypeToGlue, glueColumns, PARTITION_KEYS } from "../lib/sql/glue-schema";

const fixtures = path.join(__dirname, "fixtures", "sql");

function tempSqlDir(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clickstream-sql-"));
    fs.cpSync(fixtures, path.join(dir, "sql"), { recursive: true });
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, "sql", name), text);
    return path.join(dir, "sql");
}

describe("SQL catalog (dt-sql-parser FlinkSQL)", () => {
    it("reads sources, views and outputs with their columns", () => {
        const catalog = loadSqlCatalog(fixtures, path.resolve(fixtures, ".."));
        expect(catalog.sources.map((s) => [s.name, s.file])).to.deep.equal([["clickstream_raw", "sql/sources/clickstream_raw.sql"]]);
        expect(catalog.sources[0].columns).to.deep.equal([
            { name: "payload", flinkType: "STRING", virtual: false },
            { name: "arrival_time", flinkType: "TIMESTAMP_LTZ(3)", virtual: true },
            { name: "event_ts", flinkType: "", virtual: true },
        ]);
        expect(catalog.views.map((v) => [v.kind, v.target, v.file, v.line])).to.deep.equal([["create-view", "events", "sql/views/010_events.sql", 1]]);
        const [output] = catalog.outputs;
        expect(output.name).to.equal("site_clicks");
        expect(output.columns.map((c) => `${c.name} ${c.flinkType}`)).to.deep.equal([
            "window_start TIMESTAMP(3)",
            "window_end TIMESTAMP(3)",
            "site STRING",
            "clicks BIGINT",
            "revenue DECIMAL(12,2)",
            "tags ARRAY<STRING>",
            "counts MAP<STRING,INT>",
            "device ROW<OS STRING,`VERSION` INT>",
            "region STRING",
        ]);
        expect(output.createTable.line).to.equal(1);
        expect(output.insert.line).to.equal(13);
        expect(output.insert.sql.startsWith("INSERT INTO site_clicks")).to.equal(true);
        expect(output.insert.sql.endsWith("GROUP BY window_start, window_end, site")).to.equal(true);
    });

    it("splits on statement-ending semicolons only, not on those inside string literals", () => {
        const statements = splitStatements("SELECT 'a;b' FROM t; -- x; y\nSELECT 2 FROM t;", "q.sql");
        expect(statements.map((s) => s.sql)).to.deep.equal(["SELECT 'a;b' FROM t", "SELECT 2 FROM t"]);
        expect(statements.map((s) => s.line)).to.deep.equal([1, 2]);
    });

    it("derives the Glue columns from the output DDL", () => {
        const [output] = loadSqlCatalog(fixtures).outputs;
        expect(glueColumns(output)).to.deep.equal([
            { name: "window_start", type: "timestamp" },
            { name: "window_end", type: "timestamp" },
            { name: "site", type: "string" },
            { name: "clicks", type: "bigint" },
            { name: "revenue", type: "decimal(12,2)" },
            { name: "tags", type: "array<string>" },
            { name: "counts", type: "map<string,int>" },
            { name: "device", type: "struct<os:string,version:int>" },
            { name: "region", type: "string" },
        ]);
        expect(PARTITION_KEYS).to.deep.equal([
            { name: "year", type: "string" },
            { name: "month", type: "string" },
            { name: "day", type: "string" },
            { name: "hour", type: "string" },
        ]);
    });

    it("a new output file is a new catalog entry, with no code change", () => {
        const dir = tempSqlDir({
            "outputs/sessions_1m.sql":
                "CREATE TABLE sessions_1m (window_start TIMESTAMP(3), sessions BIGINT, region STRING);\n" +
                "INSERT INTO sessions_1m SELECT window_start, COUNT(DISTINCT site), SOURCE_REGION() FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(event_ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;",
        });
        expect(loadSqlCatalog(dir).outputs.map((o) => o.name)).to.deep.equal(["sessions_1m", "site_clicks"]);
    });
});

describe("SQL catalog: mistakes name the file, the column and the fix", () => {
    const cases: [string, string, string][] = [
        [
            "a type with no Glue equivalent",
            "CREATE TABLE bad_type (seen_at TIMESTAMP_LTZ(3), region STRING);\nINSERT INTO bad_type SELECT event_ts, SOURCE_REGION() FROM events;",
            "sql/outputs/bad_type.sql: column 'seen_at' has type TIMESTAMP_LTZ(3), which has no Glue/Hive equivalent; CAST it to TIMESTAMP(3) (UTC) in the INSERT and declare the column TIMESTAMP(3)",
        ],
        [
            "a WITH clause",
            "CREATE TABLE with_clause (a STRING) WITH ('connector' = 'print');\nINSERT INTO with_clause SELECT site FROM events;",
            "sql/outputs/with_clause.sql:1: CREATE TABLE with_clause has a WITH clause; remove it: connector options depend on the stack and are added by the runner",
        ],
        [
            "a table named unlike its file",
            "CREATE TABLE other_name (a STRING);\nINSERT INTO other_name SELECT site FROM events;",
            "sql/outputs/wrong_name.sql: CREATE TABLE other_name does not match the file name; rename the table to wrong_name or the file to other_name.sql",
        ],
        [
            "a missing INSERT",
            "CREATE TABLE no_insert (a STRING);",
            "sql/outputs/no_insert.sql: an output file holds exactly one 'CREATE TABLE no_insert (...)' and one 'INSERT INTO no_insert SELECT ...'; found 1 CREATE TABLE, 0 INSERT",
        ],
        ["a syntax error", "CREATE TABLE broken (a STRING);\nINSERT INTO broken SELEC site FROM events;", "sql/outputs/broken.sql:2: Flink SQL syntax error:"],
        [
            "an upper-case column",
            "CREATE TABLE upper_col (Site STRING);\nINSERT INTO upper_col SELECT site FROM events;",
            "sql/outputs/upper_col.sql: column 'Site' is not lower case; Glue stores names in lower case, so Firehose would not find it in the JSON. Rename it to 'site'",
        ],
        [
            "a column named like a partition key",
            "CREATE TABLE hour_col (`hour` STRING);\nINSERT INTO hour_col SELECT site FROM events;",
            "sql/outputs/hour_col.sql: column 'hour' clashes with a partition key (year, month, day, hour); rename it",
        ],
    ];
    for (const [label, text, message] of cases) {
        it(label, () => {
            const file = `sql/outputs/${label === "a table named unlike its file" ? "wrong_name" : /TABLE (\w+)/.exec(text)![1]}.sql`;
            const run = () => glueColumns(parseOutputFile(file, text));
            expect(run).to.throw(SqlDefinitionError);
            try {
                run();
            } catch (e) {
                expect((e as Error).message.startsWith(message), (e as Error).message).to.equal(true);
            }
        });
    }

    it("a window over events_unique instead of events_on_time, in the repository's SQL", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "clickstream-sql-"));
        fs.cpSync(path.join(__dirname, "..", "sql"), path.join(root, "sql"), { recursive: true });
        const file = path.join(root, "sql", "outputs", "clicks_1m.sql");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("TABLE events_on_time,", "TABLE events_unique,"));
        expect(() => loadSqlCatalog(path.join(root, "sql"), root)).to.throw(
            SqlDefinitionError,
            `sql/outputs/clicks_1m.sql:12: a window reads 'events_unique'; windows read events_on_time, so that the events that arrive after their window closed are recorded in late_events instead of dropped (docs/SQL.md, "Lateness")`,
        );
        expect(
            windowInputs(
                "INSERT INTO x SELECT 1 FROM TABLE(HOP(TABLE `events_on_time`, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE, INTERVAL '5' MINUTE)) JOIN TABLE(TUMBLE(TABLE b, DESCRIPTOR(t), INTERVAL '1' MINUTE))",
            ),
        ).to.deep.equal(["events_on_time", "b"]);
    });

    it("an invalid output name", () => {
        expect(() => parseOutputFile("sql/outputs/Clicks-1m.sql", "")).to.throw(
            "sql/outputs/Clicks-1m.sql: output name 'Clicks-1m' is not valid; use lower case letters, digits and '_'",
        );
    });

    it("an output name over 42 characters (Firehose role name, Managed Flink property group), before any statement is read", () => {
        const name = "sessions_by_campaign_and_device_per_minute"; // 42: the longest allowed
        const longer = `${name}s`;
        expect(name).to.have.length(OUTPUT_NAME_MAX);
        expect(`${name}-firehose-role-1234567`).to.have.length(64);
        expect(`table.${name}`.length).to.be.at.most(50);
        expect(() => parseOutputFile(`sql/outputs/${name}.sql`, "")).to.throw(SqlDefinitionError, "an output file holds exactly one");
        expect(() => parseOutputFile(`sql/outputs/${longer}.sql`, "")).to.throw(
            SqlDefinitionError,
            `sql/outputs/${longer}.sql: output name '${longer}' has 43 characters; an output name has at most 42 ` +
                "(its Firehose role is named <output>-firehose-role plus 8 characters, at most 64, and its property group table.<output> at most 50); rename the file",
        );
    });
});

describe("Flink to Glue types", () => {
    const origin = { file: "f.sql", column: "c" };
    const table: [string, string][] = [
        ["STRING", "string"],
        ["VARCHAR(20)", "varchar(20)"],
        ["CHAR(2)", "char(2)"],
        ["BOOLEAN", "boolean"],
        ["TINYINT", "tinyint"],
        ["SMALLINT", "smallint"],
        ["INT", "int"],
        ["INTEGER", "int"],
        ["BIGINT", "bigint"],
        ["FLOAT", "float"],
        ["DOUBLE", "double"],
        ["DECIMAL", "decimal(10,0)"],
        ["DECIMAL(38,6)", "decimal(38,6)"],
        ["DATE", "date"],
        ["TIMESTAMP", "timestamp"],
        ["TIMESTAMP(3)", "timestamp"],
        ["ARRAY<ROW<A BIGINT,B ARRAY<STRING>>>", "array<struct<a:bigint,b:array<string>>>"],
        ["MAP<STRING,DECIMAL(5,2)>", "map<string,decimal(5,2)>"],
    ];
    for (const [flink, glue] of table) {
        it(`${flink} -> ${glue}`, () => expect(flinkTypeToGlue(flink, origin)).to.equal(glue));
    }
    it("rejects DECIMAL wider than Hive allows", () => {
        expect(() => flinkTypeToGlue("DECIMAL(40,2)", origin)).to.throw(
            "f.sql: column 'c' has type DECIMAL(40,2), which has no Glue/Hive equivalent; reduce the precision to at most 38 (Hive's maximum)",
        );
    });
    it("rejects BYTES with the fix", () => {
        expect(() => flinkTypeToGlue("BYTES", origin)).to.throw("encode it as STRING (e.g. base64) in the INSERT");
    });
});

describe("sql/athena: dashboard queries read their last hours, reports the whole season", () => {
    const dir = path.resolve(__dirname, "..", "sql", "athena");
    const queries = loadQueryFiles(dir);
    const dashboards = queries.filter((q) => !isReportQuery(q.name));
    const reports = queries.filter((q) => isReportQuery(q.name));
    const raw = (name: string) => fs.readFileSync(path.join(dir, `${name}.sql`), "utf8");

    it("pairs every dashboard query with its whole-history report, and every report with a dashboard query", () => {
        expect(dashboards.map((q) => reportOf(q.name)).sort()).to.deep.equal(reports.map((q) => q.name).sort());
        expect(reportOf("clicks_1m_latest")).to.equal("clicks_1m_history");
        expect(reportOf("rejected_events_by_reason")).to.equal("rejected_events_by_reason_history");
    });

    for (const q of dashboards) {
        it(`${q.name}: one {{ last_hours(...) }} for every table it reads, expanded when the file is read`, () => {
            const text = raw(q.name);
            const tables = [...text.replace(/--.*$/gm, "").matchAll(/\bFROM\s+([a-z_0-9]+)/gi)].map((m) => m[1]);
            expect(lastHoursColumns(text, q.file)).to.have.length(tables.length);
            expect(q.sql).to.not.contain("{{");
            expect(q.sql.match(/AND year \|\| month \|\| day \|\| hour >= /g) ?? []).to.have.length(tables.length);
        });
    }

    for (const q of reports) {
        it(`${q.name}: reads every partition (no time range)`, () => {
            expect(raw(q.name)).to.not.match(/\{\{|current_timestamp|\b(year|month|day|hour) IN\b/i);
        });
    }
});

describe("sql/athena: the last_hours macro", () => {
    it(`expands to the time filter and the partitions of the last ${DASHBOARD_QUERY_HOURS} hours, each key listed`, () => {
        expect(DASHBOARD_QUERY_HOURS).to.equal(3);
        const now = "current_timestamp AT TIME ZONE 'UTC'";
        const h = (n: number) => (n ? `${now} - INTERVAL '${n}' HOUR` : now);
        const two = (part: string, n: number) => `lpad(CAST(${part}(${h(n)}) AS VARCHAR), 2, '0')`;
        expect(lastHoursPredicate("window_start")).to.equal(
            [
                `window_start >= CAST(${now} AS TIMESTAMP) - INTERVAL '3' HOUR`,
                `  AND year IN (CAST(year(${h(3)}) AS VARCHAR),`,
                `               CAST(year(${h(0)}) AS VARCHAR))`,
                `  AND month IN (${two("month", 3)},`,
                `                ${two("month", 0)})`,
                `  AND day IN (${two("day", 3)},`,
                `              ${two("day", 0)})`,
                `  AND hour IN (${two("hour", 3)},`,
                `               ${two("hour", 2)},`,
                `               ${two("hour", 1)},`,
                `               ${two("hour", 0)})`,
                `  AND year || month || day || hour >= CAST(year(${h(3)}) AS VARCHAR)`,
                `      || ${two("month", 3)}`,
                `      || ${two("day", 3)}`,
                `      || ${two("hour", 3)}`,
            ].join("\n"),
        );
    });

    it("lists every hour of a longer range, and refuses a range the two-day lists cannot hold", () => {
        expect(lastHoursPredicate("t", 23).match(/lpad\(CAST\(hour\(/g)).to.have.length(24 + 1);
        expect(() => lastHoursPredicate("t", 24)).to.throw("last_hours: 24 hours is not valid; expected 1 to 23");
        expect(() => lastHoursPredicate("t", 0)).to.throw("last_hours: 0 hours is not valid; expected 1 to 23");
    });

    it("indents the expansion like the macro's line, and names the file of an unknown macro", () => {
        const expanded = expandQueryMacros("SELECT 1\n  FROM t\n  WHERE {{ last_hours(received_at) }}\n  GROUP BY 1", "q.sql");
        expect(expanded.split("\n").slice(2, 4)).to.deep.equal([
            "  WHERE received_at >= CAST(current_timestamp AT TIME ZONE 'UTC' AS TIMESTAMP) - INTERVAL '3' HOUR",
            "    AND year IN (CAST(year(current_timestamp AT TIME ZONE 'UTC' - INTERVAL '3' HOUR) AS VARCHAR),",
        ]);
        expect(expanded.split("\n").at(-1)).to.equal("  GROUP BY 1");
        expect(() => expandQueryMacros("WHERE {{ last_days(t) }}", "sql/athena/x.sql")).to.throw(
            "sql/athena/x.sql: '{{ last_days(t) }}' is not a known macro; write {{ last_hours(<time column>) }}",
        );
    });

    it("a bad macro in a query file stops the load with a SqlDefinitionError naming the file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "athena-"));
        try {
            fs.writeFileSync(path.join(dir, "q.sql"), "SELECT 1 FROM t WHERE {{ last_hours(Bad Column) }}");
            expect(() => loadQueryFiles(dir)).to.throw(SqlDefinitionError, `${path.join(dir, "q.sql")}: '{{ last_hours(Bad Column) }}' is not a known macro`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
