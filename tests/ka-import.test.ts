import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    appNameOf,
    configLines,
    formatReport,
    importTemplate,
    KaImportError,
    outputNameOf,
    parseTemplate,
    PartlyKnown,
    planImport,
    readTemplate,
    RegionStack,
} from "../lib/ka/cloudformation";
import * as YAML from "yaml";
import { outputNamesOf, parsePipelineConfig } from "../lib/config";
import { loadKaApp } from "../lib/ka/app";
import { loadSqlCatalog, OUTPUT_NAME_MAX, outputNameProblem } from "../lib/sql/catalog";
import { main, readRegionStacks } from "../tools/ka-import";

const REPO = path.resolve(__dirname, "..");
const FIXTURES = path.join(REPO, "tests", "fixtures", "ka");
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "utf8");
const METRICS = "tests/fixtures/ka/clickstream-metrics.yaml";
const SHOP = "tests/fixtures/ka/shop-apps.yaml";
const V2 = "tests/fixtures/ka/v2-sql.json";
const GETATT = "tests/fixtures/ka/getatt-in-code.yaml";

/** The eu stack of this repository, as the importer reads it. */
const EU: RegionStack = {
    file: "Pulumi.eu.yaml",
    region: "eu-west-1",
    sources: { web: "clickstream-eu-web", mobile: "mobile-events-eu", checkout: "checkout-events-eu" },
    apps: ["realtime", "campaigns", "mobile"],
};

function importError(fn: () => unknown): string {
    try {
        fn();
    } catch (e) {
        expect(e).to.be.instanceOf(KaImportError);
        return (e as Error).message;
    }
    throw new Error("expected a KaImportError");
}

/** A minimal KA SQL app template around `props`, for the error cases. */
function oneApp(props: string, extra = ""): string {
    return `Resources:
  App:
    Type: AWS::KinesisAnalytics::Application
    Properties:
${props}
      Inputs:
        - NamePrefix: SOURCE_SQL_STREAM
          KinesisStreamsInput: { ResourceARN: "arn:aws:kinesis:eu-west-1:111122223333:stream/web", RoleARN: "arn:aws:iam::111122223333:role/ka" }
          InputSchema:
            RecordFormat: { RecordFormatType: JSON }
            RecordColumns: [{ Name: k, SqlType: VARCHAR(8), Mapping: $.k }]
${extra}`;
}

