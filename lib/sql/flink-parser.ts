/**
 * Loads dt-sql-parser's FlinkSQL grammar.
 *
 * dt-sql-parser ships untyped-module ESM with directory imports that Node's own loaders reject, and
 * the Pulumi CLI runs this program as CommonJS through ts-node. So its files (and only its files) are
 * converted to CommonJS with esbuild as they are required. Only the Flink grammar is loaded.
 */
import * as fs from "fs";
import * as path from "path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
import Module = require("module");
import { transformSync } from "esbuild";

const PARSER_DIST = path.dirname(require.resolve("dt-sql-parser/package.json")) + path.sep + "dist" + path.sep;

type Loader = (module: NodeModule & { _compile(code: string, filename: string): void }, filename: string) => void;
const extensions = (Module as unknown as { _extensions: Record<string, Loader> })._extensions;
const defaultJsLoader = extensions[".js"];
if (!(defaultJsLoader as { __clickstream?: boolean }).__clickstream) {
    const loader: Loader = (module, filename) => {
        if (!filename.startsWith(PARSER_DIST)) {
            return defaultJsLoader(module, filename);
        }
        const source = fs.readFileSync(filename, "utf8");
        module._compile(transformSync(source, { format: "cjs", loader: "js", target: "node20" }).code, filename);
    };
    (loader as { __clickstream?: boolean }).__clickstream = true;
    extensions[".js"] = loader;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const flink = require(PARSER_DIST + "parser/flink/index.js") as typeof import("dt-sql-parser");
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const flinkGrammar = require(PARSER_DIST + "lib/flink/FlinkSqlParser.js") as typeof import("dt-sql-parser/dist/lib/flink/FlinkSqlParser");
export const FlinkSQL = flink.FlinkSQL;
