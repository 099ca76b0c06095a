/**
 * The live dashboard's HTTP server, on 127.0.0.1 only: the page (local/dashboard-page.ts), Chart.js from
 * node_modules, and the model as JSON (`GET /api/model`, built on demand by the `model` function it is
 * given, e.g. local/dashboard-model.ts `liveModel`). Requests for another host name are refused (403), so a
 * web page elsewhere cannot read it through DNS rebinding.
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { AddressInfo } from "net";
import { LiveModel } from "./dashboard-model";
import { CHART_JS_PATH, livePageHtml, LiveResponse, LiveStatus, MODEL_PATH, REFRESH_MS } from "./dashboard-page";

export interface DashboardServerOptions {
    /** 0 (default): a free port. */
    port?: number;
    title: string;
    /** Builds the model of the lake as it is now; null while there is nothing to query yet. */
    model: () => Promise<LiveModel | null>;
    /** A model younger than this is served again instead of querying the lake again (ms). Default 500. */
    reuseMs?: number;
    refreshMs?: number;
}

export interface DashboardServer {
    url: string;
    port: number;
    status: LiveStatus;
    /** Updates what the page shows as the run's state. */
    setStatus(s: Partial<LiveStatus>): void;
    close(): Promise<void>;
}

/** The Chart.js UMD build in node_modules (the package's exports hide dist/, so it is found next to its main file). */
export function chartJsFile(): string {
    return path.join(path.dirname(require.resolve("chart.js")), "chart.umd.min.js");
}

export async function startDashboardServer(o: DashboardServerOptions): Promise<DashboardServer> {
    const page = livePageHtml(o.title, o.refreshMs ?? REFRESH_MS);
    const chartJs = fs.readFileSync(chartJsFile());
    const reuseMs = o.reuseMs ?? 500;
    const status: LiveStatus = { phase: "starting", step: "setup", serving: false };
    let last: { at: number; model: LiveModel | null } | undefined;
    let inFlight: Promise<LiveModel | null> | undefined;
    const model = (): Promise<LiveModel | null> => {
        if (last && Date.now() - last.at < reuseMs) return Promise.resolve(last.model);
        inFlight ??= o
            .model()
            .then((m) => ((last = { at: Date.now(), model: m }), m))
            .finally(() => (inFlight = undefined));
        return inFlight;
    };
    let port = 0;
    const send = (res: http.ServerResponse, code: number, type: string, body: string | Buffer) => {
        res.writeHead(code, { "Content-Type": type, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" });
        res.end(body);
    };
    const server = http.createServer((req, res) => {
        const host = req.headers.host ?? "";
        if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return send(res, 403, "text/plain", "forbidden host\n");
        if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "method not allowed\n");
        const url = new URL(req.url ?? "/", `http://${host}`);
        if (url.pathname === "/") return send(res, 200, "text/html; charset=utf-8", page);
        if (url.pathname === CHART_JS_PATH) return send(res, 200, "text/javascript; charset=utf-8", chartJs);
        if (url.pathname === MODEL_PATH) {
            model().then(
                (m) => send(res, 200, "application/json", JSON.stringify({ status, model: m } satisfies LiveResponse)),
                (e: Error) => send(res, 500, "application/json", JSON.stringify({ error: e.message.split("\n")[0] })),
            );
            return;
        }
        send(res, 404, "text/plain", "not found\n");
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", (e) => reject(new Error(`the dashboard cannot listen on 127.0.0.1:${o.port ?? 0}: ${e.message}`)));
        server.listen(o.port ?? 0, "127.0.0.1", () => resolve());
    });
    port = (server.address() as AddressInfo).port;
    return {
        url: `http://127.0.0.1:${port}/`,
        port,
        status,
        setStatus: (s) => void Object.assign(status, s),
        close: async () => {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
            await inFlight?.catch(() => undefined);
        },
    };
}