describe("ka:import: reading a CloudFormation template", () => {
    it("reads the short-form tags as their long forms, nested ones too", () => {
        const t = readTemplate(
            `Resources:
  X:
    Type: T
    Properties:
      A: !Ref P
      B: !GetAtt Res.Attr.Sub
      C: !Sub "a-\${P}"
      D: !Sub ["\${x}", { x: !Ref P }]
      E: !Join ["-", [a, !Select [0, !Split [",", "b,c"]]]]
      F: !If [Cond, !FindInMap [M, k, v], !ImportValue exported]
      G: !Base64 { "Fn::Sub": "x" }
`,
            "t.yaml",
        );
        expect((t.Resources as Record<string, { Properties: unknown }>).X.Properties).to.deep.equal({
            A: { Ref: "P" },
            B: { "Fn::GetAtt": ["Res", "Attr.Sub"] },
            C: { "Fn::Sub": "a-${P}" },
            D: { "Fn::Sub": ["${x}", { x: { Ref: "P" } }] },
            E: { "Fn::Join": ["-", ["a", { "Fn::Select": [0, { "Fn::Split": [",", "b,c"] }] }]] },
            F: { "Fn::If": ["Cond", { "Fn::FindInMap": ["M", "k", "v"] }, { "Fn::ImportValue": "exported" }] },
            G: { "Fn::Base64": { "Fn::Sub": "x" } },
        });
    });

    it("refuses what is not a template, in one line with the place", () => {
        expect(importError(() => readTemplate("Resources:\n  X: !Bogus 1\n", "t.yaml"))).to.equal(
            "t.yaml: not a valid CloudFormation YAML template at line 2, column 6: Unresolved tag: !Bogus",
        );
        expect(importError(() => readTemplate('{"Resources": ', "t.json"))).to.match(/^t\.json: not valid JSON \(/);
        expect(importError(() => readTemplate("Description: x\n", "t.yaml"))).to.equal("t.yaml: not a CloudFormation template: it has no Resources map");
    });
});

describe("ka:import: the seed team's metrics template (YAML, short tags, !Sub, a Parameter default, a preprocessing Lambda, ApplicationOutputs)", () => {
    const plan = importTemplate(fixture("clickstream-metrics.yaml"), METRICS, { region: "eu-west-1", stacks: [EU] });

    it("names the app after its ApplicationName, resolved from !Sub and the parameter's default", () => {
        expect(plan.apps.map((a) => [a.logicalId, a.app])).to.deep.equal([["MetricsApp", "metrics_eu"]]);
        expect(plan.notes).to.deep.equal([]);
    });

    it("writes the code verbatim and the input minus its ARNs, role and Lambda, with the outputs named in the lake", () => {
        const [app] = plan.apps;
        expect(app.files.map((f) => f.path)).to.deep.equal(["sql/ka/metrics_eu/application.sql", "sql/ka/metrics_eu/application.json"]);
        const code = app.files[0].content;
        expect(code.split("\n")[0]).to.equal("-- Active users and clicks per minute, per site and country.");
        expect(code).to.contain(`COUNT(DISTINCT "user_id") AS "active_users"`);
        expect(code).to.contain(`STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND) AS "window_start"`);
        expect(code.endsWith(`COALESCE("page_type", 'unknown');\n`)).to.equal(true);
        const column = (Name: string, SqlType: string, Mapping: string) => ({ Name, SqlType, Mapping });
        expect(JSON.parse(app.files[1].content)).to.deep.equal({
            input: {
                NamePrefix: "SOURCE_SQL_STREAM",
                InputParallelism: { Count: 1 },
                InputSchema: {
                    RecordFormat: { RecordFormatType: "JSON", MappingParameters: { JSONMappingParameters: { RecordRowPath: "$" } } },
                    RecordEncoding: "UTF-8",
                    RecordColumns: [
                        column("event_id", "VARCHAR(64)", "$.event_id"),
                        column("event_type", "VARCHAR(16)", "$.event_type"),
                        column("user_id", "VARCHAR(64)", "$.user_id"),
                        column("session_id", "VARCHAR(64)", "$.session_id"),
                        column("site", "VARCHAR(32)", "$.site"),
                        column("country", "VARCHAR(2)", "$.country"),
                        column("event_time", "VARCHAR(32)", "$.event_time"),
                        column("page_type", "VARCHAR(32)", "$.page.type"),
                    ],
                },
            },
            outputs: [
                { Name: "ACTIVE_USERS_1M", output: "metrics_eu_active_users_1m" },
                { Name: "CLICKS_1M", output: "metrics_eu_clicks_1m" },
            ],
        });
        expect(app.files[1].content).to.equal(JSON.stringify(JSON.parse(app.files[1].content), null, 2) + "\n");
    });

    it("prints the config lines for the project's stack of the stream's region: an attached source and the app", () => {
        expect(plan.config).to.equal(
            [
                "# Pulumi.eu.yaml (aws:region eu-west-1)",
                "clickstream:sources:",
                "  clickstream-events-eu:",
                "    streamName: clickstream-events-eu",
                "    mode: attach",
                "clickstream:apps:",
                "  metrics_eu:",
                "    source: clickstream-events-eu",
                "    ka: metrics_eu",
                "    parallelism: 1",
                "",
            ].join("\n"),
        );
    });

    it("lists the destinations and the preprocessing Lambda as not carried over, each with why and what to do", () => {
        expect(plan.notCarriedOver).to.deep.equal([
            {
                what: "MetricsApp (metrics_eu) output ACTIVE_USERS_1M: its destination, Firehose delivery stream ka-active-users-eu",
                why: "the results land in the lake instead, as output metrics_eu_active_users_1m: s3://<lake>/metrics_eu_active_users_1m/year=/month=/day=/hour=/ (Parquet), Glue table metrics_eu_active_users_1m, queried with Athena and Spectrum",
                todo: "point whatever read ka-active-users-eu at the lake table metrics_eu_active_users_1m",
            },
            {
                what: "MetricsApp (metrics_eu) output CLICKS_1M: its destination, Kinesis stream clicks-dashboard-eu",
                why: "the results land in the lake instead, as output metrics_eu_clicks_1m: s3://<lake>/metrics_eu_clicks_1m/year=/month=/day=/hour=/ (Parquet), Glue table metrics_eu_clicks_1m, queried with Athena and Spectrum",
                todo: "point whatever read clicks-dashboard-eu at the lake table metrics_eu_clicks_1m",
            },
            {
                what: "MetricsApp (metrics_eu) input preprocessing: Lambda clickstream-preprocess-eu (Resources.MetricsApp.Properties.Inputs[0].InputProcessingConfiguration)",
                why: "imported without it: the seed team removed theirs because it stopped in production; records now reach the SQL as the producers wrote them",
                todo: "check the InputSchema's mappings against a raw record, and do the Lambda's work in the SQL (a stringified JSON field: JSON_VALUE, docs/SQL.md)",
            },
        ]);
    });

    it("without --region, keeps the stream's name, and says the region is not stated", () => {
        const model = parseTemplate(readTemplate(fixture("clickstream-metrics.yaml"), METRICS), METRICS);
        expect(model.apps[0].input.source).to.deep.equal({
            kind: "Kinesis stream",
            arn: "arn:aws:kinesis:${AWS::Region}:${AWS::AccountId}:stream/clickstream-events-eu",
            name: "clickstream-events-eu",
        });
        expect(configLines(planImport(model, METRICS).apps).split("\n")[0]).to.equal(
            "# the region stack of the source's region (the template does not state it; --region REGION names it)",
        );
    });

    it("with --region and --parameter, resolves the pseudo parameters in the ARNs", () => {
        const model = parseTemplate(readTemplate(fixture("clickstream-metrics.yaml"), METRICS), METRICS, {
            region: "eu-west-1",
            parameters: { "AWS::AccountId": "111122223333", Env: "us", StreamName: "clicks-us" },
        });
        expect(model.apps[0].applicationName).to.equal("metrics-us");
        expect(model.apps[0].input.source).to.deep.equal({
            kind: "Kinesis stream",
            arn: "arn:aws:kinesis:eu-west-1:111122223333:stream/clicks-us",
            name: "clicks-us",
            region: "eu-west-1",
        });
        expect(model.apps[0].outputs.map((o) => o.destination?.arn)).to.deep.equal([
            "arn:aws:firehose:eu-west-1:111122223333:deliverystream/ka-active-users-us",
            "arn:aws:kinesis:eu-west-1:111122223333:stream/clicks-dashboard-us",
        ]);
    });

    it("reuses a source of the region stack that reads the same stream, instead of adding a second one", () => {
        const stack = { ...EU, sources: { ...EU.sources, mobile: "clickstream-events-eu" } };
        const reused = importTemplate(fixture("clickstream-metrics.yaml"), METRICS, { region: "eu-west-1", stacks: [stack] });
        expect(reused.config).to.equal(
            [
                "# Pulumi.eu.yaml (aws:region eu-west-1)",
                "# clickstream:sources:",
                "  # Pulumi.eu.yaml has source 'mobile' on clickstream-events-eu already: the app reads that source",
                "clickstream:apps:",
                "  metrics_eu:",
                "    source: mobile",
                "    ka: metrics_eu",
                "    parallelism: 1",
                "",
            ].join("\n"),
        );
        const taken = { ...EU, apps: [...EU.apps, "metrics_eu"] };
        expect(importError(() => importTemplate(fixture("clickstream-metrics.yaml"), METRICS, { region: "eu-west-1", stacks: [taken] }))).to.equal(
            `${METRICS}: app 'metrics_eu' exists already in Pulumi.eu.yaml (clickstream:apps); pass --name NAME to import it under another name`,
        );
    });

    it("prints config lines that, pasted into Pulumi.eu.yaml, pass the config check with the translated application's outputs", () => {
        const stack = YAML.parse(fs.readFileSync(path.join(REPO, "Pulumi.eu.yaml"), "utf8")).config as Record<string, Record<string, unknown>>;
        const pasted = YAML.parse(plan.config) as Record<string, Record<string, Record<string, unknown>>>;
        const merged: Record<string, unknown> = {
            ...stack,
            "clickstream:sources": { ...stack["clickstream:sources"], ...pasted["clickstream:sources"] },
            "clickstream:apps": { ...stack["clickstream:apps"], ...pasted["clickstream:apps"] },
        };
        const catalog = loadSqlCatalog(path.join(REPO, "sql"), REPO);
        // What the importer wrote, translated as the catalog translates sql/ka/ (lib/ka/app.ts).
        const translated = loadKaApp(path.join(REPO, "examples", "ka-import", "sql"), "metrics_eu", REPO, {
            rejectedTable: catalog.outputs.find((o) => o.name === "rejected_events")!.createTable,
            outputNameProblem,
        });
        const config = parsePipelineConfig((k) => merged[k] as never, ...outputNamesOf(catalog.outputs), {
            metrics_eu: translated.outputs.map((o) => o.name),
        });
        expect(config.sources.find((src) => src.name === "clickstream-events-eu")).to.deep.include({ streamName: "clickstream-events-eu", mode: "attach" });
        expect(config.apps.find((a) => a.name === "metrics_eu")).to.deep.include({
            source: "clickstream-events-eu",
            read: { readMode: "EFO" },
            parallelism: 1,
            ka: "metrics_eu",
            outputs: ["metrics_eu_active_users_1m", "metrics_eu_clicks_1m", "rejected_events"],
        });
    });

    it("is the worked example of docs/KA-IMPORT.md: examples/ka-import/ holds what the importer makes of it now", () => {
        const dir = path.join(REPO, "examples", "ka-import");
        expect(fs.readFileSync(path.join(dir, "template.yaml"), "utf8")).to.equal(fixture("clickstream-metrics.yaml"));
        const example = importTemplate(fs.readFileSync(path.join(dir, "template.yaml"), "utf8"), "examples/ka-import/template.yaml", {
            region: "eu-west-1",
            stacks: readRegionStacks(REPO),
        });
        for (const f of example.apps[0].files) expect(fs.readFileSync(path.join(dir, f.path), "utf8"), f.path).to.equal(f.content);
        const written = example.apps[0].files.map((f) => `examples/ka-import/${f.path}`);
        expect(fs.readFileSync(path.join(dir, "report.txt"), "utf8")).to.equal(formatReport(example, written, "examples/ka-import/template.yaml"));
    });
});

describe("ka:import: two apps in one template (a created stream, a Firehose input, reference data, an output for no app)", () => {
    const plan = importTemplate(fixture("shop-apps.yaml"), SHOP);

    it("imports both, resolving !Join, !If over a condition, !FindInMap, !Select and !Split, and !Sub with ${!literal}", () => {
        expect(plan.apps.map((a) => [a.logicalId, a.app])).to.deep.equal([
            ["OrdersApp", "orders_live"],
            ["ReturnsApp", "returnsapp"],
        ]);
        const [orders, returns] = plan.apps;
        expect(orders.files[0].content).to.equal(
            [
                `CREATE OR REPLACE STREAM "ORDERS_PER_SITE" ("site" VARCHAR(32), "market" VARCHAR(8), "orders" BIGINT);`,
                `CREATE OR REPLACE PUMP "P" AS INSERT INTO "ORDERS_PER_SITE"`,
                `  SELECT STREAM o."site", s."market", COUNT(*) FROM "ORDERS_001" o JOIN "SITES" s ON o."site" = s."site"`,
                `  GROUP BY o."site", s."market", STEP(o.ROWTIME BY INTERVAL '60' SECOND); -- prod, \${literal}`,
                ``,
            ].join("\n"),
        );
        expect(JSON.parse(orders.files[1].content)).to.deep.equal({
            input: {
                NamePrefix: "ORDERS",
                InputParallelism: { Count: 2 },
                InputSchema: {
                    RecordFormat: {
                        RecordFormatType: "CSV",
                        MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: "\n", RecordColumnDelimiter: "," } },
                    },
                    RecordColumns: [
                        { Name: "site", SqlType: "VARCHAR(32)" },
                        { Name: "amount", SqlType: "DECIMAL(10,2)" },
                    ],
                },
            },
            outputs: [{ Name: "ORDERS_PER_SITE", output: "orders_live_orders_per_site" }],
        });
        expect(returns.files[0].content).to.equal(`SELECT STREAM * FROM "RETURNS_001";`);
        expect(JSON.parse(returns.files[1].content).outputs).to.deep.equal([]);
    });

    it("skips an app, and an output, whose resource Condition is false", () => {
        const t = fixture("shop-apps.yaml").replace(
            "  ReturnsApp:\n    Type: AWS::KinesisAnalytics::Application\n",
            "  ReturnsApp:\n    Type: AWS::KinesisAnalytics::Application\n    Condition: IsProd\n",
        );
        const conditional = t.replace(
            "  OrdersOut:\n    Type: AWS::KinesisAnalytics::ApplicationOutput\n",
            "  OrdersOut:\n    Type: AWS::KinesisAnalytics::ApplicationOutput\n    Condition: IsProd\n",
        );
        expect(importTemplate(conditional, SHOP).apps.map((a) => a.app)).to.deep.equal(["orders_live", "returnsapp"]);
        const dev = importTemplate(conditional, SHOP, { parameters: { Stage: "dev" } });
        expect(dev.apps.map((a) => [a.app, a.outputs])).to.deep.equal([["orders_test", []]]);
        expect(dev.notes).to.deep.equal(["skipped ReturnsApp: its Condition IsProd is false, so CloudFormation does not create it; nothing to import from it"]);
    });

    it("takes the other branch of !If when a --parameter changes the condition", () => {
        const model = parseTemplate(readTemplate(fixture("shop-apps.yaml"), SHOP), SHOP, { parameters: { Stage: "dev" } });
        expect(model.apps.map((a) => a.applicationName)).to.deep.equal(["orders-test", undefined]);
        expect(model.apps[0].input.source?.name).to.equal("orders-dev");
        expect(model.apps[0].input.input.InputSchema).to.have.nested.property("RecordColumns[0].SqlType", "VARCHAR(16)");
    });

    it("prints the stream's source, and a Firehose source commented out with what to fill in", () => {
        expect(plan.config).to.equal(
            [
                "# the region stack of the source's region (the template does not state it; --region REGION names it)",
                "clickstream:sources:",
                "  orders-prod:",
                "    streamName: orders-prod",
                "    mode: attach",
                "clickstream:apps:",
                "  orders_live:",
                "    source: orders-prod",
                "    ka: orders_live",
                "    parallelism: 1",
                "",
                "# the region stack with aws:region eu-west-1 (no Pulumi.<stack>.yaml of this project has it yet)",
                "# clickstream:sources:",
                `  # returnsapp: fill in the delivery stream's S3 destination, then uncomment (docs/CONTRACTS.md, "Firehose-delivered objects as a source")`,
                "  # returnsapp:",
                "  #   mode: firehose",
                "  #   deliveryStreamName: returns-eu",
                "  #   bucket: <the delivery stream's S3 bucket>",
                "  #   prefix: <its S3 prefix, ending with />",
                "  #   compression: <NONE or GZIP>",
                "  #   recordSeparator: <newline or none>",
                "clickstream:apps:",
                "  returnsapp:",
                "    source: returnsapp",
                "    ka: returnsapp",
                "    parallelism: 1",
                "",
            ].join("\n"),
        );
    });

    it("lists each thing not carried over: the orphan output, the Lambda destination, CSV, parallelism, reference data, no outputs, the Firehose input", () => {
        expect(plan.notCarriedOver).to.deep.equal([
            {
                what: "Resources.LostOut",
                why: "its ApplicationName !Ref Owner is not resolvable (parameter Owner has no Default); write ApplicationName: !Ref <the application's logical id>",
                todo: "correct its ApplicationName in the template and import again",
            },
            {
                what: "OrdersApp (orders_live) output ORDERS_PER_SITE: its destination, Lambda function orders-sink",
                why: "the results land in the lake instead, as output orders_live_orders_per_site: s3://<lake>/orders_live_orders_per_site/year=/month=/day=/hour=/ (Parquet), Glue table orders_live_orders_per_site, queried with Athena and Spectrum",
                todo: "point whatever read orders-sink at the lake table orders_live_orders_per_site",
            },
            {
                what: "OrdersApp (orders_live) output ORDERS_PER_SITE: DestinationSchema CSV",
                why: "the lake stores Parquet",
                todo: "nothing: Athena and Spectrum read the columns",
            },
            {
                what: "OrdersApp (orders_live) InputParallelism 2",
                why: "Managed Flink scales the app, not in-application streams",
                todo: "set parallelism in clickstream:apps (and leave autoScaling on)",
            },
            {
                what: "OrdersApp (orders_live) reference data: table SITES from s3://acme-reference/sites.csv (Resources.SitesTable)",
                why: "the project has no reference tables in its Flink apps",
                todo: "join SITES after the fact in a Redshift enrichment view (sql/redshift/), or write a small fixed table into the SQL",
            },
            {
                what: "ReturnsApp (returnsapp): outputs",
                why: "the template defines no output for it (no ApplicationOutput, no Outputs)",
                todo: "add an ApplicationOutput for each in-application stream whose rows should land in the lake, and import again",
            },
            {
                what: "ReturnsApp (returnsapp) input: Firehose delivery stream returns-eu (KinesisFirehoseInput)",
                why: "Flink cannot read a delivery stream; the project reads the objects it delivers to S3, and the template does not state that bucket and prefix",
                todo: `configure source 'returnsapp' by hand as a mode: firehose source (docs/CONTRACTS.md, "Firehose-delivered objects as a source"); the config lines above name what to fill in`,
            },
        ]);
    });

    it("--app picks one app by logical id or ApplicationName, and names the choices when it matches none", () => {
        expect(importTemplate(fixture("shop-apps.yaml"), SHOP, { app: "orders-live" }).apps.map((a) => a.app)).to.deep.equal(["orders_live"]);
        expect(importTemplate(fixture("shop-apps.yaml"), SHOP, { app: "ReturnsApp" }).apps.map((a) => a.app)).to.deep.equal(["returnsapp"]);
        expect(importTemplate(fixture("shop-apps.yaml"), SHOP, { app: "ReturnsApp", name: "returns" }).apps.map((a) => a.app)).to.deep.equal(["returns"]);
        expect(importError(() => importTemplate(fixture("shop-apps.yaml"), SHOP, { app: "payments" }))).to.equal(
            `--app: 'payments' matches no KA SQL application of ${SHOP}; choose one of: OrdersApp (ApplicationName orders-live), ReturnsApp`,
        );
        expect(importError(() => importTemplate(fixture("shop-apps.yaml"), SHOP, { name: "x" }))).to.equal(
            `--name: 'x' needs --app: ${SHOP} has 2 KA SQL applications (OrdersApp, ReturnsApp)`,
        );
    });
});

