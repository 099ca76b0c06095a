/**
 * Fixtures for the region stack tests: a temp SQL folder with the outputs that Pulumi.eu.yaml names, a
 * temp runner jar, the lake stack's `analyticsOutputs`, and a helper that evaluates a region stack file
 * under the shared mocks and waits for every registration.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { outputNamesOf, parseRegionConfig, readStackFile, RegionConfig } from "../lib/config";
import { LakeAnalyticsOutputs } from "../lib/region-app";
import { kaAppOutputs, lakeOutputs as catalogLakeOutputs, loadSqlCatalog, SqlCatalog } from "../lib/sql/catalog";
import { createRegionStack } from "../stacks/region";
import { recorded, resetResources, stackReferenceOutputs, valueOf } from "./mocks";

export const REPO = path.resolve(__dirname, "..");
export const LAKE_STACK = "acme/clickstream/lake";
export const LAKE_REGION = "eu-central-1";
export const OUTPUT_NAMES = ["active_users_1m", "active_users_5m", "cart_value_by_campaign", "clicks_1m", "late_events", "page_clicks_late", "rejected_events"];

function write(file: string, text: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
}

/**
 * A temp `sql/` with one source, one view and the outputs of the example stacks, and the repository's KA
 * applications (`sql/ka/`, which Pulumi.us.yaml runs) as they are.
 */
export function fixtureSqlDir(extraOutputs: string[] = []): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "clickstream-sql-"));
    const sql = path.join(root, "sql");
    write(
        path.join(sql, "sources", "clickstream_raw.sql"),
        "CREATE TABLE clickstream_raw (\n  payload STRING,\n  rowtime AS TO_TIMESTAMP(JSON_VALUE(payload, '$.event_time')),\n  WATERMARK FOR rowtime AS rowtime - INTERVAL '1' MINUTE\n);\n",
    );
    write(
        path.join(sql, "views", "events.sql"),
        "CREATE TEMPORARY VIEW events AS\nSELECT JSON_VALUE(payload, '$.site') AS site, rowtime FROM clickstream_raw;\n",
    );
    for (const name of [...OUTPUT_NAMES, ...extraOutputs]) {
        if (name === "rejected_events" || name === "late_events") {
            // Not windowed, like the real one: several apps of one stack may fill it.
            write(
                path.join(sql, "outputs", `${name}.sql`),
                `CREATE TABLE ${name} (\n  received_at TIMESTAMP(3),\n  region STRING,\n  payload STRING\n);\n\n` +
                    `INSERT INTO ${name}\nSELECT CAST(rowtime AS TIMESTAMP(3)), SOURCE_REGION() AS region, site FROM events;\n`,
            );
            continue;
        }
        write(
            path.join(sql, "outputs", `${name}.sql`),
            `CREATE TABLE ${name} (\n  window_start TIMESTAMP(3),\n  region STRING,\n  site STRING,\n  n BIGINT\n);\n\n` +
                `INSERT INTO ${name}\nSELECT window_start, SOURCE_REGION() AS region, site, COUNT(*) AS n\n` +
                `FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))\nGROUP BY window_start, window_end, site;\n`,
        );
    }
    fs.cpSync(path.join(REPO, "sql", "ka"), path.join(sql, "ka"), { recursive: true });
    return sql;
}

let cachedCatalog: SqlCatalog | undefined;
/** The fixture catalog (parsed once). */
export function fixtureCatalog(): SqlCatalog {
    if (!cachedCatalog) {
        const dir = fixtureSqlDir();
        cachedCatalog = loadSqlCatalog(dir, path.dirname(dir));
    }
    return cachedCatalog;
}

/** A temp runner jar with the given content. */
export function tempJar(content = "PK\u0003\u0004 fake runner jar"): { dir: string; file: string; sha256: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clickstream-jar-"));
    const file = path.join(dir, "runner", "target", "clickstream-runner.jar");
    write(file, content);
    return { dir, file, sha256: crypto.createHash("sha256").update(content).digest("hex") };
}

/** The lake stack's `analyticsOutputs` for the given outputs. */
export function lakeOutputs(names: string[]): LakeAnalyticsOutputs {
    return Object.fromEntries(
        names.map((n) => [
            n,
            {
                firehoseName: `clickstream-lake-${n}`,
                firehoseArn: `arn:aws:firehose:${LAKE_REGION}:123456789012:deliverystream/clickstream-lake-${n}`,
                region: LAKE_REGION,
                glueTable: n,
                s3Prefix: `${n}/`,
            },
        ]),
    );
}

/** Waits until no new registration arrived for a few turns of the event loop. */
export async function settleAll(): Promise<void> {
    let last = -1;
    let stable = 0;
    while (stable < 4) {
        await new Promise((r) => setTimeout(r, 5));
        if (recorded.length === last) stable++;
        else {
            stable = 0;
            last = recorded.length;
        }
    }
}

export interface Evaluated {
    config: RegionConfig;
    catalog: SqlCatalog;
    outputs: Record<string, unknown>;
    jar: ReturnType<typeof tempJar>;
}

/** Evaluates `Pulumi.<stack>.yaml` as it is (plus overrides) under mocks. */
export async function evaluateRegion(
    stackFile: string,
    opts: { catalog?: SqlCatalog; overrides?: Record<string, unknown>; lake?: LakeAnalyticsOutputs } = {},
): Promise<Evaluated> {
    resetResources();
    const catalog = opts.catalog ?? fixtureCatalog();
    const base = readStackFile(path.join(REPO, stackFile));
    const read = (k: string) => (opts.overrides && k in opts.overrides ? opts.overrides[k] : base(k));
    const config = parseRegionConfig(read, ...outputNamesOf(catalog.outputs), kaAppOutputs(catalog));
    stackReferenceOutputs[config.lakeStack] = { analyticsOutputs: opts.lake ?? lakeOutputs(catalogLakeOutputs(catalog).map((o) => o.name)) };
    const jar = tempJar();
    const outputs = createRegionStack(config, catalog, { projectRoot: jar.dir });
    // Resolve every output (this waits for the resources behind them), then for any late registration.
    await valueOf(outputs as Record<string, unknown> as never);
    await settleAll();
    return { config, catalog, outputs, jar };
}
