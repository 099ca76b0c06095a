/**
 * Helpers shared by the rules: reading policy documents, normalising lists, and tolerating values that
 * are unknown during `pulumi preview`.
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

/** Every rule of this pack blocks the deployment. */
export const MANDATORY = "mandatory" as const;

export type Rule = ResourceValidationPolicy | StackValidationPolicy;

/** `x`, `[x, y]` or nothing, as an array. */
export function asArray<T>(value: T | T[] | undefined | null): T[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : [value];
}

/**
 * Reads a value that may be unknown during preview (the policy SDK throws `UnknownValueError` on
 * access). Returns `undefined` instead, so that cross-resource rules can still link resources through
 * other means (property dependencies).
 */
export function safe<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (e) {
        if (e instanceof Error && e.name === "UnknownValueError") return undefined;
        if (e instanceof Error && e.constructor && e.constructor.name === "UnknownValueError") return undefined;
        throw e;
    }
}

export interface PolicyStatement {
    Sid?: string;
    Effect?: string;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Principal?: unknown;
    NotPrincipal?: unknown;
    Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
    Version?: string;
    Statement?: PolicyStatement | PolicyStatement[];
}

/** A policy document arrives as a JSON string or as an object. Returns an error text when unreadable. */
export function parsePolicyDocument(raw: unknown): { document: PolicyDocument } | { error: string } {
    if (raw === undefined || raw === null || raw === "") return { error: "has no policy document" };
    let value: unknown = raw;
    if (typeof raw === "string") {
        try {
            value = JSON.parse(raw);
        } catch {
            return { error: "has a policy document that is not valid JSON" };
        }
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return { error: "has a policy document that is not a JSON object" };
    }
    return { document: value as PolicyDocument };
}

export function statements(document: PolicyDocument): PolicyStatement[] {
    return asArray(document.Statement);
}

/** A short label for a statement in messages: its Sid, or its position. */
export function statementLabel(statement: PolicyStatement, index: number): string {
    return statement.Sid ? `statement '${statement.Sid}'` : `statement ${index + 1}`;
}

/** True when a value is set to a non-empty string. */
export function present(value: unknown): boolean {
    return typeof value === "string" && value.length > 0;
}