describe("ka:import: a V2 SQL-1_0 app (JSON)", () => {
    const plan = importTemplate(fixture("v2-sql.json"), V2, { region: "us-east-1" });

    it("reads TextContent (Fn::Join resolved) and SqlApplicationConfiguration.Inputs, and skips the Flink app, saying so", () => {
        expect(plan.apps.map((a) => a.app)).to.deep.equal(["checkout_sql"]);
        expect(plan.notes).to.deep.equal([
            "skipped SessionizerFlink: AWS::KinesisAnalyticsV2::Application with runtime FLINK-1_15 is not a KA SQL application; nothing to import from it",
        ]);
        expect(plan.apps[0].files[0].content).to.equal(
            [
                `CREATE OR REPLACE STREAM "CART_VALUE" ("campaign" VARCHAR(64), "value" DOUBLE);`,
                `CREATE OR REPLACE PUMP "CART_PUMP" AS INSERT INTO "CART_VALUE"`,
                `  SELECT STREAM "campaign", SUM("value") FROM "SOURCE_SQL_STREAM_001"`,
                `  GROUP BY "campaign", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '5' MINUTE);`,
                ``,
            ].join("\n"),
        );
        expect(plan.apps[0].files[1].content).to.equal(
            [
                "{",
                '  "input": {',
                '    "NamePrefix": "SOURCE_SQL_STREAM",',
                '    "InputSchema": {',
                '      "RecordFormat": {',
                '        "RecordFormatType": "JSON",',
                '        "MappingParameters": {',
                '          "JSONMappingParameters": {',
                '            "RecordRowPath": "$"',
                "          }",
                "        }",
                "      },",
                '      "RecordEncoding": "UTF-8",',
                '      "RecordColumns": [',
                "        {",
                '          "Name": "campaign",',
                '          "SqlType": "VARCHAR(64)",',
                '          "Mapping": "$.campaign"',
                "        },",
                "        {",
                '          "Name": "value",',
                '          "SqlType": "DOUBLE",',
                '          "Mapping": "$.cart.value"',
                "        }",
                "      ]",
                "    }",
                "  },",
                '  "outputs": [',
                "    {",
                '      "Name": "CART_VALUE",',
                '      "output": "checkout_sql_cart_value"',
                "    }",
                "  ]",
                "}",
                "",
            ].join("\n"),
        );
        expect(plan.apps[0].source).to.deep.equal({ name: "checkout-events-us", streamName: "checkout-events-us", region: "us-east-1" });
        expect(plan.notCarriedOver.map((n) => n.what)).to.deep.equal([
            "CheckoutSql (checkout_sql) output CART_VALUE: its destination, Firehose delivery stream cart-value",
            "CheckoutSql (checkout_sql) reference data: table CAMPAIGNS from s3://acme-reference/campaigns.json (Resources.CampaignsRef)",
        ]);
    });

    it("refuses a template with no KA SQL app, naming what it skipped", () => {
        const flinkOnly = JSON.parse(fixture("v2-sql.json"));
        delete flinkOnly.Resources.CheckoutSql;
        expect(importError(() => importTemplate(JSON.stringify(flinkOnly), "flink.json"))).to.equal(
            "flink.json: no KA SQL application (AWS::KinesisAnalytics::Application, or AWS::KinesisAnalyticsV2::Application with RuntimeEnvironment SQL-1_0); " +
                "skipped SessionizerFlink: AWS::KinesisAnalyticsV2::Application with runtime FLINK-1_15 is not a KA SQL application",
        );
    });

    it("refuses code that is not in the template", () => {
        const s3 = JSON.parse(fixture("v2-sql.json"));
        s3.Resources.CheckoutSql.Properties.ApplicationConfiguration.ApplicationCodeConfiguration.CodeContent = {
            S3ContentLocation: { BucketARN: "arn:aws:s3:::b", FileKey: "app.sql" },
        };
        expect(importError(() => importTemplate(JSON.stringify(s3), "s3.json"))).to.equal(
            "s3.json: Resources.CheckoutSql.Properties.ApplicationConfiguration.ApplicationCodeConfiguration.CodeContent.TextContent: not set; " +
                "the code is in S3ContentLocation, which ka:import does not fetch: put the SQL into TextContent, or write sql/ka/<app>/application.sql by hand",
        );
    });
});

