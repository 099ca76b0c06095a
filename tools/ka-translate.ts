/**
 * `npm run ka:translate -- FILE`
 *
 * Prints the Flink SQL statements that a KA for SQL application runs once translated (docs/KA-MIGRATION.md):
 * FILE is a `sql/ka/<app>/application.sql` or its folder, which also holds `application.json`. The
 * statements are printed in the order the runner executes them, each after a comment naming its origin.
 * A translation error prints one line (`<file>:<line>:<col>: <construct> is not supported: <what to write
 * instead>`) and exits 1; a bad argument exits 2.
 */
import { Command, CommanderError } from "commander";
import * as fs from "fs";
import * as path from "path";
import { KA_JSON_FILE, KA_SQL_FILE, KaDefinitionError, translateKaApp } from "../lib/ka/app";
import { outputNameProblem, parseOutputFile, SqlDefinitionError, SqlStatement } from "../lib/sql/catalog";

const REPO = path.resolve(__dirname, "..");

/** The statements as the runner gets them, with a comment line before each. */
export function formatStatements(statements: SqlStatement[]): string {
    return statements.map((s) => `-- ${s.file}:${s.line}: ${s.kind} ${s.target}\n${s.sql};\n`).join("\n");
}

/** Translates the application in `target` (its application.sql or its folder); paths in messages are relative to `cwd`. */
export function translateFolder(target: string, cwd: string): SqlStatement[] {
    const resolved = path.resolve(cwd, target);
    if (!fs.existsSync(resolved)) throw new KaDefinitionError(`${target}: not found; give a sql/ka/<app>/application.sql or its folder`);
    const folder = fs.existsSync(resolved) && fs.statSync(resolved).isDirectory() ? resolved : path.dirname(resolved);
    const rel = (f: string) => path.relative(cwd, f).split(path.sep).join("/");
    const sqlFile = path.join(folder, KA_SQL_FILE);
    const jsonFile = path.join(folder, KA_JSON_FILE);
    for (const f of [sqlFile, jsonFile]) {
        if (!fs.existsSync(f)) throw new KaDefinitionError(`${rel(f)}: not found (a KA application folder holds ${KA_SQL_FILE} and ${KA_JSON_FILE})`);
    }
    let json: unknown;
    try {
        json = JSON.parse(fs.readFileSync(jsonFile, "utf8"));
    } catch (e) {
        throw new KaDefinitionError(`${rel(jsonFile)}: not valid JSON: ${(e as Error).message}`);
    }
    // The rejected records go to the project's rejected_events output, as in a deployment.
    const rejectedFile = path.join(REPO, "sql", "outputs", "rejected_events.sql");
    const rejected = parseOutputFile(path.relative(REPO, rejectedFile), fs.readFileSync(rejectedFile, "utf8"));
    return translateKaApp({
        app: path.basename(folder),
        sqlFile: rel(sqlFile),
        jsonFile: rel(jsonFile),
        sqlText: fs.readFileSync(sqlFile, "utf8"),
        json,
        rejectedTable: rejected.createTable,
        outputNameProblem,
    }).statements;
}

export function main(argv: string[], cwd = process.cwd()): number {
    const program = new Command("ka:translate")
        .description("Print the Flink SQL that a KA for SQL application (sql/ka/<app>/) runs on Managed Flink")
        .argument("<file>", "sql/ka/<app>/application.sql, or its folder")
        .exitOverride()
        .configureOutput({ writeErr: () => undefined, writeOut: (s) => process.stdout.write(s) });
    try {
        program.parse(argv, { from: "user" });
        process.stdout.write(formatStatements(translateFolder(program.args[0], cwd)));
        return 0;
    } catch (e) {
        if (e instanceof CommanderError) {
            if (e.code === "commander.helpDisplayed") return 0;
            process.stderr.write(`ka:translate: ${e.message.replace(/^error: /, "")}\n`);
            return 2;
        }
        if (e instanceof KaDefinitionError || e instanceof SqlDefinitionError) {
            process.stderr.write(`ka:translate: ${e.message}\n`);
            return 1;
        }
        throw e;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
