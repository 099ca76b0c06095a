/**
 * Entry point: reads the stack's role and builds either the permanent lake (`stacks/lake.ts`) or a
 * seasonal source region (`stacks/region.ts`). All config is validated before any resource exists;
 * a user mistake ends the run with one line, not a stack trace.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseStackConfig } from "./lib/config";
import { currentStackId, pulumiConfigReader } from "./lib/pulumi-config";
import { kaAppOutputs, loadSqlCatalog, SqlDefinitionError } from "./lib/sql/catalog";
import { RuntimePropertiesError } from "./lib/runtime-properties";
import { createLakeStack } from "./stacks/lake";
import { createRegionStack } from "./stacks/region";

function main(): Record<string, unknown> {
    try {
        const catalog = loadSqlCatalog();
        const config = parseStackConfig(pulumiConfigReader(), catalog.outputs, currentStackId(), kaAppOutputs(catalog));
        return config.role === "lake" ? createLakeStack(config, catalog) : createRegionStack(config, catalog);
    } catch (e) {
        if (e instanceof ConfigError || e instanceof SqlDefinitionError || e instanceof RuntimePropertiesError) {
            throw new pulumi.RunError(e.message);
        }
        throw e;
    }
}

export = main();
