/**
 * Builds the runtime properties of one Flink SQL app: the SQL bundle in chunks and the connector options
 * per table, within Managed Flink's limits. The Pulumi program passes the result to the application's
 * `environmentProperties`; a local run writes the very same groups to `application_properties.json`.
 * The format is specified in docs/CONTRACTS.md and read by the runner (`runner/`).
 */
import { OutputTable, SqlCatalog, SqlStatement } from "./sql/catalog";

/** Managed Flink limits on runtime properties (per application). */
export const MSF_LIMITS = { groups: 50, keysPerGroup: 50, valueLength: 2048 } as const;

export interface PropertyGroup {
    PropertyGroupId: string;
    PropertyMap: Record<string, string>;
}

export interface RuntimePropertiesArgs {
    /** The analytics app's name (config key under `clickstream:apps`). */
    appName: string;
    /** The region stamped on every output row by `SOURCE_REGION()`. */
    sourceRegion: string;
    /** Statements in execution order (see `appStatements`). */
    statements: SqlStatement[];
    /** Connector options per table name; one entry per CREATE TABLE in `statements`. */
    tableOptions: Record<string, Record<string, string>>;
    /** Extra keys for the `runner` group (local runs only: checkpoint interval, parallelism). */
    runnerOptions?: Record<string, string>;
}

/** A runtime-properties mistake; the message names the app and the fix. */
export class RuntimePropertiesError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RuntimePropertiesError";
    }
}

/**
 * The statements an app runs: the source DDL, the shared views, then each selected output's
 * CREATE TABLE, then each selected output's INSERT (all INSERTs become one statement set).
 */
export function appStatements(catalog: SqlCatalog, outputs: OutputTable[]): SqlStatement[] {
    return [...catalog.sources.map((s) => s.statement), ...catalog.views, ...outputs.map((o) => o.createTable), ...outputs.map((o) => o.insert)];
}

/** Splits text into pieces of at most `size` characters, never inside a surrogate pair. */
export function chunkText(text: string, size: number): string[] {
    const chunks: string[] = [];
    let current = "";
    for (const codePoint of text) {
        if (current.length + codePoint.length > size) {
            chunks.push(current);
            current = "";
        }
        current += codePoint;
    }
    if (current.length > 0) chunks.push(current);
    return chunks;
}

const pad3 = (n: number) => String(n).padStart(3, "0");

export function buildRuntimeProperties(args: RuntimePropertiesArgs): PropertyGroup[] {
    const where = `app '${args.appName}'`;
    const created = args.statements.filter((s) => s.kind === "create-table").map((s) => s.target);
    for (const table of created) {
        if (!args.tableOptions[table]) {
            throw new RuntimePropertiesError(`${where}: table '${table}' has no connector options`);
        }
    }
    for (const table of Object.keys(args.tableOptions)) {
        if (!created.includes(table)) {
            throw new RuntimePropertiesError(`${where}: connector options given for '${table}', which no statement creates`);
        }
    }
    const bundle = JSON.stringify({
        version: 1,
        statements: args.statements.map((s) => ({ file: s.file, sql: s.sql })),
    });
    const chunks = chunkText(bundle, MSF_LIMITS.valueLength);
    const sqlGroups: PropertyGroup[] = [];
    for (let i = 0; i < chunks.length; i += MSF_LIMITS.keysPerGroup) {
        const map: Record<string, string> = {};
        chunks.slice(i, i + MSF_LIMITS.keysPerGroup).forEach((chunk, k) => (map[pad3(k)] = chunk));
        sqlGroups.push({ PropertyGroupId: `sql.${pad3(sqlGroups.length)}`, PropertyMap: map });
    }
    const runner: PropertyGroup = {
        PropertyGroupId: "runner",
        PropertyMap: {
            "app.name": args.appName,
            "source.region": args.sourceRegion,
            "sql.groups": String(sqlGroups.length),
            ...(args.runnerOptions ?? {}),
        },
    };
    const tables: PropertyGroup[] = created.map((table) => ({
        PropertyGroupId: `table.${table}`,
        PropertyMap: { ...args.tableOptions[table] },
    }));
    const groups = [runner, ...sqlGroups, ...tables];
    if (groups.length > MSF_LIMITS.groups) {
        throw new RuntimePropertiesError(
            `${where}: needs ${groups.length} property groups (${sqlGroups.length} for SQL, ${tables.length} for tables), ` +
                `Managed Flink allows ${MSF_LIMITS.groups}; split its outputs over two apps in clickstream:apps`,
        );
    }
    for (const group of groups) {
        const keys = Object.keys(group.PropertyMap);
        if (keys.length > MSF_LIMITS.keysPerGroup) {
            throw new RuntimePropertiesError(
                `${where}: property group '${group.PropertyGroupId}' has ${keys.length} keys, Managed Flink allows ${MSF_LIMITS.keysPerGroup}`,
            );
        }
        for (const [key, value] of Object.entries(group.PropertyMap)) {
            if (value.length > MSF_LIMITS.valueLength || key.length > MSF_LIMITS.valueLength) {
                throw new RuntimePropertiesError(
                    `${where}: property '${group.PropertyGroupId}/${key}' is ${value.length} characters, Managed Flink allows ${MSF_LIMITS.valueLength}`,
                );
            }
        }
    }
    return groups;
}

/** Reassembles the SQL bundle from property groups: the inverse of the chunking, used in tests and tools. */
export function reassembleSqlBundle(groups: PropertyGroup[]): { version: number; statements: { file: string; sql: string }[] } {
    const sql = groups
        .filter((g) => /^sql\.\d{3}$/.test(g.PropertyGroupId))
        .sort((a, b) => a.PropertyGroupId.localeCompare(b.PropertyGroupId))
        .map((g) =>
            Object.keys(g.PropertyMap)
                .sort()
                .map((k) => g.PropertyMap[k])
                .join(""),
        )
        .join("");
    return JSON.parse(sql);
}
