/**
 * A deterministic, realistic peak-season clickstream: sites and countries, Zipf-distributed pages and
 * users, sessions that walk the click-through funnel (page_view -> click -> add_to_cart -> purchase),
 * a few percent of out-of-order events, about 0.5% duplicates (a producer retry: the same payload with
 * the same event_id) and about 0.5% malformed records (not JSON, two events glued together, a missing or
 * blank field, a bad or an absurd timestamp). A source can also have events that a device buffered
 * offline and sent minutes late (`lateRate`): those arrive after their windows closed and go to
 * late_events. Everything derives from the seed: the same seed and start time give byte-identical records.
 *
 * Event time runs on a simulated clock, `timeScale` times faster than the wall clock, so that a one-minute
 * run covers several minutes of event time (and therefore several closed windows; the watermark delay is
 * one minute of event time). Out-of-order events are at most `maxLatenessMs` behind the newest event time,
 * which is well inside the watermark delay; offline events are 2.5 to 6 min behind, well outside it.
 */
import { Rng, Zipf } from "./rng";

export type EventType = "page_view" | "click" | "add_to_cart" | "purchase";
export type MalformedKind = "not_json" | "glued" | "missing_field" | "blank_field" | "bad_timestamp" | "absurd_timestamp";

/** What the generator knows about a record it produced: the labels reconciliation checks against. */
export interface RecordLabel {
    kind: "event" | "duplicate" | "malformed";
    /** For `event`: buffered offline on the device and sent minutes late (beyond the watermark delay). */
    offline?: boolean;
    /** For `malformed`: how it was broken (and, for `missing_field` and `blank_field`, which field). */
    malformed?: MalformedKind;
    missingField?: string;
    /** For `duplicate`: the event_id re-sent. */
    duplicateOf?: string;
    /** Event time behind the newest event time generated so far, in ms (0 when in order). */
    latenessMs: number;
}

export interface GeneratedRecord {
    /** 0-based position in the send order. */
    seq: number;
    /** Kinesis stream (source) it goes to. */
    source: string;
    partitionKey: string;
    /** The raw Kinesis record payload (UTF-8). */
    data: string;
    /** Event time in epoch ms (for valid events). */
    eventTimeMs?: number;
    label: RecordLabel;
}

export interface SiteSpec {
    site: string;
    weight: number;
    countries: { code: string; weight: number }[];
}

/** Web sites (the `create`d web stream). */
export const WEB_SITES: SiteSpec[] = [
    {
        site: "shop-de",
        weight: 30,
        countries: [
            { code: "DE", weight: 85 },
            { code: "AT", weight: 10 },
            { code: "CH", weight: 5 },
        ],
    },
    {
        site: "shop-fr",
        weight: 22,
        countries: [
            { code: "FR", weight: 90 },
            { code: "BE", weight: 7 },
            { code: "LU", weight: 3 },
        ],
    },
    {
        site: "shop-uk",
        weight: 20,
        countries: [
            { code: "GB", weight: 92 },
            { code: "IE", weight: 8 },
        ],
    },
    {
        site: "shop-es",
        weight: 12,
        countries: [
            { code: "ES", weight: 95 },
            { code: "PT", weight: 5 },
        ],
    },
    { site: "shop-it", weight: 10, countries: [{ code: "IT", weight: 100 }] },
    {
        site: "shop-nl",
        weight: 6,
        countries: [
            { code: "NL", weight: 80 },
            { code: "BE", weight: 20 },
        ],
    },
];

/** App sites (a second, attached stream such as the mobile team's): disjoint from the web sites. */
export const APP_SITES: SiteSpec[] = [
    {
        site: "app-de",
        weight: 40,
        countries: [
            { code: "DE", weight: 90 },
            { code: "AT", weight: 10 },
        ],
    },
    { site: "app-fr", weight: 35, countries: [{ code: "FR", weight: 100 }] },
    { site: "app-uk", weight: 25, countries: [{ code: "GB", weight: 100 }] },
];

