/**
 * Builds the arguments that the Pulumi engine passes to a policy, by hand (the style of
 * `@pulumi/awsguard`'s tests), and runs policies over them.
 */
import { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { Rule } from "../../policy/rules/util";

class NotApplicable extends Error {
    constructor(reason?: string) {
        super(reason ?? "not applicable");
        this.name = "NotApplicable";
    }
}

function isTypeFn(type: string) {
    return (resourceClass: unknown) => (resourceClass as { __pulumiType?: string }).__pulumiType === type;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Props = Record<string, any>;

export function resourceArgs(type: string, props: Props, name = "test"): ResourceValidationArgs {
    return {
        type,
        props,
        urn: `urn:pulumi:test::clickstream::${type}::${name}`,
        name,
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
        },
        stackTags: new Map(),
        isType: isTypeFn(type),
        asType: ((cls: unknown) => (isTypeFn(type)(cls) ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

export interface StackResource {
    type: string;
    name: string;
    props: Props;
    /** Resources that the `bucket` (or another) property depends on, by name. */
    propertyDependencies?: Record<string, string[]>;
}

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:test::clickstream::${type}::${name}`;
}

export function stackArgs(resources: StackResource[]): StackValidationArgs {
    const built: PolicyResource[] = resources.map((r) => ({
        type: r.type,
        props: r.props,
        urn: urnOf(r.type, r.name),
        name: r.name,
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
        },
        dependencies: [],
        propertyDependencies: {},
        isType: isTypeFn(r.type),
        asType: ((cls: unknown) => (isTypeFn(r.type)(cls) ? r.props : undefined)) as PolicyResource["asType"],
    }));
    resources.forEach((r, i) => {
        for (const [property, names] of Object.entries(r.propertyDependencies ?? {})) {
            built[i].propertyDependencies[property] = names.map((n) => built.find((b) => b.name === n)!);
        }
    });
    return {
        resources: built,
        stackTags: new Map(),
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

/** Violation messages of one resource policy; `undefined` when the policy is not applicable. */
export async function validateResource(rule: Rule, type: string, props: Props, name?: string): Promise<string[] | undefined> {
    const policy = rule as ResourceValidationPolicy;
    if (!policy.validateResource) throw new Error(`${rule.name} is not a resource policy`);
    const messages: string[] = [];
    try {
        for (const validate of Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource]) {
            await validate(resourceArgs(type, props, name), (message) => messages.push(message));
        }
    } catch (e) {
        if (e instanceof NotApplicable) return undefined;
        throw e;
    }
    return messages;
}

/** Violation messages of one stack policy over the given resources. */
export async function validateStack(rule: Rule, resources: StackResource[]): Promise<string[]> {
    const policy = rule as StackValidationPolicy;
    if (!policy.validateStack) throw new Error(`${rule.name} is not a stack policy`);
    const messages: string[] = [];
    try {
        await policy.validateStack(stackArgs(resources), (message) => messages.push(message));
    } catch (e) {
        if (e instanceof NotApplicable) return [];
        throw e;
    }
    return messages;
}

export interface Violation {
    policy: string;
    resource: string;
    message: string;
}

/**
 * Runs the whole pack the way the engine does: every resource policy on every resource (inputs as
 * props), then every stack policy once over all resources (outputs as props).
 */
export async function runPack(rules: Rule[], resources: { type: string; name: string; inputs: Props; outputs: Props }[]): Promise<Violation[]> {
    const violations: Violation[] = [];
    for (const rule of rules) {
        if ("validateResource" in rule && rule.validateResource) {
            for (const r of resources) {
                for (const message of (await validateResource(rule, r.type, r.inputs, r.name)) ?? []) {
                    violations.push({ policy: rule.name, resource: `${r.type}::${r.name}`, message });
                }
            }
        }
        if ("validateStack" in rule) {
            const stack = resources.map((r) => ({ type: r.type, name: r.name, props: r.outputs }));
            for (const message of await validateStack(rule, stack)) {
                violations.push({ policy: rule.name, resource: "(stack)", message });
            }
        }
    }
    return violations;
}
