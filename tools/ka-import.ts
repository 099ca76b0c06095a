/**
 * `npm run ka:import -- template.yaml [--app NAME] [--name NAME] [--region REGION] [--parameter K=V ...] [--out DIR] [--force]`
 *
 * Imports the Kinesis Data Analytics for SQL applications of a CloudFormation template (YAML or JSON) as
 * `sql/ka/<app>/application.sql` and `application.json`, and prints the config lines for the region
 * stack and what could not be carried over. The logic is in `lib/ka/cloudformation.ts`; this file reads
 * and writes the files. Exit 0 on success, 1 with one line `ka:import: <message>` on a user error.
 * Details: docs/KA-IMPORT.md.
 */
import { Command, CommanderError } from "commander";
import * as fs from "fs";
import * as path from "path";
import { readStackFile, regionStacks } from "../lib/config";
import { formatReport, importTemplate, KaImportError, RegionStack } from "../lib/ka/cloudformation";

const REPO = path.resolve(__dirname, "..");

export interface Options {
    app?: string;
    name?: string;
    region?: string;
    parameter?: string[];
    out?: string;
    force?: boolean;
}

function parameters(pairs: string[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const pair of pairs) {
        const m = /^([A-Za-z0-9:]+)=(.*)$/s.exec(pair);
        if (!m)
            throw new KaImportError(
                `--parameter: '${pair}' is not valid; expected NAME=VALUE, e.g. --parameter Env=prod or --parameter AWS::AccountId=123456789012`,
            );
        out[m[1]] = m[2];
    }
    return out;
}

/** Imports `templateFile` under `root` (the project: `sql/ka/` and `sql/outputs/` are read there). Returns the report. */
/**
 * Imports `template` into `root` (`sql/ka/<app>/`). The outputs that exist already (`sql/outputs/`) and
 * the region stacks (`Pulumi.<stack>.yaml`) are read from `root` when it is a Pulumi project, else from
 * `repo` (this repository: `--out` to a plain folder still plans against this project's stacks).
 */
export function runImport(template: string, opts: Options, root: string, cwd = process.cwd(), repo = REPO): string {
    const templatePath = path.resolve(cwd, template);
    const templateFile = shown(templatePath, cwd);
    if (!fs.existsSync(templatePath) || !fs.statSync(templatePath).isFile())
        throw new KaImportError(`'${template}' does not exist; pass the CloudFormation template (YAML or JSON)`);
    if (opts.region !== undefined && !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(opts.region)) {
        throw new KaImportError(`--region: '${opts.region}' is not valid; expected an AWS region such as eu-west-1`);
    }
    const project = fs.existsSync(path.join(root, "Pulumi.yaml")) ? root : repo;
    const outputsDir = path.join(project, "sql", "outputs");
    const existingOutputs = fs.existsSync(outputsDir)
        ? fs
              .readdirSync(outputsDir)
              .filter((f) => f.endsWith(".sql"))
              .map((f) => f.slice(0, -4))
        : [];
    const plan = importTemplate(fs.readFileSync(templatePath, "utf8"), templateFile, {
        app: opts.app,
        name: opts.name,
        region: opts.region,
        parameters: parameters(opts.parameter ?? []),
        existingOutputs,
        stacks: readRegionStacks(project),
    });
    // Refuse before writing anything: an import is all or nothing.
    for (const a of plan.apps) {
        const dir = path.join(root, "sql", "ka", a.app);
        if (fs.existsSync(dir) && !opts.force)
            throw new KaImportError(`${shown(dir, cwd)}/ exists already; pass --force to overwrite its files, or --name NAME to import under another name`);
    }
    const written: string[] = [];
    for (const a of plan.apps) {
        for (const f of a.files) {
            const file = path.join(root, f.path);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, f.content);
            written.push(shown(file, cwd));
        }
    }
    return formatReport(plan, written, templateFile);
}

/** The project's region stacks as the import needs them: region, sources and their streams, apps. */
export function readRegionStacks(root: string): RegionStack[] {
    if (!fs.existsSync(path.join(root, "Pulumi.yaml"))) return [];
    return regionStacks(root).map((stack) => {
        const file = `Pulumi.${stack}.yaml`;
        const read = readStackFile(path.join(root, file));
        const map = (v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, Record<string, unknown> | null>) : {});
        const sources = Object.fromEntries(
            Object.entries(map(read("clickstream:sources"))).map(([name, s]) => [name, String(s?.streamName ?? s?.deliveryStreamName ?? "")]),
        );
        return { file, region: String(read("aws:region") ?? ""), sources, apps: Object.keys(map(read("clickstream:apps"))) };
    });
}

/** A path as the user typed paths: relative to the working directory when inside it. */
function shown(file: string, cwd: string): string {
    const rel = path.relative(cwd, file);
    return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

export function main(argv: string[], deps: { repo?: string; cwd?: string } = {}): number {
    const program = new Command("npm run ka:import --")
        .description("Import the KA SQL applications of a CloudFormation template as sql/ka/<app>/ (docs/KA-IMPORT.md). Exit 0 on success, 1 on a user error.")
        .argument("<template>", "CloudFormation template, YAML (short-form tags such as !Sub and !Ref are read) or JSON")
        .option("--app <name>", "import only this application: its logical id or ApplicationName")
        .option(
            "--name <name>",
            "the app's name in this project (sql/ka/<name>/, clickstream:apps, output prefix); default: its ApplicationName, else its logical id",
        )
        .option("--region <region>", "the value of AWS::Region (and AWS::Partition) where the template uses it")
        .option(
            "--parameter <name=value>",
            "a template parameter or pseudo parameter, e.g. Env=prod or AWS::AccountId=123456789012 (repeatable)",
            (v: string, all: string[] = []) => [...all, v],
        )
        .option("--out <dir>", "the project to write sql/ka/ into (default: this repository)")
        .option("--force", "overwrite an existing sql/ka/<app>/")
        .exitOverride()
        .configureOutput({ writeErr: () => undefined, writeOut: (s) => process.stdout.write(s) });
    try {
        program.parse(argv, { from: "user" });
        const opts = program.opts<Options>();
        const cwd = deps.cwd ?? process.cwd();
        const repo = deps.repo ?? REPO;
        const root = opts.out !== undefined ? path.resolve(cwd, opts.out) : repo;
        process.stdout.write(runImport(program.args[0], opts, root, cwd, repo));
        return 0;
    } catch (e) {
        if (e instanceof CommanderError) {
            if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return 0;
            process.stderr.write(`ka:import: ${e.message.replace(/^error: /, "")}\n`);
            return 1;
        }
        if (e instanceof KaImportError) {
            process.stderr.write(`ka:import: ${e.message}\n`);
            return 1;
        }
        throw e;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