describe("ka:import: other forms a template may take", () => {
    it("reads outputs inline in the application, !Sub's list form with variables, !Base64, and AWS::NoValue", () => {
        const t = oneApp(
            `      ApplicationName: inline
      ApplicationCode: !Sub ["-- \${Who} \${Tag}", { Who: !Select [1, !Split ["/", "a/b/c"]], Tag: !Base64 "ka" }]
      ApplicationDescription: !Ref AWS::NoValue
      Outputs:
        - Name: OUT_STREAM
          DestinationSchema: { RecordFormatType: JSON }
          KinesisStreamsOutput: { ResourceARN: "arn:aws:kinesis:eu-west-1:111122223333:stream/out", RoleARN: r }`,
        );
        const plan = importTemplate(t, "t.yaml");
        expect(plan.apps[0].files[0].content).to.equal("-- b a2E=");
        expect(plan.apps[0].outputs).to.deep.equal([{ Name: "OUT_STREAM", output: "inline_out_stream" }]);
        expect(plan.notCarriedOver[0].what).to.equal("App (inline) output OUT_STREAM: its destination, Kinesis stream out");
    });

    it("reads a JSON template by its content as well as by its name", () => {
        const json = JSON.stringify({ Resources: { X: { Type: "AWS::S3::Bucket", Properties: { BucketName: { "Fn::Sub": "b-${AWS::Region}" } } } } });
        expect(readTemplate(json, "template.txt")).to.deep.equal(JSON.parse(json));
    });
});

