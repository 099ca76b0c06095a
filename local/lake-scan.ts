/**
 * Which partitions of the lake a query reads, shown on Trino (Athena engine v3's upstream): the tables of
 * `.local/lake/` declared in Trino from the Glue schema, the partitions left after pruning from
 * `EXPLAIN (TYPE IO, FORMAT JSON)`, and the bytes read from the query's statistics. Used by the Trino test
 * (local/test/trino.test.ts) and by `npm run measure:athena-scan`, which writes what the cost estimate's
 * Athena line scales (tools/athena-scan.json; docs/COST.md).
 */
import * as fs from "fs";
import * as path from "path";
import { partitionOf, PartitionValues } from "../lib/naming";
import { GlueColumn } from "../lib/sql/glue-schema";
import { localLocation, TrinoServer, trinoTableSql } from "./trino";

const KEYS = ["year", "month", "day", "hour"] as const;

/**
 * One table per output over `<lakeDir>/<output>/` (an output without files gets an empty directory under
 * `emptyDir`, as DuckDB gets an empty view), its partitions registered from the directories on disk.
 */
export async function declareLakeTables(
    trino: TrinoServer,
    schema: string,
    lakeDir: string,
    outputs: { name: string; columns: GlueColumn[] }[],
    emptyDir: string,
): Promise<void> {
    await trino.query(`CREATE SCHEMA IF NOT EXISTS hive.${schema}`);
    for (const o of outputs) {
        const dir = path.join(lakeDir, o.name);
        const location = fs.existsSync(dir) ? dir : path.join(emptyDir, o.name);
        fs.mkdirSync(location, { recursive: true });
        await trino.query(trinoTableSql(schema, o.name, o.columns, localLocation(location)));
        await trino.query(`CALL system.sync_partition_metadata('${schema}', '${o.name}', 'FULL')`);
    }
}

/** The values a partition key keeps after pruning: a list, or `all` when the plan does not constrain it. */
export type KeyValues = string[] | "all";

export interface PlannedScan {
    table: string;
    /** Per partition key, the values of the partitions the scan reads. */
    keys: Record<(typeof KEYS)[number], KeyValues>;
}

interface IoPlan {
    inputTableColumnInfos: {
        table: { schemaTable: { table: string } };
        constraint: {
            none: boolean;
            columnConstraints: { columnName: string; domain: { ranges?: { low: { value?: string }; high: { value?: string } }[] } }[];
        };
    }[];
}

/**
 * The tables a query scans and, per partition key, the values left after partition pruning, from
 * `EXPLAIN (TYPE IO, FORMAT JSON)`: the Hive connector states the domain of each partition key over
 * the partitions it will read (a table whose partitions are all pruned has none left).
 */
export async function plannedScans(trino: TrinoServer, sql: string, schema: string): Promise<PlannedScan[]> {
    const explained = await trino.query(`EXPLAIN (TYPE IO, FORMAT JSON) ${sql}`, { schema });
    const plan = JSON.parse(String(explained.rows[0][0])) as IoPlan;
    return plan.inputTableColumnInfos.map((input) => {
        const keys = Object.fromEntries(KEYS.map((k) => [k, input.constraint.none ? [] : "all"])) as PlannedScan["keys"];
        if (!input.constraint.none) {
            for (const c of input.constraint.columnConstraints) {
                if (!(KEYS as readonly string[]).includes(c.columnName)) continue;
                keys[c.columnName as (typeof KEYS)[number]] = (c.domain.ranges ?? []).map((r) =>
                    r.low.value === r.high.value ? String(r.low.value) : `${r.low.value ?? ""}..${r.high.value ?? ""}`,
                );
            }
        }
        return { table: input.table.schemaTable.table, keys };
    });
}

/** The partitions of `<lakeDir>/<output>/` on disk, as `year=YYYY/month=MM/day=DD/hour=HH`. */
export function partitionsOnDisk(lakeDir: string, output: string): string[] {
    const root = path.join(lakeDir, output);
    if (!fs.existsSync(root)) return [];
    const found: string[] = [];
    const walk = (dir: string, depth: number, prefix: string[]) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            if (!entry.isDirectory() || !entry.name.startsWith(`${KEYS[depth]}=`)) continue;
            const next = [...prefix, entry.name];
            if (depth === KEYS.length - 1) found.push(next.join("/"));
            else walk(path.join(dir, entry.name), depth + 1, next);
        }
    };
    walk(root, 0, []);
    return found.sort();
}

const valuesOf = (partition: string): PartitionValues => Object.fromEntries(partition.split("/").map((kv) => kv.split("="))) as unknown as PartitionValues;

/** The partitions on disk that a planned scan reads: those whose every key value the plan kept. Pure. */
export function partitionsRead(scan: PlannedScan, onDisk: string[]): string[] {
    return onDisk.filter((p) => {
        const v = valuesOf(p);
        return KEYS.every((k) => scan.keys[k] === "all" || scan.keys[k].includes(v[k]));
    });
}

/** The partitions of the delivery hours from `hours` hours before `now` up to now's hour (UTC). Pure. */
export function recentPartitions(onDisk: string[], now: Date, hours: number): string[] {
    const since = partitionOf(new Date(now.getTime() - hours * 3_600_000));
    const key = (v: PartitionValues) => `${v.year}${v.month}${v.day}${v.hour}`;
    return onDisk.filter((p) => key(valuesOf(p)) >= key(since));
}
