/**
 * An independent re-implementation, in TypeScript, of the validation in sql/views/events_parsed.sql and
 * of PARSE_EVENT_TIME (runner): reconciliation uses it to know which records Flink must accept or reject,
 * and why, without asking Flink. Keep it in step with those files (the unit tests pin the rules).
 */

export interface ClassifiedEvent {
    event_id: string;
    event_type: string;
    user_id: string;
    session_id: string;
    site: string;
    country: string;
    page_url: string | null;
    page_type: string | null;
    event_ms: number;
    campaign: string | null;
    cart_value: string | null;
}

export type Classification = { reason: string; event?: undefined } | { reason: null; event: ClassifiedEvent };

const REQUIRED = ["event_id", "event_type", "user_id", "session_id", "site", "country", "event_time"] as const;

/**
 * IS_BLANK (runner): empty or only whitespace as Java's Character.isWhitespace defines it: tab, line
 * feed, vertical tab, form feed, carriage return, U+001C-U+001F, and the Unicode space, line and
 * paragraph separators except the no-break spaces U+00A0, U+2007 and U+202F. (JavaScript's trim() and
 * \s also strip U+00A0 and U+FEFF, which Java keeps.)
 */
export function isBlank(value: string): boolean {
    return /^[\t\n\u000B\f\r\u001C-\u001F \u1680\u2000-\u2006\u2008-\u200A\u2028\u2029\u205F\u3000]*$/.test(value);
}
const YEAR_2000 = Date.UTC(2000, 0, 1);
const DAY = 86_400_000;

/** Flink JSON_VALUE (default RETURNING STRING, NULL ON EMPTY/ERROR): a scalar as text, else null. */
export function jsonValue(value: unknown): string | null {
    if (value === null || value === undefined) return null;
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return null;
}

function path(doc: unknown, ...keys: string[]): unknown {
    let v = doc;
    for (const k of keys) {
        if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
        v = (v as Record<string, unknown>)[k];
    }
    return v;
}

const ISO_ZONED = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}(?::\d{2})?)(?:\[[^\]]+\])?$/;

/** PARSE_EVENT_TIME: ISO-8601 with a zone/offset, or integral epoch milliseconds; else null. */
export function parseEventTime(value: string | null): number | null {
    if (value === null) return null;
    const s = value.trim();
    if (s.length === 0) return null;
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(s)) {
        const n = Number(s);
        if (!Number.isFinite(n) || !Number.isInteger(n)) return null;
        return Math.abs(n) > 253402300799000 ? null : n;
    }
    const m = ISO_ZONED.exec(s);
    if (!m) return null;
    const [, y, mo, d, h, mi, sec = "0", frac = "0", zone] = m;
    const local = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec, Math.floor(Number(`0.${frac}`) * 1000));
    const check = new Date(local);
    if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +sec > 59) return null;
    let offset = 0;
    if (zone !== "Z") {
        const z = /^([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(zone)!;
        offset = (z[1] === "-" ? -1 : 1) * ((+z[2] * 60 + +z[3]) * 60 + +(z[4] ?? 0)) * 1000;
    }
    return local - offset;
}

/** Classifies one raw record as events_parsed does; `processedAtMs` bounds "absurd" future times. */
export function classifyPayload(payload: string, processedAtMs: number): Classification {
    let doc: unknown;
    try {
        doc = JSON.parse(payload);
    } catch {
        return { reason: "not_json" };
    }
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return { reason: "not_json" };
    const o = doc as Record<string, unknown>;
    for (const field of REQUIRED) {
        const v = jsonValue(o[field]);
        if (v === null || isBlank(v)) return { reason: `missing_field:${field}` };
    }
    const eventMs = parseEventTime(jsonValue(o.event_time));
    if (eventMs === null) return { reason: "bad_timestamp" };
    if (eventMs < YEAR_2000 || eventMs > processedAtMs + DAY) return { reason: "absurd_timestamp" };
    // context: a stringified JSON document, or an object.
    let context: unknown = undefined;
    if (typeof o.context === "string") {
        try {
            context = JSON.parse(o.context);
        } catch {
            context = undefined;
        }
    } else if (o.context !== null && typeof o.context === "object") {
        context = o.context;
    }
    return {
        reason: null,
        event: {
            event_id: jsonValue(o.event_id)!,
            event_type: jsonValue(o.event_type)!,
            user_id: jsonValue(o.user_id)!,
            session_id: jsonValue(o.session_id)!,
            site: jsonValue(o.site)!.toLowerCase(),
            country: jsonValue(o.country)!.toUpperCase(),
            page_url: jsonValue(path(o, "page", "url")),
            page_type: jsonValue(path(o, "page", "type")),
            event_ms: eventMs,
            campaign: jsonValue(path(context, "campaign")),
            cart_value: jsonValue(path(context, "cart_value")),
        },
    };
}