const PAGE_TYPES = ["home", "category", "product", "search", "cart", "checkout"] as const;
const CATEGORIES = ["shoes", "jackets", "electronics", "toys", "beauty", "home", "sports", "books"];
const CAMPAIGNS = ["black-friday", "cyber-monday", "newsletter", "affiliate"];
const EXPERIMENTS = ["checkout-a", "checkout-b", "reco-v2"];
const DEVICES = [
    { type: "mobile", os: "android", browser: "chrome" },
    { type: "mobile", os: "ios", browser: "safari" },
    { type: "desktop", os: "windows", browser: "chrome" },
    { type: "desktop", os: "macos", browser: "safari" },
    { type: "tablet", os: "ios", browser: "safari" },
];

export interface GeneratorOptions {
    seed: number;
    /** Events per wall-clock second (the send rate). */
    rate: number;
    /** Simulated event-time ms per wall-clock ms. Default 10. */
    timeScale?: number;
    /** Event time of the first event (epoch ms). */
    startTimeMs: number;
    /**
     * The source streams, each with its sites; events are spread over them by weight. `lateRate`: the
     * share of the source's events sent 2.5 to 6 min after they happened (default 0). `wholeJsonOnly`:
     * the source's records are written back to back (a Firehose with `recordSeparator: none`), where a
     * truncated or glued record would change how the records after it are split, so its malformed
     * records are whole JSON objects (a missing or blank field, a bad or absurd timestamp).
     */
    sources: { name: string; sites: SiteSpec[]; weight: number; lateRate?: number; wholeJsonOnly?: boolean }[];
    /** Share of events that are out of order. Default 0.03. */
    outOfOrderRate?: number;
    /** Upper bound of out-of-order lateness, event-time ms. Default 20 000 (watermark delay: 60 000). */
    maxLatenessMs?: number;
    /** Share of records that are duplicates. Default 0.005. */
    duplicateRate?: number;
    /** Share of records that are malformed. Default 0.005. */
    malformedRate?: number;
    /** Distinct pages per site (Zipf ranks). Default 200. */
    pagesPerSite?: number;
    /** Users per site (Zipf ranks). Default 3000. */
    usersPerSite?: number;
}

interface Session {
    id: string;
    userId: string;
    site: SiteSpec;
    source: string;
    country: string;
    device: (typeof DEVICES)[number];
    stage: EventType;
    lateRate: number;
    wholeJsonOnly: boolean;
    campaign?: string;
    experiment?: string;
    cartValue: number;
    /** False until the session's landing page view is emitted. */
    started: boolean;
    lastPage: { url: string; type: string; category: string };
}

/** Next funnel step after `stage`, or undefined when the session ends. Pure: takes one uniform draw. */
export function nextFunnelStep(stage: EventType, u: number): EventType | undefined {
    switch (stage) {
        case "page_view":
            return u < 0.45 ? "click" : u < 0.8 ? "page_view" : undefined;
        case "click":
            return u < 0.25 ? "add_to_cart" : u < 0.85 ? "page_view" : undefined;
        case "add_to_cart":
            return u < 0.4 ? "purchase" : u < 0.8 ? "page_view" : undefined;
        case "purchase":
            return u < 0.3 ? "page_view" : undefined;
    }
}

const pad = (n: number, w: number) => String(n).padStart(w, "0");

