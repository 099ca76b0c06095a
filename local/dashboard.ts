/**
 * `.local/dashboard.html`: a self-contained page (no scripts, no CDN) with inline SVG charts of active
 * users and clicks per minute by site and by country, and rejected events by reason, plus the Athena
 * query results. Chart building is pure: data in, SVG text out.
 */

export interface SeriesPoint {
    x: number; // epoch ms (window start)
    y: number;
}

export interface LineChart {
    id: string;
    title: string;
    series: { name: string; points: SeriesPoint[] }[];
}

export interface BarChart {
    id: string;
    title: string;
    bars: { label: string; value: number }[];
}

const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** An SVG line chart; one `<circle class="pt">` per data point, one legend entry per series. */
export function lineChartSvg(c: LineChart, width = 640, height = 260): string {
    const pad = { l: 48, r: 130, t: 28, b: 30 };
    const pts = c.series.flatMap((s) => s.points);
    const total = pts.length;
    if (total === 0)
        return `<svg class="chart" id="${c.id}" data-points="0" width="${width}" height="60"><text x="8" y="30">${esc(c.title)}: no closed windows yet</text></svg>`;
    const xs = pts.map((p) => p.x);
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    const yMax = Math.max(1, ...pts.map((p) => p.y));
    const sx = (x: number) => pad.l + (x1 === x0 ? 0.5 : (x - x0) / (x1 - x0)) * (width - pad.l - pad.r);
    const sy = (y: number) => height - pad.b - (y / yMax) * (height - pad.t - pad.b);
    const parts: string[] = [];
    parts.push(`<text x="${pad.l}" y="16" class="title">${esc(c.title)}</text>`);
    parts.push(`<line x1="${pad.l}" y1="${height - pad.b}" x2="${width - pad.r}" y2="${height - pad.b}" stroke="#999"/>`);
    parts.push(`<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${height - pad.b}" stroke="#999"/>`);
    for (const f of [0, 0.5, 1]) {
        const v = Math.round(yMax * f);
        parts.push(`<text x="${pad.l - 6}" y="${sy(v) + 4}" text-anchor="end" class="axis">${v}</text>`);
    }
    const ticks = [...new Set(xs)].sort((a, b) => a - b);
    const every = Math.max(1, Math.ceil(ticks.length / 8));
    ticks.forEach((t, i) => {
        if (i % every === 0) parts.push(`<text x="${sx(t)}" y="${height - pad.b + 16}" text-anchor="middle" class="axis">${hhmm(t)}</text>`);
    });
    c.series.forEach((s, i) => {
        const color = COLORS[i % COLORS.length];
        const sorted = [...s.points].sort((a, b) => a.x - b.x);
        parts.push(
            `<polyline fill="none" stroke="${color}" stroke-width="2" points="${sorted.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(" ")}"/>`,
        );
        for (const p of sorted)
            parts.push(
                `<circle class="pt" cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${color}"><title>${esc(s.name)} ${hhmm(p.x)}: ${p.y}</title></circle>`,
            );
        parts.push(`<rect x="${width - pad.r + 10}" y="${pad.t + i * 16 - 9}" width="10" height="10" fill="${color}"/>`);
        parts.push(`<text class="legend" x="${width - pad.r + 24}" y="${pad.t + i * 16}">${esc(s.name)}</text>`);
    });
    return `<svg class="chart" id="${c.id}" data-points="${total}" data-series="${c.series.length}" width="${width}" height="${height}" role="img" aria-label="${esc(c.title)}">${parts.join("")}</svg>`;
}

/** An SVG horizontal bar chart; one `<rect class="bar">` per bar, labelled with its value. */
export function barChartSvg(c: BarChart, width = 640): string {
    const rowH = 24;
    const pad = { l: 200, r: 60, t: 28 };
    const height = pad.t + Math.max(1, c.bars.length) * rowH + 10;
    const max = Math.max(1, ...c.bars.map((b) => b.value));
    const parts = [`<text x="8" y="16" class="title">${esc(c.title)}</text>`];
    if (c.bars.length === 0) parts.push(`<text x="8" y="${pad.t + 14}">none</text>`);
    c.bars.forEach((b, i) => {
        const y = pad.t + i * rowH;
        const w = Math.max(1, (b.value / max) * (width - pad.l - pad.r));
        parts.push(`<text class="label" x="${pad.l - 8}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>`);
        parts.push(
            `<rect class="bar" x="${pad.l}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="#d62728"><title>${esc(b.label)}: ${b.value}</title></rect>`,
        );
        parts.push(`<text class="value" x="${pad.l + w + 6}" y="${y + 15}">${b.value}</text>`);
    });
    return `<svg class="chart" id="${c.id}" data-bars="${c.bars.length}" width="${width}" height="${height}" role="img" aria-label="${esc(c.title)}">${parts.join("")}</svg>`;
}

/** Groups rows `{ws, key, value}` into series by key. Pure. */
export function toSeries(rows: { ws: number; key: string; value: number }[]): LineChart["series"] {
    const by = new Map<string, SeriesPoint[]>();
    for (const r of rows) {
        if (!by.has(r.key)) by.set(r.key, []);
        by.get(r.key)!.push({ x: r.ws, y: r.value });
    }
    return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, points]) => ({ name, points }));
}

export interface DashboardData {
    title: string;
    generatedAt: string;
    summary: string[];
    lines: LineChart[];
    bars: BarChart[];
    tables: { name: string; columns: string[]; rows: Record<string, unknown>[]; error?: string }[];
}

export function dashboardHtml(d: DashboardData): string {
    const table = (t: DashboardData["tables"][number]) =>
        t.error
            ? `<p class="error">${esc(t.error)}</p>`
            : `<table><thead><tr>${t.columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr></thead><tbody>${t.rows
                  .slice(0, 50)
                  .map((r) => `<tr>${t.columns.map((c) => `<td>${esc(String(r[c] ?? ""))}</td>`).join("")}</tr>`)
                  .join("")}</tbody></table>${t.rows.length > 50 ? `<p>${t.rows.length - 50} more rows</p>` : ""}`;
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(d.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;background:#fafafa}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
.grid{display:flex;flex-wrap:wrap;gap:16px}.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px}
.title{font-weight:600;font-size:13px}.axis,.legend,.label,.value{font-size:11px}
table{border-collapse:collapse;font-size:12px;background:#fff}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}
.error{color:#b00}ul{font-size:13px}
</style></head><body>
<h1>${esc(d.title)}</h1>
<p>Generated ${esc(d.generatedAt)} from the local lake (.local/lake) — window times in UTC.</p>
<ul>${d.summary.map((s) => `<li>${esc(s)}</li>`).join("")}</ul>
<div class="grid">${d.lines.map((c) => `<div class="card">${lineChartSvg(c)}</div>`).join("")}${d.bars.map((c) => `<div class="card">${barChartSvg(c)}</div>`).join("")}</div>
<h2>Athena queries (sql/athena/, run with DuckDB)</h2>
${d.tables.map((t) => `<h3>${esc(t.name)}</h3>${table(t)}`).join("\n")}
</body></html>
`;
}