describe("ka:import: what cannot be resolved", () => {
    it("stops at an unresolvable !GetAtt in the code, naming the property path and the fix", () => {
        expect(importError(() => importTemplate(fixture("getatt-in-code.yaml"), GETATT))).to.equal(
            `${GETATT}: Resources.App.Properties.ApplicationCode: \${Lookup.Arn} in !Sub is not resolvable ` +
                "(an attribute of Lookup (AWS::DynamoDB::Table) exists only once the stack is deployed); write its value into the template in its place",
        );
    });

    it("names the flag that resolves a parameter without a default, a pseudo parameter, or an export", () => {
        const withCode = (code: string, extra = "") => oneApp(`      ApplicationCode: ${code}`, extra);
        expect(importError(() => importTemplate(withCode('!Sub "-- ${Owner}"', "Parameters:\n  Owner: { Type: String }\n"), "t.yaml"))).to.equal(
            "t.yaml: Resources.App.Properties.ApplicationCode: ${Owner} in !Sub is not resolvable (parameter Owner has no Default); pass --parameter Owner=VALUE",
        );
        expect(importError(() => importTemplate(withCode('!Sub "-- ${AWS::AccountId}"'), "t.yaml"))).to.equal(
            "t.yaml: Resources.App.Properties.ApplicationCode: ${AWS::AccountId} in !Sub is not resolvable (AWS::AccountId is known only at deployment); pass --parameter AWS::AccountId=123456789012",
        );
        expect(importError(() => importTemplate(withCode("!Ref AWS::Region"), "t.yaml"))).to.equal(
            "t.yaml: Resources.App.Properties.ApplicationCode: !Ref AWS::Region is not resolvable (the region is known only at deployment); pass --region REGION",
        );
        expect(importError(() => importTemplate(withCode("!ImportValue shared-sql"), "t.yaml"))).to.equal(
            "t.yaml: Resources.App.Properties.ApplicationCode: !ImportValue shared-sql is not resolvable (another stack's export, known only to CloudFormation); write the exported value into the template in its place",
        );
        expect(
            importTemplate(withCode('!Sub "-- ${Owner} in ${AWS::Region}"', "Parameters:\n  Owner: { Type: String }\n"), "t.yaml", {
                parameters: { Owner: "shop" },
                region: "eu-west-1",
            }).apps[0].files[0].content,
        ).to.equal("-- shop in eu-west-1");
    });

    it("imports the other apps of the template with --app when one app cannot be read", () => {
        const good = oneApp("      ApplicationName: good\n      ApplicationCode: SELECT 1;").replace("  App:", "  Good:");
        const both = good + fixture("getatt-in-code.yaml").split("Resources:\n")[1];
        const badError =
            "t.yaml: Resources.App.Properties.ApplicationCode: ${Lookup.Arn} in !Sub is not resolvable " +
            "(an attribute of Lookup (AWS::DynamoDB::Table) exists only once the stack is deployed); write its value into the template in its place";
        expect(importError(() => importTemplate(both, "t.yaml"))).to.equal(badError);
        expect(importError(() => importTemplate(both, "t.yaml", { app: "lookup-app" }))).to.equal(badError);
        expect(importTemplate(both, "t.yaml", { app: "good" }).apps.map((a) => a.app)).to.deep.equal(["good"]);
    });

    it("stops at an unresolvable value in the InputSchema", () => {
        const t = oneApp("      ApplicationCode: SELECT 1;").replace("SqlType: VARCHAR(8)", "SqlType: !GetAtt Types.Key");
        expect(importError(() => importTemplate(t, "t.yaml"))).to.equal(
            "t.yaml: Resources.App.Properties.Inputs[0].InputSchema.RecordColumns[0].SqlType: !GetAtt Types.Key is not resolvable (the template has no resource Types); correct the template",
        );
    });

    it("keeps an input stream whose name is unknown, with a placeholder the config check refuses, and says what to write", () => {
        const t = `Resources:
  Stream:
    Type: AWS::Kinesis::Stream
    Properties: { ShardCount: 1 }
  App:
    Type: AWS::KinesisAnalytics::Application
    Properties:
      ApplicationName: web
      ApplicationCode: SELECT 1;
      Inputs:
        - NamePrefix: SOURCE_SQL_STREAM
          KinesisStreamsInput: { ResourceARN: !GetAtt Stream.Arn, RoleARN: r }
          InputSchema: { RecordFormat: { RecordFormatType: JSON }, RecordColumns: [{ Name: k, SqlType: INT, Mapping: $.k }] }
`;
        const plan = importTemplate(t, "t.yaml");
        expect(plan.config.split("\n").slice(1, 5)).to.deep.equal([
            "clickstream:sources:",
            "  web:",
            `    streamName: "<the stream's name>"`,
            "    mode: attach",
        ]);
        expect(plan.notCarriedOver.find((n) => n.what.startsWith("App (web) input stream"))).to.deep.equal({
            what: "App (web) input stream: Resources.App.Properties.Inputs[0].KinesisStreamsInput.ResourceARN: !GetAtt Stream.Arn",
            why: "not resolvable (an attribute of Stream (AWS::Kinesis::Stream) exists only once the stack is deployed), so the stream's name is unknown",
            todo: "write the stream's name into streamName of source 'web' (or write its value into the template in its place and import again)",
        });
    });

    it("names an app after its logical id when its ApplicationName does not resolve, and says so", () => {
        const t = oneApp('      ApplicationName: !Sub "${AWS::StackName}-clicks"\n      ApplicationCode: SELECT 1;');
        const plan = importTemplate(t, "t.yaml");
        expect(plan.apps[0].app).to.equal("app");
        expect(plan.notes).to.deep.equal([
            "App: ApplicationName ${AWS::StackName} in !Sub is not resolvable (AWS::StackName is known only at deployment): imported as 'app', after its logical id",
        ]);
    });

    it("writes a partly resolved ARN with its unknown parts as their intrinsics", () => {
        expect(new PartlyKnown(["arn:", { path: "p", intrinsic: "${AWS::Region} in !Sub", why: "", fix: "" }, ":x"]).toString()).to.equal(
            "arn:${AWS::Region}:x",
        );
        expect(new PartlyKnown([{ path: "p", intrinsic: "!GetAtt A.Arn", why: "", fix: "" }]).toString()).to.equal("!GetAtt A.Arn");
    });
});

