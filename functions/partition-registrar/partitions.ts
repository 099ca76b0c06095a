/**
 * Pure logic of the partition registrar: which hours to register, where each partition lives, and how
 * an S3 key maps to an output and its partition. No AWS calls here; `index.ts` does the I/O.
 *
 * Layout (the Firehose prefix): `<output>/year=YYYY/month=MM/day=DD/hour=HH/<object>`, hours in UTC.
 */
import type { PartitionInput, StorageDescriptor } from "@aws-sdk/client-glue";
import { partitionOf, partitionPath, PartitionValues } from "../../lib/naming";

export type { PartitionValues };

/** Glue's limit for one BatchCreatePartition call. */
export const BATCH_LIMIT = 100;
/** At most this many hours in one backfill request (31 days). */
export const MAX_HOURS_PER_REQUEST = 744;

const HOUR_MS = 3_600_000;
const KEY = /^([a-z][a-z0-9_]{0,62})\/year=(\d{4})\/month=(\d{2})\/day=(\d{2})\/hour=(\d{2})\/[^/]+$/;

/** The output and partition of an object key written by Firehose; undefined for any other key. */
export function parseObjectKey(key: string): { output: string; values: PartitionValues } | undefined {
    const m = KEY.exec(key);
    if (!m) return undefined;
    const [, output, year, month, day, hour] = m;
    if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > 31 || Number(hour) > 23) return undefined;
    return { output, values: { year, month, day, hour } };
}

/** Every hour from `from` to `to` (both truncated to the hour, both included), oldest first. */
export function hoursBetween(from: Date, to: Date): PartitionValues[] {
    const start = Math.floor(from.getTime() / HOUR_MS);
    const end = Math.floor(to.getTime() / HOUR_MS);
    if (Number.isNaN(start) || Number.isNaN(end)) throw new Error("hoursBetween: invalid date");
    if (end < start) throw new Error(`hoursBetween: ${to.toISOString()} is before ${from.toISOString()}`);
    if (end - start + 1 > MAX_HOURS_PER_REQUEST) {
        throw new Error(`hoursBetween: ${end - start + 1} hours requested; at most ${MAX_HOURS_PER_REQUEST} per request`);
    }
    const hours: PartitionValues[] = [];
    for (let h = start; h <= end; h++) hours.push(partitionOf(new Date(h * HOUR_MS)));
    return hours;
}

/**
 * The hours a scheduled run registers: `lookbackHours` before the hour of `now` through `aheadHours`
 * after it. Registering the next hour ahead makes each new hour visible to Spectrum before Firehose
 * writes its first object; the look-back re-covers hours missed while the function failed.
 */
export function scheduledHours(now: Date, lookbackHours: number, aheadHours: number): PartitionValues[] {
    return hoursBetween(new Date(now.getTime() - lookbackHours * HOUR_MS), new Date(now.getTime() + aheadHours * HOUR_MS));
}

/** Values in partition-key order: year, month, day, hour. */
export function partitionValueList(values: PartitionValues): string[] {
    return [values.year, values.month, values.day, values.hour];
}

/**
 * The PartitionInput of one hour: the table's StorageDescriptor (columns, SerDe, formats) with the
 * hour's location `<table location>year=YYYY/month=MM/day=DD/hour=HH/`.
 */
export function partitionInput(table: StorageDescriptor, values: PartitionValues): PartitionInput {
    if (!table.Location) throw new Error("the table has no StorageDescriptor.Location");
    const base = table.Location.endsWith("/") ? table.Location : `${table.Location}/`;
    return {
        Values: partitionValueList(values),
        StorageDescriptor: {
            ...table,
            Location: `${base}${partitionPath(values)}`,
        },
    };
}

/** Splits a list into chunks of at most `size`. */
export function chunk<T>(list: T[], size: number = BATCH_LIMIT): T[][] {
    const chunks: T[][] = [];
    for (let i = 0; i < list.length; i += size) chunks.push(list.slice(i, i + size));
    return chunks;
}