/** ISO-8601 with an explicit offset (minutes east of UTC) for the same instant. */
export function isoWithOffset(ms: number, offsetMinutes: number): string {
    if (offsetMinutes === 0) return new Date(ms).toISOString();
    const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
    const sign = offsetMinutes > 0 ? "+" : "-";
    const abs = Math.abs(offsetMinutes);
    return `${local}${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

/** An endless, deterministic record sequence. */
export class ClickstreamGenerator {
    private readonly rng: Rng;
    private readonly opts: Required<GeneratorOptions>;
    private readonly pageZipf: Zipf;
    private readonly userZipf: Zipf;
    private readonly sessions: Session[] = [];
    private readonly recent: { source: string; partitionKey: string; data: string; eventId: string; eventTimeMs: number }[] = [];
    private seq = 0;
    private eventCounter = 0;
    private maxEventTime = 0;

    constructor(options: GeneratorOptions) {
        this.opts = {
            timeScale: 10,
            outOfOrderRate: 0.03,
            maxLatenessMs: 20_000,
            duplicateRate: 0.005,
            malformedRate: 0.005,
            pagesPerSite: 200,
            usersPerSite: 3000,
            ...options,
        };
        if (this.opts.sources.length === 0) throw new Error("generator: at least one source is needed");
        this.rng = new Rng(this.opts.seed);
        this.pageZipf = new Zipf(this.opts.pagesPerSite, 1.1);
        this.userZipf = new Zipf(this.opts.usersPerSite, 0.8);
    }

    /** Event time of the n-th record (in order): the simulated clock. */
    clockAt(seq: number): number {
        return this.opts.startTimeMs + Math.floor((seq * 1000 * this.opts.timeScale) / this.opts.rate);
    }

    next(): GeneratedRecord {
        const seq = this.seq++;
        const r = this.rng;
        if (this.recent.length > 20 && r.chance(this.opts.duplicateRate)) {
            // A producer retry: the identical payload again, shortly after the original.
            const original = this.recent[this.recent.length - 1 - r.int(20)];
            return {
                seq,
                source: original.source,
                partitionKey: original.partitionKey,
                data: original.data,
                eventTimeMs: original.eventTimeMs,
                label: { kind: "duplicate", duplicateOf: original.eventId, latenessMs: Math.max(0, this.maxEventTime - original.eventTimeMs) },
            };
        }
        const malformed = r.chance(this.opts.malformedRate);
        const session = this.pickSession();
        const event = this.step(session);
        const clock = this.clockAt(seq);
        let eventTime = clock;
        const offline = !malformed && session.lateRate > 0 && r.chance(session.lateRate);
        if (offline) eventTime = clock - 150_000 - r.int(210_000);
        else if (!malformed && r.chance(this.opts.outOfOrderRate)) eventTime = clock - 1000 - r.int(this.opts.maxLatenessMs - 1000);
        const latenessMs = Math.max(0, this.maxEventTime - eventTime);
        const body: Record<string, unknown> = {
            event_id: r.uuid(),
            event_type: event.type,
            user_id: session.userId,
            session_id: session.id,
            site: session.site.site,
            country: session.country,
            page: event.page,
            device: session.device,
            event_time: this.formatTime(eventTime),
            context: JSON.stringify(event.context),
        };
        const base = { seq, source: session.source, partitionKey: session.id };
        if (malformed) {
            const kind = r.pick(
                session.wholeJsonOnly
                    ? (["missing_field", "blank_field", "bad_timestamp", "absurd_timestamp"] as const)
                    : (["not_json", "glued", "missing_field", "blank_field", "bad_timestamp", "absurd_timestamp"] as const),
            );
            if (kind === "not_json") {
                const text = JSON.stringify(body);
                return { ...base, data: text.slice(0, 20 + r.int(text.length - 40)), label: { kind: "malformed", malformed: kind, latenessMs: 0 } };
            }
            if (kind === "glued") {
                // Two events written back to back into one record: not one JSON object.
                const second = { ...body, event_id: r.uuid() };
                return {
                    ...base,
                    data: JSON.stringify(body) + (r.chance(0.5) ? "" : "\n") + JSON.stringify(second),
                    label: { kind: "malformed", malformed: kind, latenessMs: 0 },
                };
            }
            if (kind === "missing_field" || kind === "blank_field") {
                const field = r.pick(["event_id", "event_type", "user_id", "session_id", "site", "country", "event_time"]);
                if (kind === "missing_field") delete body[field];
                else body[field] = r.pick(["", " ", "\t", "\n", "\r\n", " \t "]);
                return { ...base, data: JSON.stringify(body), label: { kind: "malformed", malformed: kind, missingField: field, latenessMs: 0 } };
            }
            body.event_time =
                kind === "bad_timestamp"
                    ? r.pick(["yesterday", "2026-13-45T99:00:00Z", "1764238500000.5", "26/11/2026 10:00"])
                    : r.pick(["1999-12-31T23:59:59Z", "2999-01-01T00:00:00Z", 86_400_000]);
            return { ...base, data: JSON.stringify(body), label: { kind: "malformed", malformed: kind, latenessMs: 0 } };
        }
        this.maxEventTime = Math.max(this.maxEventTime, eventTime);
        const data = JSON.stringify(body);
        this.recent.push({ source: session.source, partitionKey: session.id, data, eventId: body.event_id as string, eventTimeMs: eventTime });
        if (this.recent.length > 64) this.recent.shift();
        return { ...base, data, eventTimeMs: eventTime, label: { kind: "event", latenessMs, ...(offline ? { offline } : {}) } };
    }

    private formatTime(ms: number): string | number {
        const u = this.rng.next();
        if (u < 0.7) return new Date(ms).toISOString();
        if (u < 0.85) return isoWithOffset(ms, this.rng.pick([60, 120, -300, 330]));
        return ms; // epoch milliseconds, as a JSON number
    }

    private pickSession(): Session {
        const r = this.rng;
        // About 40 concurrent sessions per 100 events/s; a new one starts when the pool is short or by chance.
        const target = Math.max(8, Math.round(this.opts.rate * 0.4));
        if (this.sessions.length < target || r.chance(0.08)) {
            const source = r.weighted(
                this.opts.sources,
                this.opts.sources.map((s) => s.weight),
            );
            const site = r.weighted(
                source.sites,
                source.sites.map((s) => s.weight),
            );
            const country = r.weighted(
                site.countries,
                site.countries.map((c) => c.weight),
            ).code;
            const campaign = r.chance(0.6) ? r.pick(CAMPAIGNS) : undefined;
            const session: Session = {
                id: `s-${this.opts.seed}-${++this.eventCounter}`,
                userId: `u-${site.site}-${pad(this.userZipf.sample(r), 5)}`,
                site,
                source: source.name,
                country,
                device: r.pick(DEVICES),
                stage: "page_view",
                lateRate: source.lateRate ?? 0,
                wholeJsonOnly: source.wholeJsonOnly ?? false,
                campaign,
                experiment: r.chance(0.3) ? r.pick(EXPERIMENTS) : undefined,
                cartValue: 0,
                started: false,
                lastPage: this.page(site),
            };
            this.sessions.push(session);
            return session;
        }
        return this.sessions[r.int(this.sessions.length)];
    }

    private page(site: SiteSpec): { url: string; type: string; category: string } {
        const rank = this.pageZipf.sample(this.rng);
        const type = rank === 1 ? "home" : PAGE_TYPES[1 + (rank % 3)];
        const category = CATEGORIES[rank % CATEGORIES.length];
        return { url: `https://${site.site}.example/${type}/${rank}`, type, category };
    }

    /** Advances a session one funnel step and returns the event it emits. */
    private step(session: Session): { type: EventType; page: Session["lastPage"]; context: Record<string, unknown> } {
        const r = this.rng;
        let type: EventType;
        if (!session.started) {
            session.started = true;
            type = "page_view";
        } else {
            const next = nextFunnelStep(session.stage, r.next());
            if (next === undefined) {
                this.sessions.splice(this.sessions.indexOf(session), 1);
                type = "page_view"; // the session's last page view
            } else {
                type = next;
            }
        }
        session.stage = type;
        if (type === "page_view") session.lastPage = this.page(session.site);
        let page = session.lastPage;
        if (type === "add_to_cart") {
            session.cartValue = Math.round((session.cartValue + 5 + r.next() * 195) * 100) / 100;
            page = { url: `https://${session.site.site}.example/cart`, type: "cart", category: session.lastPage.category };
        }
        if (type === "purchase") page = { url: `https://${session.site.site}.example/checkout`, type: "checkout", category: session.lastPage.category };
        const context: Record<string, unknown> = {};
        if (session.campaign) context.campaign = session.campaign;
        if (session.experiment) context.experiment = session.experiment;
        if (type === "add_to_cart" || type === "purchase") context.cart_value = session.cartValue.toFixed(2);
        return { type, page, context };
    }
}

/** Parses a replayed JSON-lines file into records (one non-empty line = one record, sent as is). */
export function replayRecords(text: string, source: string): GeneratedRecord[] {
    return text
        .split(/\r?\n/)
        .filter((line) => line.trim().length > 0)
        .map((line, seq) => {
            let key = `line-${seq}`;
            try {
                const o = JSON.parse(line) as Record<string, unknown>;
                if (o && typeof o.session_id === "string") key = o.session_id;
                else if (o && typeof o.user_id === "string") key = o.user_id;
            } catch {
                // a malformed line is replayed as is: the runner rejects it with a reason
            }
            return { seq, source, partitionKey: key, data: line, label: { kind: "event" as const, latenessMs: 0 } };
        });
}
