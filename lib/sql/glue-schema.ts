/**
 * The Glue table of an output: its Flink SQL columns mapped to Glue (Hive) columns, the Parquet SerDe,
 * and the table parameters (partition projection).
 *
 * The same schema drives three things that must agree: the Glue table, Firehose's JSON-to-Parquet
 * conversion (which reads the Glue table), and the local Firehose stand-in's Parquet files.
 */
import { storageLocationTemplate, tableLocation } from "../naming";
import { OutputTable, SqlDefinitionError } from "./catalog";

export interface GlueColumn {
    name: string;
    type: string;
}

/** Partition keys of every output, in this order; strings, zero-padded, filled from the Firehose prefix. */
export const PARTITION_KEYS: GlueColumn[] = ["year", "month", "day", "hour"].map((name) => ({ name, type: "string" }));

const SIMPLE_TYPES: Record<string, string> = {
    STRING: "string",
    BOOLEAN: "boolean",
    TINYINT: "tinyint",
    SMALLINT: "smallint",
    INT: "int",
    INTEGER: "int",
    BIGINT: "bigint",
    FLOAT: "float",
    REAL: "float",
    DOUBLE: "double",
    "DOUBLE PRECISION": "double",
    DATE: "date",
};

const FIXES: Record<string, string> = {
    TIMESTAMP_LTZ: "CAST it to TIMESTAMP(3) (UTC) in the INSERT and declare the column TIMESTAMP(3)",
    TIME: "use STRING or TIMESTAMP(3); Hive has no TIME type",
    BYTES: "encode it as STRING (e.g. base64) in the INSERT",
    VARBINARY: "encode it as STRING (e.g. base64) in the INSERT",
    BINARY: "encode it as STRING (e.g. base64) in the INSERT",
    MULTISET: "use MAP<element, INT> or ARRAY<element>",
    RAW: "convert it to a STRING in the INSERT",
    INTERVAL: "convert it to BIGINT milliseconds in the INSERT",
};

/** Where a type came from, for error messages. */
export interface TypeOrigin {
    file: string;
    column: string;
}

