/**
 * Partition registrar: adds the hourly partitions of every output table to the Glue Data Catalog, so that
 * Redshift Spectrum (which ignores Athena's partition projection) sees new hours.
 *
 * Invocations:
 * - EventBridge schedule (`Scheduled Event`): registers `LOOKBACK_HOURS` before through `AHEAD_HOURS`
 *   after the event's hour, for every table in `GLUE_TABLES`.
 * - S3 `ObjectCreated` notifications (optional wiring): registers the hour of each object's key.
 * - Backfill, invoked by an operator: `{ "from": "2025-11-28T00:00:00Z", "to": "2025-11-30T23:00:00Z" }`.
 *
 * Idempotent: `BatchCreatePartition` reports existing partitions as `AlreadyExistsException` entries,
 * which count as done. Every other error fails the invocation (and the Errors alarm fires).
 */
import { BatchCreatePartitionCommand, GetTableCommand, GlueClient } from "@aws-sdk/client-glue";
import type { S3Event, ScheduledEvent } from "aws-lambda";
import { chunk, hoursBetween, parseObjectKey, partitionInput, PartitionValues, scheduledHours } from "./partitions";

export interface BackfillEvent {
    from: string;
    to: string;
    /** Tables to backfill; default every table in `GLUE_TABLES`. */
    tables?: string[];
}

export type RegistrarEvent = ScheduledEvent | S3Event | BackfillEvent;

export interface RegistrarSettings {
    database: string;
    tables: string[];
    lookbackHours: number;
    aheadHours: number;
}

export interface TableResult {
    table: string;
    requested: number;
    created: number;
    alreadyExisted: number;
}

/** Reads the function's environment: `GLUE_DATABASE`, `GLUE_TABLES` (comma-separated), `LOOKBACK_HOURS`, `AHEAD_HOURS`. */
export function settingsFromEnv(env: Record<string, string | undefined>): RegistrarSettings {
    const database = env.GLUE_DATABASE;
    if (!database) throw new Error("GLUE_DATABASE is not set");
    const tables = (env.GLUE_TABLES ?? "")
        .split(",")
        .map((t) => t.trim())
        .filter((t) => t.length > 0);
    const hours = (name: string, fallback: number) => {
        const n = env[name] === undefined ? fallback : Number(env[name]);
        if (!Number.isInteger(n) || n < 0 || n > 72) throw new Error(`${name} must be a whole number from 0 to 72, got '${env[name]}'`);
        return n;
    };
    return { database, tables, lookbackHours: hours("LOOKBACK_HOURS", 3), aheadHours: hours("AHEAD_HOURS", 1) };
}

/** What to register: hours per table. */
export function plan(event: RegistrarEvent, settings: RegistrarSettings, now: Date = new Date()): Map<string, PartitionValues[]> {
    const work = new Map<string, PartitionValues[]>();
    const add = (table: string, hours: PartitionValues[]) => {
        const list = work.get(table) ?? [];
        for (const h of hours) {
            if (!list.some((x) => x.year === h.year && x.month === h.month && x.day === h.day && x.hour === h.hour)) list.push(h);
        }
        work.set(table, list);
    };
    if ("Records" in event) {
        for (const record of event.Records) {
            const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
            const parsed = parseObjectKey(key);
            if (parsed && settings.tables.includes(parsed.output)) add(parsed.output, [parsed.values]);
        }
    } else if ("from" in event) {
        const tables = event.tables ?? settings.tables;
        const unknown = tables.filter((t) => !settings.tables.includes(t));
        if (unknown.length > 0) throw new Error(`unknown table(s) ${unknown.join(", ")}; known: ${settings.tables.join(", ")}`);
        const hours = hoursBetween(new Date(event.from), new Date(event.to));
        for (const t of tables) add(t, hours);
    } else {
        const at = event.time ? new Date(event.time) : now;
        const hours = scheduledHours(at, settings.lookbackHours, settings.aheadHours);
        for (const t of settings.tables) add(t, hours);
    }
    return work;
}

/** Registers the planned partitions; throws (after trying every table) if anything but "already exists" failed. */
export async function register(glue: GlueClient, database: string, work: Map<string, PartitionValues[]>): Promise<TableResult[]> {
    const results: TableResult[] = [];
    const failures: string[] = [];
    for (const [table, hours] of work) {
        if (hours.length === 0) continue;
        try {
            const { Table } = await glue.send(new GetTableCommand({ DatabaseName: database, Name: table }));
            const descriptor = Table?.StorageDescriptor;
            if (!descriptor) throw new Error(`table ${database}.${table} has no StorageDescriptor`);
            const result: TableResult = { table, requested: hours.length, created: 0, alreadyExisted: 0 };
            for (const batch of chunk(hours)) {
                const response = await glue.send(
                    new BatchCreatePartitionCommand({
                        DatabaseName: database,
                        TableName: table,
                        PartitionInputList: batch.map((h) => partitionInput(descriptor, h)),
                    }),
                );
                const errors = response.Errors ?? [];
                const existing = errors.filter((e) => e.ErrorDetail?.ErrorCode === "AlreadyExistsException");
                const other = errors.filter((e) => e.ErrorDetail?.ErrorCode !== "AlreadyExistsException");
                for (const e of other) {
                    failures.push(`${database}.${table} [${(e.PartitionValues ?? []).join("/")}]: ${e.ErrorDetail?.ErrorCode}: ${e.ErrorDetail?.ErrorMessage}`);
                }
                result.alreadyExisted += existing.length;
                result.created += batch.length - errors.length;
            }
            results.push(result);
        } catch (e) {
            failures.push(`${database}.${table}: ${(e as Error).name}: ${(e as Error).message}`);
        }
    }
    if (failures.length > 0) throw new Error(`partition registration failed: ${failures.join("; ")}`);
    return results;
}

const glue = new GlueClient({});

export async function handler(event: RegistrarEvent): Promise<TableResult[]> {
    const settings = settingsFromEnv(process.env);
    const results = await register(glue, settings.database, plan(event, settings));
    console.log(JSON.stringify({ database: settings.database, results }));
    return results;
}
