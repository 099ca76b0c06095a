/**
 * The live dashboard's page: one HTML document whose script polls the server's JSON endpoint
 * (`/api/model`, local/dashboard-server.ts) and redraws with Chart.js, served by the same server from
 * node_modules (no CDN). The script is `liveClient` below, sent as its source text: it must not use
 * anything outside its own body.
 */
import type { LiveModel } from "./dashboard-model";

/** What `GET /api/model` returns. */
export interface LiveResponse {
    status: LiveStatus;
    /** Null until the run knows its outputs (during setup). */
    model: LiveModel | null;
}

export interface LiveStatus {
    /** `running` while the pipeline runs; `ended` after (the lake no longer changes). */
    phase: "starting" | "running" | "ended";
    /** The last progress line of the run. */
    step: string;
    /** True when the server keeps serving after the run (`--serve`). */
    serving: boolean;
}

/** The page's refresh interval, ms. */
export const REFRESH_MS = 2000;
export const CHART_JS_PATH = "/vendor/chart.umd.min.js";
export const MODEL_PATH = "/api/model";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The columns that identify a row of a query table: its `data-key` is their values in column order, joined by `|`. */
export const KEY_COLUMNS = ["region", "site", "country", "page_type", "campaign", "reason", "page_url", "window_start", "window_end"];

/** A row's `data-key` (the same function runs in the page). Pure. */
export function rowKey(columns: string[], row: Record<string, unknown>): string {
    return columns
        .filter((c) => KEY_COLUMNS.includes(c))
        .map((c) => String(row[c] ?? ""))
        .join("|");
}

interface ChartLike {
    data: unknown;
    options: { plugins: { title: { text: string } } };
    update(mode?: string): void;
}
type ChartCtor = new (canvas: HTMLCanvasElement, config: unknown) => ChartLike;