/** Converts one Flink type (as written, upper case, no spaces) to its Hive type, or throws naming the fix. */
export function flinkTypeToGlue(flinkType: string, origin: TypeOrigin): string {
    const type = flinkType
        .trim()
        .replace(/\s+/g, " ")
        .replace(/\s*([(),<>])\s*/g, "$1")
        .replace(/ NOT NULL$/i, "")
        .toUpperCase();
    const fail = (detail?: string): never => {
        const base = /WITH LOCAL TIME ZONE$/.test(type) ? "TIMESTAMP_LTZ" : type.replace(/[(< ].*$/, "");
        const fix = detail ?? FIXES[base] ?? "use one of STRING, BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p,s), DATE, TIMESTAMP(3), ARRAY<T>, MAP<K,V>, ROW<...>";
        throw new SqlDefinitionError(
            `${origin.file}: column '${origin.column}' has type ${flinkType}, which has no Glue/Hive equivalent; ${fix}`,
        );
    };
    if (SIMPLE_TYPES[type]) return SIMPLE_TYPES[type];
    let m = /^(VARCHAR|CHAR)\((\d+)\)$/.exec(type);
    if (m) return m[1] === "CHAR" ? `char(${m[2]})` : `varchar(${Math.min(Number(m[2]), 65535)})`;
    if (type === "VARCHAR" || type === "CHAR") return "string";
    m = /^(?:DECIMAL|DEC|NUMERIC)(?:\((\d+)(?:,(\d+))?\))?$/.exec(type);
    if (m) {
        const precision = Number(m[1] ?? 10);
        const scale = Number(m[2] ?? 0);
        if (precision > 38) fail(`reduce the precision to at most 38 (Hive's maximum)`);
        return `decimal(${precision},${scale})`;
    }
    if (/^TIMESTAMP(\(\d\))?( WITHOUT TIME ZONE)?$/.test(type)) return "timestamp";
    m = /^ARRAY<(.+)>$/.exec(type);
    if (m) return `array<${flinkTypeToGlue(m[1], origin)}>`;
    m = /^MAP<(.+)>$/.exec(type);
    if (m) {
        const [key, value] = splitTopLevel(m[1]);
        if (value === undefined) fail();
        return `map<${flinkTypeToGlue(key, origin)},${flinkTypeToGlue(value, origin)}>`;
    }
    m = /^ROW<(.+)>$/.exec(type);
    if (m) {
        const fields = splitTopLevel(m[1]).map((field) => {
            const f = /^(`[^`]+`|[A-Z_][A-Z0-9_]*) (.+)$/.exec(field);
            if (!f) return fail();
            return `${f[1].replace(/`/g, "").toLowerCase()}:${flinkTypeToGlue(f[2], origin)}`;
        });
        return `struct<${fields.join(",")}>`;
    }
    return fail();
}

/** Splits a type list (`a,map<b,c>,d`) on its top-level commas. */
export function splitTopLevel(list: string): string[] {
    const parts: string[] = [];
    let depth = 0;
    let current = "";
    for (const ch of list) {
        if (ch === "<" || ch === "(") depth++;
        if (ch === ">" || ch === ")") depth--;
        if (ch === "," && depth === 0) {
            parts.push(current);
            current = "";
        } else {
            current += ch;
        }
    }
    parts.push(current);
    return parts;
}

/** The Glue columns of an output (partition keys excluded). Glue column names are lower case. */
export function glueColumns(output: OutputTable): GlueColumn[] {
    return output.columns.map((column) => {
        if (column.name !== column.name.toLowerCase()) {
            throw new SqlDefinitionError(
                `${output.file}: column '${column.name}' is not lower case; Glue stores names in lower case, so ` +
                    `Firehose would not find it in the JSON. Rename it to '${column.name.toLowerCase()}'`,
            );
        }
        if (PARTITION_KEYS.some((key) => key.name === column.name)) {
            throw new SqlDefinitionError(
                `${output.file}: column '${column.name}' clashes with a partition key (year, month, day, hour); rename it`,
            );
        }
        return { name: column.name, type: flinkTypeToGlue(column.flinkType, { file: output.file, column: column.name }) };
    });
}

/** Hive SerDe and formats of every output table (what Firehose's ParquetSerDe writes). */
export const PARQUET = {
    serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
} as const;


/**
 * Years that Athena's partition projection enumerates. Beyond the last year Athena would see no
 * partition, so raise it (one line) before 2036; Spectrum is unaffected (it reads registered partitions).
 */
export const PROJECTION_YEARS = { first: 2025, last: 2035 } as const;

/**
 * The Glue table parameters of an output: an external Parquet table with Athena partition projection on
 * `year, month, day, hour` whose `storage.location.template` is the Firehose prefix's layout.
 */
export function glueTableParameters(bucket: string, output: string): Record<string, string> {
    return {
        EXTERNAL: "TRUE",
        classification: "parquet",
        "parquet.compression": "SNAPPY",
        "projection.enabled": "true",
        "projection.year.type": "integer",
        "projection.year.range": `${PROJECTION_YEARS.first},${PROJECTION_YEARS.last}`,
        "projection.month.type": "integer",
        "projection.month.range": "1,12",
        "projection.month.digits": "2",
        "projection.day.type": "integer",
        "projection.day.range": "1,31",
        "projection.day.digits": "2",
        "projection.hour.type": "integer",
        "projection.hour.range": "0,23",
        "projection.hour.digits": "2",
        "storage.location.template": storageLocationTemplate(bucket, output),
    };
}

/** The StorageDescriptor of an output table: derived columns, Parquet SerDe, location `s3://<lake>/<output>/`. */
export function glueStorageDescriptor(bucket: string, output: string, columns: GlueColumn[]) {
    return {
        location: tableLocation(bucket, output),
        inputFormat: PARQUET.inputFormat,
        outputFormat: PARQUET.outputFormat,
        compressed: false,
        storedAsSubDirectories: false,
        columns: columns.map((c) => ({ name: c.name, type: c.type })),
        serDeInfo: {
            name: "parquet",
            serializationLibrary: PARQUET.serializationLibrary,
            parameters: { "serialization.format": "1" },
        },
    };
}