describe("ka:import: names", () => {
    it("lower-cases names to [a-z0-9_] and shortens an output name to OUTPUT_NAME_MAX characters", () => {
        expect(appNameOf("Clickstream-Metrics.v2")).to.equal("clickstream_metrics_v2");
        expect(outputNameOf("ka", "CLICKS_1M")).to.equal("ka_clicks_1m");
        const long = outputNameOf("metrics_eu", "ACTIVE_USERS_PER_MINUTE_AND_COUNTRY_AND_SITE");
        expect(long).to.equal("metrics_eu_active_users_per_minute_and_country_and_site".slice(0, OUTPUT_NAME_MAX));
        expect(long).to.have.length(OUTPUT_NAME_MAX);
        expect(outputNameOf("a", "B-".repeat(30))).to.match(/^a_b_(b_)*b$/);
    });

    it("refuses an app name that does not start with a letter or is too long, and two streams that become one output", () => {
        const code = "      ApplicationCode: SELECT 1;";
        expect(importError(() => importTemplate(oneApp(`      ApplicationName: 1st-app\n${code}`), "t.yaml"))).to.equal(
            "app name '1st_app' (from ApplicationName '1st-app' of App) must start with a letter; pass --name NAME",
        );
        expect(importError(() => importTemplate(oneApp(`      ApplicationName: ${"a".repeat(36)}\n${code}`), "t.yaml"))).to.equal(
            `app name '${"a".repeat(36)}' (from ApplicationName '${"a".repeat(36)}' of App) has 36 characters, at most 35 are allowed (lib/config.ts APP_NAME_MAX); pass --name NAME`,
        );
        const outputs = (n: string) =>
            `  O${n.replace(/\W/g, "")}:\n    Type: AWS::KinesisAnalytics::ApplicationOutput\n    Properties:\n      ApplicationName: !Ref App\n      Output: { Name: "${n}", DestinationSchema: { RecordFormatType: JSON } }\n`;
        expect(importError(() => importTemplate(oneApp(code, outputs("A-B") + outputs("A_B")), "t.yaml"))).to.equal(
            "t.yaml: Resources.OA_B.Properties.Output.Name: 'A_B' and 'A-B' both become lake output 'app_a_b'; rename one, or pass a shorter --name",
        );
        expect(
            importError(() => importTemplate(oneApp(code, outputs("CLICKS_1M")), "t.yaml", { name: "clicks", existingOutputs: ["clicks_clicks_1m"] })),
        ).to.equal(
            "t.yaml: Resources.OCLICKS_1M.Properties.Output.Name: lake output 'clicks_clicks_1m' exists already (sql/outputs/clicks_clicks_1m.sql); pass --name NAME to import the app under another name",
        );
    });
});