/** The page's script (runs in the browser). */
function liveClient(cfg: { intervalMs: number; modelPath: string; keyColumns: string[] }): void {
    const Chart = (window as unknown as { Chart: ChartCtor }).Chart;
    const palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
    const charts = new Map<string, ChartLike>();
    const byId = (id: string) => document.getElementById(id) as HTMLElement;
    const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    const ago = (s: number | null) =>
        s === null
            ? "no rows yet"
            : s < 0
              ? `in ${-s} s`
              : s < 120
                ? `${s} s ago`
                : s < 7200
                  ? `${Math.round(s / 60)} min ago`
                  : `${Math.round(s / 3600)} h ago`;
    const key = (columns: string[], row: Record<string, unknown>) =>
        columns
            .filter((c) => cfg.keyColumns.includes(c))
            .map((c) => String(row[c] ?? ""))
            .join("|");

    function card(id: string): HTMLCanvasElement {
        let canvas = document.getElementById(`chart-${id}`) as HTMLCanvasElement | null;
        if (!canvas) {
            const div = document.createElement("div");
            div.className = "card";
            canvas = document.createElement("canvas");
            canvas.id = `chart-${id}`;
            div.appendChild(canvas);
            byId("charts").appendChild(div);
        }
        return canvas;
    }

    function draw(id: string, title: string, type: string, data: unknown, extra: Record<string, unknown>): void {
        const existing = charts.get(id);
        if (existing) {
            existing.data = data;
            existing.options.plugins.title.text = title;
            existing.update("none");
            return;
        }
        const options = { animation: false, responsive: true, maintainAspectRatio: false, plugins: { title: { display: true, text: title } }, ...extra };
        charts.set(id, new Chart(card(id), { type, data, options }));
    }

    function render(r: LiveResponse): void {
        const s = r.status;
        byId("status").textContent = s.phase === "ended" ? `Run ended${s.serving ? " (serving until Ctrl-C)" : ""}: ${s.step}` : `${s.phase}: ${s.step}`;
        byId("status").dataset.phase = s.phase;
        const m = r.model;
        if (!m) return;
        byId("updated").textContent = `Lake queried at ${m.generatedAt} in ${m.queryMs} ms; refreshed every ${cfg.intervalMs / 1000} s. Window times in UTC.`;
        byId("errors").textContent = m.errors.join("\n");
        byId("freshness-body").innerHTML = m.outputs
            .map(
                (o) =>
                    `<tr data-output="${esc(o.output)}"><td>${esc(o.output)}</td><td class="num">${o.files}</td>` +
                    `<td>${o.newestMs === null ? "" : new Date(o.newestMs).toISOString().replace("T", " ").slice(0, 19)}</td>` +
                    `<td class="fresh">${ago(o.freshnessSeconds)}</td><td>${esc(o.timeColumn ?? "")}</td></tr>`,
            )
            .join("");
        for (const c of m.lines) {
            const xs = [...new Set(c.series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
            const datasets = c.series.map((s, i) => {
                const at = new Map(s.points.map((p) => [p.x, p.y]));
                const color = palette[i % palette.length];
                return { label: s.name, data: xs.map((x) => at.get(x) ?? null), borderColor: color, backgroundColor: color, pointRadius: 2, spanGaps: true };
            });
            draw(
                c.id,
                xs.length ? c.title : `${c.title}: no closed windows yet`,
                "line",
                { labels: xs.map(hhmm), datasets },
                { scales: { y: { beginAtZero: true } } },
            );
        }
        for (const c of m.bars) {
            const data = { labels: c.bars.map((b) => b.label), datasets: [{ label: c.title, data: c.bars.map((b) => b.value), backgroundColor: "#d62728" }] };
            const title = c.bars.length ? c.title : `${c.title}: none yet`;
            draw(c.id, title, "bar", data, { indexAxis: "y", plugins: { title: { display: true, text: title }, legend: { display: false } } });
        }
        byId("tables").innerHTML = m.tables
            .map((t) => {
                const head = `<h3>${esc(t.name)} <span class="meta">(${t.totalRows} rows${t.totalRows > t.rows.length ? `, first ${t.rows.length} shown` : ""}, ${t.ms} ms)</span></h3>`;
                if (t.error) return `<section class="query" data-query="${esc(t.name)}">${head}<p class="error">${esc(t.error)}</p></section>`;
                const rows = t.rows
                    .map((row) => `<tr data-key="${esc(key(t.columns, row))}">${t.columns.map((c) => `<td>${esc(String(row[c] ?? ""))}</td>`).join("")}</tr>`)
                    .join("");
                return (
                    `<section class="query" data-query="${esc(t.name)}">${head}<div class="scroll"><table><thead><tr>` +
                    `${t.columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr></thead><tbody>${rows}</tbody></table></div></section>`
                );
            })
            .join("");
        document.body.dataset.generatedAt = m.generatedAt;
    }

    let failures = 0;
    async function poll(): Promise<void> {
        let next = cfg.intervalMs;
        try {
            const res = await fetch(cfg.modelPath, { cache: "no-store" });
            if (!res.ok) throw new Error(`HTTP ${res.status}`);
            const r = (await res.json()) as LiveResponse;
            failures = 0;
            render(r);
            if (r.status.phase === "ended" && !r.status.serving) return; // the lake no longer changes and the server is closing
        } catch {
            failures++;
            byId("status").textContent =
                `The server does not answer (the run may have ended; the final page is .local/dashboard.html). Retry ${failures} of 5.`;
            if (failures >= 5) return;
            next = cfg.intervalMs * 2;
        }
        setTimeout(poll, next);
    }
    void poll();
}

/** The live page: a shell, Chart.js from the server, and `liveClient`. Pure. */
export function livePageHtml(title: string, intervalMs = REFRESH_MS): string {
    const cfg = { intervalMs, modelPath: MODEL_PATH, keyColumns: KEY_COLUMNS };
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<link rel="icon" href="data:,">
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}
h1{font-size:20px}h2{font-size:16px;margin-top:24px}h3{font-size:14px}.meta{font-weight:normal;color:#666}
#status{font-weight:600}#status[data-phase=ended]{color:#2a7}
.grid{display:flex;flex-wrap:wrap;gap:16px}.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px;width:560px;height:280px}
table{border-collapse:collapse;font-size:12px;background:#fff}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}td.num{text-align:right}
.scroll{max-height:260px;overflow:auto;display:inline-block}
.error{color:#b00;white-space:pre-wrap}
</style></head><body>
<h1>${esc(title)} <span class="meta">(live)</span></h1>
<p id="status">connecting …</p>
<p id="updated"></p>
<p id="errors" class="error"></p>
<h2>Freshness: how long ago each output's newest window closed (now − max(window_end) in the lake)</h2>
<table id="freshness"><thead><tr><th>output</th><th>files</th><th>newest (UTC)</th><th>freshness</th><th>column</th></tr></thead><tbody id="freshness-body"></tbody></table>
<h2>Charts</h2>
<div id="charts" class="grid"></div>
<h2>Athena queries (sql/athena/, run with DuckDB over the lake as it is now)</h2>
<div id="tables"></div>
<script src="${CHART_JS_PATH}"></script>
<script>(${liveClient.toString()})(${JSON.stringify(cfg)});</script>
</body></html>
`;
}
