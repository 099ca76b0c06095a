/**
 * `npm run ka:import`: a CloudFormation template's Kinesis Data Analytics for SQL applications, as the
 * files the KA translator reads (`sql/ka/<app>/application.sql` and `application.json`), the config lines
 * for the region stack, and the list of what could not be carried over (docs/KA-IMPORT.md).
 *
 * Pure: text in, files and report out. Two steps: `parseTemplate` reads the template (YAML with
 * CloudFormation's short-form tags, or JSON) into a typed model, resolving intrinsic functions where
 * their inputs are known; `planImport` turns that model into the files, the config lines and the report.
 * Every refusal is a KaImportError with one line naming the property path, the intrinsic and the fix.
 */
import * as YAML from "yaml";
import { APP_NAME_MAX } from "../config";
import { OUTPUT_NAME_MAX } from "../sql/catalog";

export class KaImportError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "KaImportError";
    }
}

// ---------------------------------------------------------------------------------------------------
// Reading the template

/** The short-form tags, each read as its long form: `!Sub x` is `{ "Fn::Sub": x }`. */
const SHORT_FORMS = [
    "Ref",
    "Condition",
    "Sub",
    "GetAtt",
    "Join",
    "Select",
    "Split",
    "FindInMap",
    "If",
    "Equals",
    "And",
    "Or",
    "Not",
    "ImportValue",
    "Base64",
    "GetAZs",
    "Cidr",
    "Transform",
    "Length",
    "ToJsonString",
];

const longForm = (name: string) => (name === "Ref" || name === "Condition" ? name : `Fn::${name}`);

