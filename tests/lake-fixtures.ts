/**
 * A small, fixed `sql/` folder for the lake tests: one source, two outputs with known columns, one
 * Athena query and one Redshift view. Tests assert exact Glue columns against what is written here.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LakeConfig, parseLakeConfig, readStackFile } from "../lib/config";
import { StackId } from "../lib/naming";

/** The example lake stack: project `clickstream` (Pulumi.yaml), stack `lake`. */
export const LAKE_ID: StackId = { project: "clickstream", stack: "lake" };

export const FIXTURE_FILES: Record<string, string> = {
    "sources/clickstream_raw.sql": `CREATE TABLE clickstream_raw (
  payload STRING,
  site STRING,
  rowtime TIMESTAMP(3),
  WATERMARK FOR rowtime AS rowtime - INTERVAL '5' SECOND
);`,
    "outputs/clicks_1m.sql": `-- Clicks per minute.
CREATE TABLE clicks_1m (
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  region STRING,
  site STRING,
  clicks BIGINT
);

INSERT INTO clicks_1m
SELECT window_start, window_end, SOURCE_REGION() AS region, site, COUNT(*) AS clicks
FROM TABLE(TUMBLE(TABLE clickstream_raw, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, site;
`,
    "outputs/revenue_1m.sql": `CREATE TABLE revenue_1m (
  window_start TIMESTAMP(3),
  region STRING,
  campaign VARCHAR(64),
  revenue DECIMAL(18, 2),
  tags ARRAY<STRING>
);

INSERT INTO revenue_1m
SELECT window_start, SOURCE_REGION() AS region, site AS campaign, CAST(0 AS DECIMAL(18, 2)) AS revenue, CAST(NULL AS ARRAY<STRING>) AS tags
FROM TABLE(TUMBLE(TABLE clickstream_raw, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, site;
`,
    "athena/clicks_last_hour.sql": `SELECT site, SUM(clicks) AS clicks FROM clicks_1m WHERE year = '2025' GROUP BY site;
`,
    "redshift/clicks_by_site.sql": `CREATE OR REPLACE VIEW public.clicks_by_site AS
SELECT c.site, s.site_name, c.clicks FROM \${schema}.clicks_1m c LEFT JOIN public.sites s ON s.site = c.site
WITH NO SCHEMA BINDING;
`,
};

/** Writes the fixture (plus `extra` files, e.g. a new output) to a fresh temp dir; returns its `sql/`. */
export function writeFixtureSql(extra: Record<string, string> = {}): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "lake-sql-"));
    const sqlDir = path.join(root, "sql");
    for (const [file, text] of Object.entries({ ...FIXTURE_FILES, ...extra })) {
        fs.mkdirSync(path.dirname(path.join(sqlDir, file)), { recursive: true });
        fs.writeFileSync(path.join(sqlDir, file), text);
    }
    return sqlDir;
}

/** The real `Pulumi.lake.yaml`, with some raw values replaced (`clickstream:` keys, values as in YAML). */
export function lakeConfig(overrides: Record<string, unknown> = {}): LakeConfig {
    const file = readStackFile(path.resolve(__dirname, "..", "Pulumi.lake.yaml"));
    return parseLakeConfig((k) => (k in overrides ? overrides[k] : file(k)), LAKE_ID);
}