describe("ka:import: the command line (npm run ka:import)", () => {
    let dir: string;
    let out: string[];
    let err: string[];

    /** main() with its output captured (only while it runs: mocha's reporter writes to stdout too). */
    function cli(args: string[]): number {
        const write = { out: process.stdout.write, err: process.stderr.write };
        process.stdout.write = ((s: string) => out.push(s) > 0) as typeof process.stdout.write;
        process.stderr.write = ((s: string) => err.push(s) > 0) as typeof process.stderr.write;
        try {
            return main(args, { repo: REPO, cwd: REPO });
        } finally {
            process.stdout.write = write.out;
            process.stderr.write = write.err;
        }
    }

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ka-import-"));
        [out, err] = [[], []];
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("writes sql/ka/<app>/ and prints the report; refuses to overwrite without --force (exit 1, one line)", () => {
        const run = (...args: string[]) => cli([path.join(FIXTURES, "v2-sql.json"), "--region", "us-east-1", "--out", dir, ...args]);
        expect(run()).to.equal(0);
        expect(err).to.deep.equal([]);
        const json = path.join(dir, "sql", "ka", "checkout_sql", "application.json");
        expect(fs.readFileSync(json, "utf8")).to.equal(importTemplate(fixture("v2-sql.json"), V2, { region: "us-east-1" }).apps[0].files[1].content);
        const report = out.join("");
        expect(report.split("\n").slice(0, 6)).to.deep.equal([
            `ka:import: ${V2}: imported CheckoutSql as 'checkout_sql'`,
            "note: skipped SessionizerFlink: AWS::KinesisAnalyticsV2::Application with runtime FLINK-1_15 is not a KA SQL application; nothing to import from it",
            "",
            "written:",
            `  ${path.join(dir, "sql/ka/checkout_sql/application.sql")}`,
            `  ${json}`,
        ]);
        expect(report).to.contain("\n  # Pulumi.us.yaml (aws:region us-east-1)\n  clickstream:sources:\n    checkout-events-us:\n");

        fs.writeFileSync(json, "changed");
        out.length = 0;
        expect(run()).to.equal(1);
        expect(err.join("")).to.equal(
            `ka:import: ${path.join(dir, "sql/ka/checkout_sql")}/ exists already; pass --force to overwrite its files, or --name NAME to import under another name\n`,
        );
        expect(out).to.deep.equal([]);
        expect(fs.readFileSync(json, "utf8")).to.equal("changed");
        err.length = 0;
        expect(run("--force")).to.equal(0);
        expect(fs.readFileSync(json, "utf8")).to.not.equal("changed");
    });

    it("exits 1 with one line for a missing file, a bad flag value, an unknown flag, and an import error", () => {
        const cases: [string[], string][] = [
            [["missing.yaml", "--out", dir], "ka:import: 'missing.yaml' does not exist; pass the CloudFormation template (YAML or JSON)\n"],
            [[METRICS, "--out", dir, "--region", "Europe"], "ka:import: --region: 'Europe' is not valid; expected an AWS region such as eu-west-1\n"],
            [
                [METRICS, "--out", dir, "--parameter", "Env"],
                "ka:import: --parameter: 'Env' is not valid; expected NAME=VALUE, e.g. --parameter Env=prod or --parameter AWS::AccountId=123456789012\n",
            ],
            [[METRICS, "--bogus"], "ka:import: unknown option '--bogus'\n"],
            [[], "ka:import: missing required argument 'template'\n"],
            [
                [GETATT, "--out", dir],
                `ka:import: ${GETATT}: Resources.App.Properties.ApplicationCode: \${Lookup.Arn} in !Sub is not resolvable (an attribute of Lookup (AWS::DynamoDB::Table) exists only once the stack is deployed); write its value into the template in its place\n`,
            ],
        ];
        for (const [args, line] of cases) {
            err.length = 0;
            expect(cli(args), args.join(" ")).to.equal(1);
            expect(err.join(""), args.join(" ")).to.equal(line);
        }
        expect(out).to.deep.equal([]);
        expect(fs.readdirSync(dir)).to.deep.equal([]);
    });

    it("--parameter K=V and --app reach the import", () => {
        expect(cli([SHOP, "--out", dir, "--app", "OrdersApp", "--parameter", "Stage=dev", "--parameter", "Owner=ops"])).to.equal(0);
        expect(fs.readdirSync(path.join(dir, "sql", "ka"))).to.deep.equal(["ordersapp"]);
        expect(fs.readFileSync(path.join(dir, "sql/ka/ordersapp/application.sql"), "utf8")).to.contain("-- dev, ${literal}");
    });
});