function cloudFormationTags(): YAML.Tags {
    const tags: YAML.Tags = [];
    for (const name of SHORT_FORMS) {
        const fn = longForm(name);
        tags.push({
            tag: `!${name}`,
            // `!GetAtt Resource.Attribute` is the scalar form of `Fn::GetAtt: [Resource, Attribute]`.
            resolve: (value: string) => {
                if (name !== "GetAtt") return { [fn]: value };
                const dot = value.indexOf(".");
                return { [fn]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
            },
        });
        for (const collection of ["seq", "map"] as const) {
            tags.push({ tag: `!${name}`, collection, resolve: (node: YAML.YAMLMap.Parsed | YAML.YAMLSeq.Parsed) => ({ [fn]: node.toJSON() }) });
        }
    }
    return tags;
}

export type Template = Record<string, unknown>;

/** A template's text as a plain object; JSON when it looks like JSON, else YAML with CloudFormation's tags. */
export function readTemplate(text: string, file: string): Template {
    let value: unknown;
    if (file.toLowerCase().endsWith(".json") || text.trimStart().startsWith("{")) {
        try {
            value = JSON.parse(text);
        } catch (e) {
            throw new KaImportError(`${file}: not valid JSON (${(e as Error).message})`);
        }
    } else {
        const lines = new YAML.LineCounter();
        const doc = YAML.parseDocument(text, { customTags: cloudFormationTags(), prettyErrors: false, lineCounter: lines });
        const problem = doc.errors[0] ?? doc.warnings.find((w) => w.code === "TAG_RESOLVE_FAILED");
        if (problem) {
            const at = lines.linePos(problem.pos[0]);
            const where = ` at line ${at.line}, column ${at.col}`;
            throw new KaImportError(`${file}: not a valid CloudFormation YAML template${where}: ${problem.message.split("\n")[0]}`);
        }
        value = doc.toJS({ maxAliasCount: 1000 });
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new KaImportError(`${file}: not a CloudFormation template (expected a map)`);
    const resources = (value as Template).Resources;
    if (resources === null || typeof resources !== "object" || Array.isArray(resources)) {
        throw new KaImportError(`${file}: not a CloudFormation template: it has no Resources map`);
    }
    return value as Template;
}

// ---------------------------------------------------------------------------------------------------
// Intrinsic functions

/** A value that cannot be known before the stack is deployed (or without a flag): where, which, why, and the fix. */
export interface Hole {
    /** The property path, e.g. `Resources.App.Properties.ApplicationCode`. */
    path: string;
    /** The intrinsic in short form, e.g. `!GetAtt Lookup.Arn` or `${AWS::AccountId} in !Sub`. */
    intrinsic: string;
    why: string;
    fix: string;
}

/** A string of which some parts are not resolvable (its holes), e.g. an ARN whose account is `${AWS::AccountId}`. */
export class PartlyKnown {
    constructor(readonly parts: (string | Hole)[]) {}
    get holes(): Hole[] {
        return this.parts.filter((p): p is Hole => typeof p !== "string");
    }
    /** The string with each hole written as its intrinsic: for display only. */
    toString(): string {
        if (this.parts.length === 1 && typeof this.parts[0] !== "string") return this.parts[0].intrinsic;
        // Inside a string, a !Sub variable shows as itself (`${AWS::AccountId}`), anything else in braces.
        return this.parts
            .map((p) => (typeof p === "string" ? p : p.intrinsic.endsWith(" in !Sub") ? p.intrinsic.slice(0, -" in !Sub".length) : `{${p.intrinsic}}`))
            .join("");
    }
}

const NO_VALUE = Symbol("AWS::NoValue");
type Resolved = string | number | boolean | null | Resolved[] | { [key: string]: Resolved } | PartlyKnown;

const hole = (h: Hole) => new PartlyKnown([h]);

/** Every hole inside a resolved value, in document order. */
export function holesOf(value: Resolved): Hole[] {
    if (value instanceof PartlyKnown) return value.holes;
    if (Array.isArray(value)) return value.flatMap(holesOf);
    if (value !== null && typeof value === "object") return Object.values(value).flatMap(holesOf);
    return [];
}

export interface ResolveOptions {
    /** `--parameter K=V`: template parameters and pseudo parameters (`AWS::AccountId=...`). */
    parameters?: Record<string, string>;
    /** `--region`: `AWS::Region`. */
    region?: string;
}

function partitionOf(region: string): string {
    return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/** Resources whose ARN follows from a name property: `arn:<partition>:<service>:<region>:<account>:<prefix><name>`. */
const ARN_BY_NAME: Record<string, { property: string; service: string; prefix: string }> = {
    "AWS::Kinesis::Stream": { property: "Name", service: "kinesis", prefix: "stream/" },
    "AWS::KinesisFirehose::DeliveryStream": { property: "DeliveryStreamName", service: "firehose", prefix: "deliverystream/" },
    "AWS::Lambda::Function": { property: "FunctionName", service: "lambda", prefix: "function:" },
};

class Resolver {
    private readonly resources: Record<string, { Type?: unknown; Properties?: Record<string, unknown> }>;
    private readonly parameters: Record<string, Record<string, unknown>>;
    private readonly mappings: Record<string, unknown>;
    private readonly conditions: Record<string, unknown>;
    private readonly conditionCache = new Map<string, boolean | Hole>();

    constructor(
        template: Template,
        private readonly options: ResolveOptions,
    ) {
        const map = (v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, never>) : {});
        this.resources = map(template.Resources);
        this.parameters = map(template.Parameters);
        this.mappings = map(template.Mappings);
        this.conditions = map(template.Conditions);
    }

    resolve(node: unknown, path: string): Resolved | typeof NO_VALUE {
        if (node === null || typeof node !== "object") return node as Resolved;
        if (Array.isArray(node)) {
            return node.map((item, i) => this.resolve(item, `${path}[${i}]`)).filter((v): v is Resolved => v !== NO_VALUE);
        }
        const keys = Object.keys(node);
        if (keys.length === 1 && (keys[0] === "Ref" || keys[0].startsWith("Fn::")))
            return this.intrinsic(keys[0], (node as Record<string, unknown>)[keys[0]], path);
        const out: Record<string, Resolved> = {};
        for (const [k, v] of Object.entries(node)) {
            const r = this.resolve(v, `${path}.${k}`);
            if (r !== NO_VALUE) out[k] = r;
        }
        return out;
    }

    /** Resolves and requires no hole: the value, or the first hole. */
    value(node: unknown, path: string): Resolved | undefined {
        const r = this.resolve(node, path);
        return r === NO_VALUE ? undefined : r;
    }

    private intrinsic(fn: string, arg: unknown, path: string): Resolved | typeof NO_VALUE {
        switch (fn) {
            case "Ref":
                return typeof arg === "string" ? this.ref(arg, path, `!Ref ${arg}`) : this.invalid(path, `!Ref`, "expects a name");
            case "Fn::Sub":
                return this.sub(arg, path);
            case "Fn::GetAtt": {
                const [resource, attribute] = typeof arg === "string" ? arg.split(/\.(.*)/s) : Array.isArray(arg) ? arg : [];
                if (typeof resource !== "string" || typeof attribute !== "string") return this.invalid(path, "!GetAtt", "expects Resource.Attribute");
                return this.getAtt(resource, attribute, path, `!GetAtt ${resource}.${attribute}`);
            }
            case "Fn::Join": {
                if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== "string") return this.invalid(path, "!Join", "expects [delimiter, [values]]");
                const list = this.resolve(arg[1], path);
                if (!Array.isArray(list)) return list instanceof PartlyKnown ? list : this.invalid(path, "!Join", "expects a list of values");
                const parts: (string | Hole)[] = [];
                list.forEach((item, i) => {
                    if (i > 0) parts.push(arg[0]);
                    parts.push(...this.stringParts(item, path, "!Join"));
                });
                return this.joined(parts);
            }
            case "Fn::Select": {
                if (!Array.isArray(arg) || arg.length !== 2) return this.invalid(path, "!Select", "expects [index, [values]]");
                const index = this.resolve(arg[0], path);
                const list = this.resolve(arg[1], path);
                if (index instanceof PartlyKnown) return index;
                if (list instanceof PartlyKnown) return list;
                const i = Number(index);
                if (!Array.isArray(list) || !Number.isInteger(i) || i < 0 || i >= list.length)
                    return this.invalid(path, "!Select", `index ${String(index)} is not in the list`);
                return list[i];
            }
            case "Fn::Split": {
                if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== "string") return this.invalid(path, "!Split", "expects [delimiter, string]");
                const text = this.resolve(arg[1], path);
                if (text instanceof PartlyKnown) return text;
                if (typeof text !== "string") return this.invalid(path, "!Split", "expects a string to split");
                return text.split(arg[0]);
            }
            case "Fn::FindInMap": {
                if (!Array.isArray(arg) || arg.length < 3) return this.invalid(path, "!FindInMap", "expects [MapName, TopLevelKey, SecondLevelKey]");
                const keys = arg.slice(0, 3).map((k) => this.resolve(k, path));
                const unresolved = keys.find((k): k is PartlyKnown => k instanceof PartlyKnown);
                if (unresolved) return unresolved;
                const [m, top, second] = keys.map(String);
                const found = (this.mappings[m] as Record<string, Record<string, unknown>> | undefined)?.[top]?.[second];
                if (found === undefined) return this.invalid(path, `!FindInMap [${m}, ${top}, ${second}]`, "Mappings has no such entry");
                return this.resolve(found, path);
            }
            case "Fn::If": {
                if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== "string") return this.invalid(path, "!If", "expects [Condition, then, else]");
                const chosen = this.condition(arg[0], path);
                if (typeof chosen !== "boolean") return hole({ ...chosen, path });
                return this.resolve(chosen ? arg[1] : arg[2], path);
            }
            case "Fn::Base64": {
                const text = this.resolve(arg, path);
                if (text instanceof PartlyKnown) return text;
                return Buffer.from(String(text), "utf8").toString("base64");
            }
            case "Fn::ImportValue":
                return hole({
                    path,
                    intrinsic: `!ImportValue ${typeof arg === "string" ? arg : "..."}`,
                    why: "another stack's export, known only to CloudFormation",
                    fix: "write the exported value into the template in its place",
                });
            default:
                return hole({
                    path,
                    intrinsic: `!${fn.replace(/^Fn::/, "")}`,
                    why: "ka:import does not evaluate this intrinsic function",
                    fix: "write its value into the template in its place",
                });
        }
    }

    private invalid(path: string, intrinsic: string, why: string): PartlyKnown {
        return hole({ path, intrinsic, why, fix: "correct the template" });
    }

    private stringParts(value: Resolved, path: string, intrinsic: string): (string | Hole)[] {
        if (value instanceof PartlyKnown) return value.parts;
        if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return [String(value)];
        return [{ path, intrinsic, why: "expects strings", fix: "correct the template" }];
    }

    private joined(parts: (string | Hole)[]): string | PartlyKnown {
        const merged: (string | Hole)[] = [];
        for (const p of parts) {
            if (typeof p === "string" && typeof merged[merged.length - 1] === "string") merged[merged.length - 1] += p;
            else merged.push(p);
        }
        return merged.some((p) => typeof p !== "string") ? new PartlyKnown(merged) : ((merged[0] as string | undefined) ?? "");
    }

    private sub(arg: unknown, path: string): Resolved {
        const [text, variables] = typeof arg === "string" ? [arg, {}] : Array.isArray(arg) ? [arg[0], arg[1] ?? {}] : [undefined, {}];
        if (typeof text !== "string" || variables === null || typeof variables !== "object")
            return this.invalid(path, "!Sub", "expects a string, or [string, {variables}]");
        const parts: (string | Hole)[] = [];
        let last = 0;
        for (const m of text.matchAll(/\$\{([^}]*)\}/g)) {
            parts.push(text.slice(last, m.index));
            last = m.index! + m[0].length;
            const name = m[1].trim();
            if (name.startsWith("!")) {
                parts.push(`\${${name.slice(1)}}`);
                continue;
            }
            const inSub = `\${${name}} in !Sub`;
            let value: Resolved | typeof NO_VALUE;
            if (Object.prototype.hasOwnProperty.call(variables, name)) value = this.resolve((variables as Record<string, unknown>)[name], path);
            else if (name.includes(".") && !name.startsWith("AWS::")) {
                const dot = name.indexOf(".");
                value = this.getAtt(name.slice(0, dot), name.slice(dot + 1), path, inSub);
            } else value = this.ref(name, path, inSub);
            if (value === NO_VALUE) continue;
            parts.push(...this.stringParts(value, path, inSub));
        }
        parts.push(text.slice(last));
        return this.joined(parts);
    }

    private ref(name: string, path: string, intrinsic: string): Resolved | typeof NO_VALUE {
        const given = this.options.parameters?.[name];
        const param = this.parameters[name];
        if (param) {
            const value = given ?? param.Default;
            if (value === undefined) {
                return hole({ path, intrinsic, why: `parameter ${name} has no Default`, fix: `pass --parameter ${name}=VALUE` });
            }
            const type = String(param.Type ?? "String");
            if (type === "CommaDelimitedList" || type.startsWith("List<")) return Array.isArray(value) ? value.map(String) : String(value).split(",");
            return String(value);
        }
        if (name.startsWith("AWS::")) return this.pseudo(name, path, intrinsic);
        const resource = this.resources[name];
        if (resource) {
            // Ref of a stream, delivery stream, function or KA application is its name, known when the template sets it.
            const type = String(resource.Type);
            const nameProperty = type === KA_V1 || type === KA_V2 ? "ApplicationName" : ARN_BY_NAME[type]?.property;
            if (nameProperty && resource.Properties?.[nameProperty] !== undefined) {
                return this.resolve(resource.Properties[nameProperty], `Resources.${name}.Properties.${nameProperty}`);
            }
            return hole({
                path,
                intrinsic,
                why: `the name of ${name} (${String(resource.Type)}) is generated by CloudFormation at deployment`,
                fix: "write its name into the template in its place",
            });
        }
        return hole({ path, intrinsic, why: `the template has no parameter or resource ${name}`, fix: "correct the template" });
    }

    private pseudo(name: string, path: string, intrinsic: string): Resolved | typeof NO_VALUE {
        const given = this.options.parameters?.[name];
        if (given !== undefined) return given;
        const region = this.options.region ?? this.options.parameters?.["AWS::Region"];
        switch (name) {
            case "AWS::NoValue":
                return NO_VALUE;
            case "AWS::Region":
                if (region) return region;
                return hole({ path, intrinsic, why: "the region is known only at deployment", fix: "pass --region REGION" });
            case "AWS::Partition":
                if (region) return partitionOf(region);
                return hole({ path, intrinsic, why: "the partition follows the region", fix: "pass --region REGION" });
            case "AWS::URLSuffix":
                if (region) return region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
                return hole({ path, intrinsic, why: "the URL suffix follows the region", fix: "pass --region REGION" });
            default:
                return hole({
                    path,
                    intrinsic,
                    why: `${name} is known only at deployment`,
                    fix: `pass --parameter ${name}=${name === "AWS::AccountId" ? "123456789012" : "VALUE"}`,
                });
        }
    }

    private getAtt(resource: string, attribute: string, path: string, intrinsic: string): Resolved {
        const r = this.resources[resource];
        // The ARN of a stream, delivery stream or function is made of its name, which the template may set:
        // the name is what an import needs, even when the account and region are unknown.
        const named = ARN_BY_NAME[String(r?.Type)];
        if (r && named && attribute === "Arn" && r.Properties?.[named.property] !== undefined) {
            const name = this.resolve(r.Properties[named.property], `Resources.${resource}.Properties.${named.property}`);
            const parts = ["AWS::Partition", "AWS::Region", "AWS::AccountId"].map((p) => this.pseudo(p, path, `${intrinsic} (${p})`) as string | PartlyKnown);
            if (name !== NO_VALUE) {
                return this.joined([
                    "arn:",
                    ...this.stringParts(parts[0], path, intrinsic),
                    `:${named.service}:`,
                    ...this.stringParts(parts[1], path, intrinsic),
                    ":",
                    ...this.stringParts(parts[2], path, intrinsic),
                    `:${named.prefix}`,
                    ...this.stringParts(name, path, intrinsic),
                ]);
            }
        }
        return hole({
            path,
            intrinsic,
            why: r ? `an attribute of ${resource} (${String(r.Type)}) exists only once the stack is deployed` : `the template has no resource ${resource}`,
            fix: r ? "write its value into the template in its place" : "correct the template",
        });
    }

    /** A named condition's value, or the hole that keeps it unknown. */
    condition(name: string, path: string): boolean | Hole {
        const cached = this.conditionCache.get(name);
        if (cached !== undefined) return cached;
        if (!(name in this.conditions))
            return { path, intrinsic: `!If [${name}, ...]`, why: `the template has no condition ${name}`, fix: "correct the template" };
        this.conditionCache.set(name, { path, intrinsic: `Condition ${name}`, why: "it refers to itself", fix: "correct the template" });
        const value = this.evaluate(this.conditions[name], `Conditions.${name}`);
        const result = typeof value === "boolean" ? value : { ...value, intrinsic: `!If [${name}, ...] (${value.intrinsic})` };
        this.conditionCache.set(name, result);
        return result;
    }

    private evaluate(node: unknown, path: string): boolean | Hole {
        if (node === true || node === "true") return true;
        if (node === false || node === "false") return false;
        const [fn, arg] = node !== null && typeof node === "object" && !Array.isArray(node) ? (Object.entries(node)[0] ?? []) : [];
        const list = Array.isArray(arg) ? arg : [];
        const all = (values: (boolean | Hole)[], when: boolean) => {
            if (values.includes(when)) return when;
            return values.find((v): v is Hole => typeof v !== "boolean") ?? !when;
        };
        switch (fn) {
            case "Condition":
                return typeof arg === "string"
                    ? this.condition(arg, path)
                    : { path, intrinsic: "Condition", why: "expects a name", fix: "correct the template" };
            case "Fn::Equals": {
                const [a, b] = list.map((v) => this.resolve(v, path));
                const unknown = [a, b].find((v): v is PartlyKnown => v instanceof PartlyKnown);
                if (unknown) return unknown.holes[0];
                return JSON.stringify(a) === JSON.stringify(b) || String(a) === String(b);
            }
            case "Fn::And":
                return all(
                    list.map((c) => this.evaluate(c, path)),
                    false,
                );
            case "Fn::Or":
                return all(
                    list.map((c) => this.evaluate(c, path)),
                    true,
                );
            case "Fn::Not": {
                const v = this.evaluate(list[0], path);
                return typeof v === "boolean" ? !v : v;
            }
            default:
                return { path, intrinsic: String(fn ?? "condition"), why: "not a condition function", fix: "correct the template" };
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// The model

export const KA_V1 = "AWS::KinesisAnalytics::Application";
export const KA_V2 = "AWS::KinesisAnalyticsV2::Application";
const OUTPUT_TYPES = ["AWS::KinesisAnalytics::ApplicationOutput", "AWS::KinesisAnalyticsV2::ApplicationOutput"];
const REFERENCE_TYPES = ["AWS::KinesisAnalytics::ApplicationReferenceDataSource", "AWS::KinesisAnalyticsV2::ApplicationReferenceDataSource"];

/** Where a KA input or output pointed: an ARN (possibly with unresolvable parts) and what it names. */
export interface Destination {
    kind: "Kinesis stream" | "Firehose delivery stream" | "Lambda function";
    /** The ARN, with any unresolvable part written as its intrinsic. */
    arn: string;
    /** The stream's, delivery stream's or function's name, when the ARN's last part resolves. */
    name?: string;
    /** The ARN's region, when it resolves. */
    region?: string;
    /** Why the name is unknown (the first hole in it). */
    unresolved?: Hole;
}

export interface KaInput {
    /** The property path of the input, e.g. `Resources.App.Properties.Inputs[0]`. */
    path: string;
    /** The Input minus its source ARNs, roles and preprocessing Lambda (application.json's `input`). */
    input: Record<string, Resolved>;
    source?: Destination;
    /** The input-preprocessing Lambda, imported without it. */
    lambda?: Destination;
    /** InputParallelism.Count, when set above 1. */
    parallelism?: number;
}

export interface KaOutput {
    /** The property path of the output, e.g. `Resources.ClicksOut.Properties.Output`. */
    path: string;
    /** The in-application stream it delivers. */
    name: string;
    destination?: Destination;
    /** DestinationSchema.RecordFormatType (JSON or CSV). */
    recordFormat?: string;
}

export interface KaReferenceData {
    path: string;
    table: string;
    s3: string;
}

export interface KaApp {
    logicalId: string;
    type: typeof KA_V1 | typeof KA_V2;
    /** ApplicationName, resolved; undefined when unset or not resolvable. */
    applicationName?: string;
    /** Why ApplicationName did not resolve. */
    applicationNameHole?: Hole;
    code: string;
    input: KaInput;
    outputs: KaOutput[];
    referenceData: KaReferenceData[];
}

export interface KaTemplateModel {
    apps: KaApp[];
    /** Resources that were read but are not KA SQL apps (a V2 app with a Flink runtime): logical id and why. */
    skipped: { logicalId: string; why: string }[];
    /** Outputs and reference data that point at no KA SQL app of the template. */
    orphans: { path: string; why: string }[];
    /**
     * KA SQL apps that could not be read (an unresolvable code, schema or output name): an error only
     * when such an app is imported, so that `--app` can still import the others of the template.
     */
    failed: { logicalId: string; applicationName?: string; error: KaImportError }[];
}

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

function unresolvable(file: string, h: Hole): KaImportError {
    return new KaImportError(`${file}: ${h.path}: ${h.intrinsic} is not resolvable (${h.why}); ${h.fix}`);
}

/** A value that must resolve completely (code, schema, names): the value, or a KaImportError naming the first hole. */
function complete(resolver: Resolver, file: string, node: unknown, path: string): Resolved | undefined {
    const value = resolver.value(node, path);
    if (value === undefined) return undefined;
    const [first] = holesOf(value);
    if (first) throw unresolvable(file, first);
    return value;
}

/** The name and region in a Kinesis, Firehose or Lambda ARN, as far as they resolve. */
function destination(kind: Destination["kind"], value: Resolved | undefined, path: string): Destination | undefined {
    if (value === undefined || value === null) return undefined;
    const partial = value instanceof PartlyKnown ? value : new PartlyKnown([String(value)]);
    // Holes become NUL characters, so that a part of the ARN is known exactly when it has none.
    const flat = partial.parts.map((p) => (typeof p === "string" ? p : "\u0000")).join("");
    const fields = flat.split(":");
    const region = fields[3] && !fields[3].includes("\u0000") ? fields[3] : undefined;
    const resource = fields.slice(5).join(":");
    const named = kind === "Lambda function" ? /^function:([^:]+)/.exec(resource)?.[1] : /^[a-z]+\/(.+)$/.exec(resource)?.[1];
    const name = named && !named.includes("\u0000") ? named : undefined;
    return {
        kind,
        arn: partial.toString(),
        ...(name ? { name } : {}),
        ...(region ? { region } : {}),
        ...(name ? {} : { unresolved: partial.holes[0] ?? { path, intrinsic: partial.toString(), why: `not a ${kind} ARN`, fix: "correct the template" } }),
    };
}

function readInput(resolver: Resolver, file: string, node: unknown, path: string): KaInput {
    const raw = asRecord(node);
    if (!raw) throw new KaImportError(`${file}: ${path}: expected an Input (NamePrefix, InputSchema, KinesisStreamsInput or KinesisFirehoseInput)`);
    const input: Record<string, Resolved> = {};
    for (const [k, v] of Object.entries(raw)) {
        if (["KinesisStreamsInput", "KinesisFirehoseInput", "InputProcessingConfiguration"].includes(k)) continue;
        const value = complete(resolver, file, v, `${path}.${k}`);
        if (value !== undefined) input[k] = value;
    }
    if (typeof input.NamePrefix !== "string")
        throw new KaImportError(`${file}: ${path}.NamePrefix: not set; KA names its in-application input stream after it`);
    if (!asRecord(input.InputSchema)) throw new KaImportError(`${file}: ${path}.InputSchema: not set; it maps the records to columns`);
    const arn = (k: string) => resolver.value(asRecord(raw[k])?.ResourceARN, `${path}.${k}.ResourceARN`);
    const stream = destination("Kinesis stream", arn("KinesisStreamsInput"), `${path}.KinesisStreamsInput.ResourceARN`);
    const firehose = destination("Firehose delivery stream", arn("KinesisFirehoseInput"), `${path}.KinesisFirehoseInput.ResourceARN`);
    const lambdaNode = asRecord(asRecord(raw.InputProcessingConfiguration)?.InputLambdaProcessor)?.ResourceARN;
    const lambda = destination("Lambda function", resolver.value(lambdaNode, `${path}.InputProcessingConfiguration.InputLambdaProcessor.ResourceARN`), path);
    const count = Number(asRecord(input.InputParallelism)?.Count ?? 1);
    return {
        path,
        input,
        ...(stream || firehose ? { source: stream ?? firehose } : {}),
        ...(lambda ? { lambda } : {}),
        ...(count > 1 ? { parallelism: count } : {}),
    };
}

function readOutput(resolver: Resolver, file: string, node: unknown, path: string): KaOutput {
    const raw = asRecord(node);
    const name = raw ? complete(resolver, file, raw.Name, `${path}.Name`) : undefined;
    if (typeof name !== "string" || name === "")
        throw new KaImportError(`${file}: ${path}.Name: not set; it names the in-application stream the output delivers`);
    const kinds: [string, Destination["kind"]][] = [
        ["KinesisStreamsOutput", "Kinesis stream"],
        ["KinesisFirehoseOutput", "Firehose delivery stream"],
        ["LambdaOutput", "Lambda function"],
    ];
    const found = kinds.find(([k]) => asRecord(raw![k])?.ResourceARN !== undefined);
    const dest = found ? destination(found[1], resolver.value(asRecord(raw![found[0]])!.ResourceARN, `${path}.${found[0]}.ResourceARN`), path) : undefined;
    const format = resolver.value(asRecord(raw!.DestinationSchema)?.RecordFormatType, `${path}.DestinationSchema.RecordFormatType`);
    return { path, name, ...(dest ? { destination: dest } : {}), ...(typeof format === "string" ? { recordFormat: format } : {}) };
}

/** One KA SQL application (V1, or V2 with SQL-1_0; undefined for a V2 Flink app, added to `skipped`). */
function readApp(
    resolver: Resolver,
    file: string,
    logicalId: string,
    type: typeof KA_V1 | typeof KA_V2,
    props: Record<string, unknown>,
    name: Resolved | typeof NO_VALUE,
    skipped: KaTemplateModel["skipped"],
): KaApp | undefined {
    const base = `Resources.${logicalId}.Properties`;
    let code: unknown;
    let inputs: unknown;
    let codePath: string;
    if (type === KA_V2) {
        const runtime = complete(resolver, file, props.RuntimeEnvironment, `${base}.RuntimeEnvironment`);
        if (runtime !== "SQL-1_0") {
            skipped.push({ logicalId, why: `${KA_V2} with runtime ${String(runtime)} is not a KA SQL application` });
            return undefined;
        }
        const config = asRecord(props.ApplicationConfiguration) ?? {};
        const codeConfig = asRecord(config.ApplicationCodeConfiguration) ?? {};
        const content = asRecord(codeConfig.CodeContent) ?? {};
        codePath = `${base}.ApplicationConfiguration.ApplicationCodeConfiguration.CodeContent.TextContent`;
        if (content.TextContent === undefined && (content.S3ContentLocation !== undefined || content.ZipFileContent !== undefined)) {
            throw new KaImportError(
                `${file}: ${codePath}: not set; the code is in ${content.S3ContentLocation !== undefined ? "S3ContentLocation" : "ZipFileContent"}, which ka:import does not fetch: put the SQL into TextContent, or write sql/ka/<app>/application.sql by hand`,
            );
        }
        code = content.TextContent;
        inputs = asRecord(config.SqlApplicationConfiguration)?.Inputs;
    } else {
        codePath = `${base}.ApplicationCode`;
        code = props.ApplicationCode;
        inputs = props.Inputs;
    }
    const sql = complete(resolver, file, code, codePath);
    if (typeof sql !== "string" || sql.trim() === "") throw new KaImportError(`${file}: ${codePath}: not set; a KA SQL application needs its SQL code`);
    const inputsPath = type === KA_V2 ? `${base}.ApplicationConfiguration.SqlApplicationConfiguration.Inputs` : `${base}.Inputs`;
    if (!Array.isArray(inputs) || inputs.length !== 1) {
        throw new KaImportError(
            `${file}: ${inputsPath}: ${Array.isArray(inputs) ? `has ${inputs.length} inputs` : "not set"}; a KA SQL application reads exactly one input, and ka:import needs it`,
        );
    }
    const nameHole = name instanceof PartlyKnown ? name.holes[0] : undefined;
    return {
        logicalId,
        type,
        ...(typeof name === "string" ? { applicationName: name } : {}),
        ...(nameHole ? { applicationNameHole: nameHole } : {}),
        code: sql,
        input: readInput(resolver, file, inputs[0], `${inputsPath}[0]`),
        // API-shaped templates sometimes carry the outputs inline, as CreateApplication takes them.
        outputs: Array.isArray(props.Outputs) ? props.Outputs.map((o, i) => readOutput(resolver, file, o, `${base}.Outputs[${i}]`)) : [],
        referenceData: [],
    };
}

/** Reads every KA SQL application of a template, with its input, outputs and reference data. */
export function parseTemplate(template: Template, file: string, options: ResolveOptions = {}): KaTemplateModel {
    const resolver = new Resolver(template, options);
    const resources = template.Resources as Record<string, Record<string, unknown>>;
    let apps: KaApp[] = [];
    const skipped: KaTemplateModel["skipped"] = [];
    const orphans: KaTemplateModel["orphans"] = [];
    const failed: KaTemplateModel["failed"] = [];
    // A resource whose Condition is false is not created; one whose Condition is unknown is taken as created.
    const notCreated = (logicalId: string, resource: Record<string, unknown> | null) =>
        typeof resource?.Condition === "string" && resolver.condition(resource.Condition, `Resources.${logicalId}.Condition`) === false;
    const failing = (logicalId: string, applicationName: unknown, e: unknown) => {
        if (!(e instanceof KaImportError)) throw e;
        failed.push({ logicalId, ...(typeof applicationName === "string" ? { applicationName } : {}), error: e });
    };

    for (const [logicalId, resource] of Object.entries(resources)) {
        const type = resource?.Type;
        if (type !== KA_V1 && type !== KA_V2) continue;
        if (notCreated(logicalId, resource)) {
            skipped.push({ logicalId, why: `its Condition ${String(resource.Condition)} is false, so CloudFormation does not create it` });
            continue;
        }
        const props = asRecord(resource.Properties) ?? {};
        const base = `Resources.${logicalId}.Properties`;
        const name = resolver.resolve(props.ApplicationName, `${base}.ApplicationName`);
        try {
            const app = readApp(resolver, file, logicalId, type, props, name, skipped);
            if (app) apps.push(app);
        } catch (e) {
            failing(logicalId, name, e);
        }
    }
    // An output or reference data source of an app that could not be read goes with it (undefined).
    const owner = (node: unknown, path: string): KaApp | string | undefined => {
        const ref = asRecord(node)?.Ref;
        if (typeof ref === "string") {
            const app = apps.find((a) => a.logicalId === ref);
            if (app) return app;
            if (failed.some((f) => f.logicalId === ref)) return undefined;
            const skip = skipped.find((s) => s.logicalId === ref);
            if (skip) return `it belongs to ${ref}, which is skipped`;
        }
        const name = resolver.resolve(node, path);
        if (name instanceof PartlyKnown)
            return `its ApplicationName ${name.toString()} is not resolvable (${name.holes[0].why}); write ApplicationName: !Ref <the application's logical id>`;
        if (failed.some((f) => f.applicationName === name)) return undefined;
        return (
            apps.find((a) => a.applicationName !== undefined && a.applicationName === name) ??
            `no KA SQL application of the template is named '${String(name)}'`
        );
    };

    for (const [logicalId, resource] of Object.entries(resources)) {
        if (notCreated(logicalId, resource)) continue;
        const props = asRecord(resource?.Properties) ?? {};
        const base = `Resources.${logicalId}.Properties`;
        if (OUTPUT_TYPES.includes(String(resource?.Type))) {
            const app = owner(props.ApplicationName, `${base}.ApplicationName`);
            if (typeof app === "string") orphans.push({ path: `Resources.${logicalId}`, why: app });
            else if (app) {
                try {
                    app.outputs.push(readOutput(resolver, file, props.Output, `${base}.Output`));
                } catch (e) {
                    failing(app.logicalId, app.applicationName, e);
                    apps = apps.filter((a) => a !== app);
                }
            }
        } else if (REFERENCE_TYPES.includes(String(resource?.Type))) {
            const app = owner(props.ApplicationName, `${base}.ApplicationName`);
            const source = asRecord(props.ReferenceDataSource) ?? {};
            const table = resolver.value(source.TableName, `${base}.ReferenceDataSource.TableName`);
            const s3 = asRecord(source.S3ReferenceDataSource) ?? {};
            const bucket = resolver.value(s3.BucketARN, `${base}.ReferenceDataSource.S3ReferenceDataSource.BucketARN`);
            const key = resolver.value(s3.FileKey, `${base}.ReferenceDataSource.S3ReferenceDataSource.FileKey`);
            const bucketName = bucket === undefined ? "?" : String(bucket).replace(/^arn:[^:]*:s3:::/, "");
            const entry = {
                path: `Resources.${logicalId}`,
                table: table === undefined ? "?" : String(table),
                s3: `s3://${bucketName}/${key === undefined ? "?" : String(key)}`,
            };
            if (typeof app === "string") orphans.push({ path: entry.path, why: app });
            else app?.referenceData.push(entry);
        }
    }
    return { apps, skipped, orphans, failed };
}

// ---------------------------------------------------------------------------------------------------
// The import: files, config lines, report

/** `ClicksApp`, `clickstream-metrics` → `clicksapp`, `clickstream_metrics`: a folder, app and output-prefix name. */
export function appNameOf(text: string): string {
    return text.toLowerCase().replace(/[^a-z0-9_]/g, "_");
}

/** The lake output an in-application stream becomes: `<app>_<stream>`, at most OUTPUT_NAME_MAX characters. */
export function outputNameOf(app: string, stream: string): string {
    return `${app}_${stream.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`.slice(0, OUTPUT_NAME_MAX).replace(/_+$/, "");
}

const SOURCE_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

export interface NotCarriedOver {
    what: string;
    why: string;
    todo: string;
}

export interface PlannedApp {
    app: string;
    logicalId: string;
    files: { path: string; content: string }[];
    outputs: { Name: string; output: string }[];
    source?: {
        name: string;
        streamName?: string;
        region?: string;
        firehose?: string;
        /** Set when the region stack has a source on this stream already: the app uses it. */
        existing?: string;
    };
}

export interface ImportPlan {
    apps: PlannedApp[];
    /** The config lines to paste under `config:` of the region stack, one block per region. */
    config: string;
    notCarriedOver: NotCarriedOver[];
    /** Facts worth a line that need no action (skipped resources, names taken from logical ids). */
    notes: string[];
}

export interface ImportOptions extends ResolveOptions {
    /** `--app`: import only this application (its logical id or ApplicationName). */
    app?: string;
    /** `--name`: the app's name in this project (folder, app key, output prefix); with one application only. */
    name?: string;
    /** Output names that exist already (`sql/outputs/*.sql`), which an imported output must not take. */
    existingOutputs?: string[];
    /** The project's region stacks (from `Pulumi.<stack>.yaml`), so that the config lines name theirs and reuse its sources. */
    stacks?: RegionStack[];
}

/** What a region stack file says that an import must not contradict. */
export interface RegionStack {
    /** `Pulumi.eu.yaml`. */
    file: string;
    region: string;
    /** Source name → its stream (`streamName`, or `deliveryStreamName` for `mode: firehose`). */
    sources: Record<string, string | undefined>;
    apps: string[];
}

function checkAppName(app: string, from: string): string {
    if (!/^[a-z][a-z0-9_]*$/.test(app)) throw new KaImportError(`app name '${app}' (from ${from}) must start with a letter; pass --name NAME`);
    if (app.length > APP_NAME_MAX) {
        throw new KaImportError(
            `app name '${app}' (from ${from}) has ${app.length} characters, at most ${APP_NAME_MAX} are allowed (lib/config.ts APP_NAME_MAX); pass --name NAME`,
        );
    }
    return app;
}

const q = (s: string) => (/^[A-Za-z0-9_./-]+$/.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s) ? s : JSON.stringify(s));

/** Which applications to import: all, or the one `--app` names. */
function select(model: KaTemplateModel, file: string, options: ImportOptions): KaApp[] {
    if (model.apps.length === 0 && model.failed.length === 0) {
        const skipped = model.skipped.map((s) => `${s.logicalId}: ${s.why}`).join("; ");
        throw new KaImportError(
            `${file}: no KA SQL application (${KA_V1}, or ${KA_V2} with RuntimeEnvironment SQL-1_0)${skipped ? `; skipped ${skipped}` : ""}`,
        );
    }
    if (options.app === undefined) {
        if (model.failed.length > 0) throw model.failed[0].error;
        if (options.name !== undefined && model.apps.length > 1) {
            throw new KaImportError(
                `--name: '${options.name}' needs --app: ${file} has ${model.apps.length} KA SQL applications (${model.apps.map((a) => a.logicalId).join(", ")})`,
            );
        }
        return model.apps;
    }
    const wanted = appNameOf(options.app);
    const unreadable = model.failed.find(
        (a) => appNameOf(a.logicalId) === wanted || (a.applicationName !== undefined && appNameOf(a.applicationName) === wanted),
    );
    if (unreadable) throw unreadable.error;
    const matches = model.apps.filter((a) => appNameOf(a.logicalId) === wanted || (a.applicationName !== undefined && appNameOf(a.applicationName) === wanted));
    if (matches.length === 0) {
        const choices = [...model.apps, ...model.failed]
            .map((a) => (a.applicationName ? `${a.logicalId} (ApplicationName ${a.applicationName})` : a.logicalId))
            .join(", ");
        throw new KaImportError(`--app: '${options.app}' matches no KA SQL application of ${file}; choose one of: ${choices}`);
    }
    return matches.slice(0, 1);
}

/** The files, config lines and report for the applications of a template. */
export function planImport(model: KaTemplateModel, file: string, options: ImportOptions = {}): ImportPlan {
    const notCarriedOver: NotCarriedOver[] = [];
    const notes: string[] = model.skipped.map((s) => `skipped ${s.logicalId}: ${s.why}; nothing to import from it`);
    const chosen = select(model, file, options);
    for (const o of model.orphans) notCarriedOver.push({ what: o.path, why: o.why, todo: "correct its ApplicationName in the template and import again" });

    const taken = new Map<string, string>((options.existingOutputs ?? []).map((o) => [o, `sql/outputs/${o}.sql`]));
    const apps = chosen.map((ka): PlannedApp => {
        const [app, from] =
            options.name !== undefined
                ? [appNameOf(options.name), `--name '${options.name}'`]
                : options.app !== undefined
                  ? [appNameOf(options.app), `--app '${options.app}'`]
                  : ka.applicationName !== undefined
                    ? [appNameOf(ka.applicationName), `ApplicationName '${ka.applicationName}' of ${ka.logicalId}`]
                    : [appNameOf(ka.logicalId), `logical id ${ka.logicalId}`];
        checkAppName(app, from);
        if (ka.applicationNameHole && options.name === undefined && options.app === undefined) {
            notes.push(
                `${ka.logicalId}: ApplicationName ${ka.applicationNameHole.intrinsic} is not resolvable (${ka.applicationNameHole.why}): imported as '${app}', after its logical id`,
            );
        }
        const where = `${ka.logicalId} (${app})`;

        const outputs: PlannedApp["outputs"] = [];
        for (const o of ka.outputs) {
            const output = outputNameOf(app, o.name);
            const existing = outputs.find((x) => x.output === output);
            if (existing && existing.Name.toUpperCase() !== o.name.toUpperCase()) {
                throw new KaImportError(
                    `${file}: ${o.path}.Name: '${o.name}' and '${existing.Name}' both become lake output '${output}'; rename one, or pass a shorter --name`,
                );
            }
            const clash = taken.get(output);
            if (clash && !existing)
                throw new KaImportError(
                    `${file}: ${o.path}.Name: lake output '${output}' exists already (${clash}); pass --name NAME to import the app under another name`,
                );
            if (!existing) {
                outputs.push({ Name: o.name, output });
                taken.set(output, `${o.path}`);
            }
            const dest = o.destination;
            notCarriedOver.push({
                what: `${where} output ${o.name}: its destination${dest ? `, ${dest.kind} ${dest.name ?? dest.arn}` : " (none stated)"}`,
                why: `the results land in the lake instead, as output ${output}: s3://<lake>/${output}/year=/month=/day=/hour=/ (Parquet), Glue table ${output}, queried with Athena and Spectrum`,
                todo: dest ? `point whatever read ${dest.name ?? `the ${dest.kind}`} at the lake table ${output}` : "nothing",
            });
            if (o.recordFormat === "CSV") {
                notCarriedOver.push({
                    what: `${where} output ${o.name}: DestinationSchema CSV`,
                    why: "the lake stores Parquet",
                    todo: "nothing: Athena and Spectrum read the columns",
                });
            }
        }
        if (outputs.length === 0) {
            notCarriedOver.push({
                what: `${where}: outputs`,
                why: "the template defines no output for it (no ApplicationOutput, no Outputs)",
                todo: "add an ApplicationOutput for each in-application stream whose rows should land in the lake, and import again",
            });
        }

        const { input } = ka;
        if (input.lambda) {
            notCarriedOver.push({
                what: `${where} input preprocessing: Lambda ${input.lambda.name ?? input.lambda.arn} (${input.path}.InputProcessingConfiguration)`,
                why: "imported without it: the seed team removed theirs because it stopped in production; records now reach the SQL as the producers wrote them",
                todo: "check the InputSchema's mappings against a raw record, and do the Lambda's work in the SQL (a stringified JSON field: JSON_VALUE, docs/SQL.md)",
            });
        }
        if (input.parallelism) {
            notCarriedOver.push({
                what: `${where} InputParallelism ${input.parallelism}`,
                why: "Managed Flink scales the app, not in-application streams",
                todo: "set parallelism in clickstream:apps (and leave autoScaling on)",
            });
        }
        for (const r of ka.referenceData) {
            notCarriedOver.push({
                what: `${where} reference data: table ${r.table} from ${r.s3} (${r.path})`,
                why: "the project has no reference tables in its Flink apps",
                todo: `join ${r.table} after the fact in a Redshift enrichment view (sql/redshift/), or write a small fixed table into the SQL`,
            });
        }

        let source: PlannedApp["source"];
        const src = input.source;
        if (!src) {
            notCarriedOver.push({
                what: `${where} input: no KinesisStreamsInput or KinesisFirehoseInput`,
                why: "the template does not say what the app reads",
                todo: "add a source to clickstream:sources by hand and set the app's source",
            });
        } else if (src.kind === "Kinesis stream") {
            const sourceName =
                src.name && SOURCE_NAME.test(src.name.toLowerCase().replace(/[^a-z0-9_-]/g, "-")) ? src.name.toLowerCase().replace(/[^a-z0-9_-]/g, "-") : app;
            source = { name: sourceName, ...(src.name ? { streamName: src.name } : {}), ...(src.region ? { region: src.region } : {}) };
            if (!src.name) {
                const h = src.unresolved!;
                notCarriedOver.push({
                    what: `${where} input stream: ${h.path}: ${h.intrinsic}`,
                    why: `not resolvable (${h.why}), so the stream's name is unknown`,
                    todo: `write the stream's name into streamName of source '${sourceName}' (or ${h.fix} and import again)`,
                });
            }
        } else {
            source = { name: app, firehose: src.name ?? src.arn, ...(src.region ? { region: src.region } : {}) };
            notCarriedOver.push({
                what: `${where} input: Firehose delivery stream ${src.name ?? src.arn} (KinesisFirehoseInput)`,
                why: "Flink cannot read a delivery stream; the project reads the objects it delivers to S3, and the template does not state that bucket and prefix",
                todo: `configure source '${app}' by hand as a mode: firehose source (docs/CONTRACTS.md, "Firehose-delivered objects as a source"); the config lines above name what to fill in`,
            });
        }

        const json = { input: input.input, outputs };
        return {
            app,
            logicalId: ka.logicalId,
            files: [
                { path: `sql/ka/${app}/application.sql`, content: ka.code },
                { path: `sql/ka/${app}/application.json`, content: JSON.stringify(json, null, 2) + "\n" },
            ],
            outputs,
            ...(source ? { source } : {}),
        };
    });
    const names = new Map<string, string>();
    for (const a of apps) {
        const other = names.get(a.app);
        if (other) throw new KaImportError(`${file}: ${other} and ${a.logicalId} both import as '${a.app}'; import them one at a time with --app and --name`);
        names.set(a.app, a.logicalId);
    }
    const stacks = options.stacks ?? [];
    for (const a of apps) {
        const stack = stacks.find((st) => st.region === a.source?.region);
        if (!stack) continue;
        if (stack.apps.includes(a.app))
            throw new KaImportError(
                `${file}: app '${a.app}' exists already in ${stack.file} (clickstream:apps); pass --name NAME to import it under another name`,
            );
        const s = a.source!;
        const reading = Object.entries(stack.sources).find(([, stream]) => s.streamName !== undefined && stream === s.streamName);
        if (reading) {
            s.existing = `${stack.file} has source '${reading[0]}' on ${s.streamName} already`;
            s.name = reading[0];
        } else if (s.name in stack.sources) {
            s.name = `${s.name}-ka`;
        }
    }
    return { apps, config: configLines(apps, stacks), notCarriedOver, notes };
}

/** The region stack's config lines (`clickstream:sources`, `clickstream:apps`), grouped by the source's region. */
export function configLines(apps: PlannedApp[], stacks: RegionStack[] = []): string {
    const regions = [...new Set(apps.map((a) => a.source?.region ?? ""))].sort();
    const blocks = regions.map((region) => {
        const inRegion = apps.filter((a) => (a.source?.region ?? "") === region);
        const stack = stacks.find((st) => st.region === region);
        const header = !region
            ? "# the region stack of the source's region (the template does not state it; --region REGION names it)"
            : stack
              ? `# ${stack.file} (aws:region ${region})`
              : `# the region stack with aws:region ${region} (no Pulumi.<stack>.yaml of this project has it yet)`;
        const sources: string[] = [];
        const seen = new Set<string>();
        for (const a of inRegion) {
            const s = a.source;
            if (!s || seen.has(s.name)) continue;
            seen.add(s.name);
            if (s.existing !== undefined) {
                sources.push(`  # ${s.existing}: the app reads that source`);
            } else if (s.firehose !== undefined) {
                sources.push(
                    `  # ${s.name}: fill in the delivery stream's S3 destination, then uncomment (docs/CONTRACTS.md, "Firehose-delivered objects as a source")`,
                    `  # ${s.name}:`,
                    `  #   mode: firehose`,
                    `  #   deliveryStreamName: ${q(s.firehose)}`,
                    `  #   bucket: <the delivery stream's S3 bucket>`,
                    `  #   prefix: <its S3 prefix, ending with />`,
                    `  #   compression: <NONE or GZIP>`,
                    `  #   recordSeparator: <newline or none>`,
                );
            } else {
                sources.push(`  ${s.name}:`, `    streamName: ${s.streamName !== undefined ? q(s.streamName) : '"<the stream\'s name>"'}`, `    mode: attach`);
            }
        }
        // A key with nothing but comments under it would be null: it stays a comment until an entry is uncommented.
        const lines = [header, `${sources.every((l) => l.startsWith("  #")) ? "# " : ""}clickstream:sources:`, ...sources, "clickstream:apps:"];
        for (const a of inRegion) {
            lines.push(
                `  ${a.app}:`,
                `    source: ${a.source ? a.source.name : '"<a source of clickstream:sources>"'}`,
                `    ka: ${a.app}`,
                `    parallelism: 1`,
            );
        }
        return lines.join("\n");
    });
    return blocks.join("\n\n") + "\n";
}

/** The printed report: what was written, the config lines, and what was not carried over. */
export function formatReport(plan: ImportPlan, written: string[], file: string): string {
    const out: string[] = [`ka:import: ${file}: imported ${plan.apps.map((a) => `${a.logicalId} as '${a.app}'`).join(", ")}`];
    for (const n of plan.notes) out.push(`note: ${n}`);
    out.push("", "written:", ...written.map((w) => `  ${w}`));
    out.push("", "lake outputs (one Glue table and Firehose each, filled by the app):");
    for (const a of plan.apps) for (const o of a.outputs) out.push(`  ${o.output}  <- ${a.app}: ${o.Name}`);
    if (plan.apps.every((a) => a.outputs.length === 0)) out.push("  (none)");
    out.push("", "config lines for the region stack (paste under config:, merging into maps that exist already):", "");
    out.push(
        ...plan.config
            .trimEnd()
            .split("\n")
            .map((l) => (l ? `  ${l}` : "")),
    );
    out.push("", "not carried over:");
    if (plan.notCarriedOver.length === 0) out.push("  (nothing)");
    for (const n of plan.notCarriedOver) out.push(`  - ${n.what}`, `    why: ${n.why}`, `    to do: ${n.todo}`);
    out.push("", "next: npm run ka:translate -- sql/ka/<app>/application.sql prints the Flink SQL that will run (docs/KA-MIGRATION.md)");
    return out.join("\n") + "\n";
}

/** Reads, resolves and plans in one step. */
export function importTemplate(text: string, file: string, options: ImportOptions = {}): ImportPlan {
    return planImport(parseTemplate(readTemplate(text, file), file, options), file, options);
}
