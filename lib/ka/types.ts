/**
 * KA SQL types (stream columns, RecordColumns' SqlType, CAST targets) to the Flink type used in views and
 * outputs. Every Flink type here is also a Glue/Hive type (lib/sql/glue-schema.ts), so a KA stream can
 * become an output as it is.
 */
import { KaSyntaxError } from "./lexer";
import { TypeSpec } from "./parser";

/** The Flink type of a KA type; unsupported ones fail with what to write instead. */
export function flinkType(t: TypeSpec): string {
    switch (t.name) {
        case "VARCHAR":
        case "CHAR":
        case "CHARACTER":
            // KA's length is a declaration; Flink's STRING keeps the whole value (docs/KA-MIGRATION.md).
            return "STRING";
        case "INTEGER":
        case "INT":
            return "INT";
        case "BIGINT":
        case "SMALLINT":
        case "TINYINT":
        case "BOOLEAN":
        case "DATE":
            return t.name;
        case "DOUBLE":
        case "FLOAT":
            return "DOUBLE";
        case "REAL":
            return "FLOAT";
        case "DECIMAL":
        case "NUMERIC":
        case "DEC":
            return t.args.length === 0 ? "DECIMAL(10,0)" : `DECIMAL(${t.args[0]},${t.args[1] ?? 0})`;
        case "TIMESTAMP":
            return "TIMESTAMP(3)";
        case "TIME":
            throw new KaSyntaxError(t.pos, "type TIME is not supported: use TIMESTAMP or VARCHAR (Glue and Parquet outputs have no TIME)");
        default:
            throw new KaSyntaxError(
                t.pos,
                `type ${t.name} is not supported: use VARCHAR, INTEGER, BIGINT, DOUBLE, REAL, DECIMAL(p,s), BOOLEAN, DATE or TIMESTAMP`,
            );
    }
}
