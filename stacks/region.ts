import { RegionConfig } from "../lib/config";
import { SqlCatalog } from "../lib/sql/catalog";

/** PLACEHOLDER being built by the region engineer. */
export function createRegionStack(config: RegionConfig, catalog: SqlCatalog): Record<string, unknown> {
    void config;
    void catalog;
    throw new Error("not built yet");
}
