import { LakeConfig } from "../lib/config";
import { SqlCatalog } from "../lib/sql/catalog";

/** PLACEHOLDER being built by the lake engineer. */
export function createLakeStack(config: LakeConfig, catalog: SqlCatalog): Record<string, unknown> {
    void config;
    void catalog;
    throw new Error("not built yet");
}
