// A local stand-in for ShipStation's V1 and V2 APIs (node:http on 127.0.0.1, no network), serving
// the fixtures with the documented shapes, auth, filters and errors. Tests queue `trouble` to make
// the next requests fail the ways the real API does: 401, 429, 5xx, a hang, a body that is not JSON.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { V1, V1_KEY, V1_SECRET, V2, V2_KEY } from "./fixtures.js";

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
}

export type Trouble =
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: string }
  | { kind: "hang" }
  | { kind: "malformed" };

export interface FakeShipStation {
  url: string;
  requests: SeenRequest[];
  /** The next `times` requests whose path starts with `path` (default: all) get this trouble instead. */
  trouble(trouble: Trouble, options?: { path?: string; times?: number }): void;
  reset(): void;
  close(): Promise<void>;
}

const V1_AUTH = `Basic ${Buffer.from(`${V1_KEY}:${V1_SECRET}`).toString("base64")}`;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function paged<T>(items: T[], query: URLSearchParams, sizeName: string, pageName = "page") {
  const size = Math.max(1, Number(query.get(sizeName) ?? 100));
  const page = Math.max(1, Number(query.get(pageName) ?? 1));
  return { items: items.slice((page - 1) * size, page * size), total: items.length, page, pages: Math.ceil(items.length / size) };
}

// Like V1's documented filter: "starts with". The V2 filter is treated the same, so the client's
// own exact match is what the tests exercise.
const startsWith = (value: unknown, prefix: string | null) => prefix === null || (typeof value === "string" && value.startsWith(prefix));

function v1(path: string, query: URLSearchParams, res: ServerResponse): void {
  const number = query.get("orderNumber");
  if (path === "/orders") {
    const p = paged(V1.orders.filter((o) => startsWith(o.orderNumber, number)), query, "pageSize");
    return json(res, 200, { orders: p.items, total: p.total, page: p.page, pages: p.pages });
  }
  if (path === "/shipments") {
    const p = paged(V1.shipments.filter((s) => startsWith(s.orderNumber, number)), query, "pageSize");
    return json(res, 200, { shipments: p.items, total: p.total, page: p.page, pages: p.pages });
  }
  if (path === "/fulfillments") {
    const p = paged(V1.fulfillments.filter((f) => startsWith(f.orderNumber, number)), query, "pageSize");
    return json(res, 200, { fulfillments: p.items, total: p.total, page: p.page, pages: p.pages });
  }
  json(res, 404, { Message: `No HTTP resource was found that matches the request URI '${path}'.` });
}

function links(base: string) {
  return { first: { href: `${base}?page=1` }, last: { href: `${base}?page=1` }, prev: {}, next: {} };
}

function v2(path: string, query: URLSearchParams, res: ServerResponse): void {
  if (path === "/v2/shipments") {
    const p = paged(V2.shipments.filter((s) => startsWith(s.shipment_number, query.get("shipment_number"))), query, "page_size");
    return json(res, 200, { shipments: p.items, total: p.total, page: p.page, pages: p.pages, links: links(path) });
  }
  if (path === "/v2/labels") {
    const id = query.get("shipment_id");
    const p = paged(V2.labels.filter((l) => id === null || l.shipment_id === id), query, "page_size");
    return json(res, 200, { labels: p.items, total: p.total, page: p.page, pages: p.pages, links: links(path) });
  }
  json(res, 404, v2Error("not_found", "The requested resource was not found."));
}

function v2Error(code: string, message: string) {
  return { request_id: "aa3d8e8e-462b-4476-9618-72db7f7b7009", errors: [{ error_source: "shipstation", error_type: "system", error_code: code, message }] };
}

export async function startFakeShipStation(options: { port?: number; host?: string } = {}): Promise<FakeShipStation> {
  const requests: SeenRequest[] = [];
  let troubles: Array<{ trouble: Trouble; path: string; times: number }> = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const path = url.pathname;
    requests.push({ method: req.method ?? "GET", path, query: url.searchParams, headers: req.headers });

    const queued = troubles.find((t) => path.startsWith(t.path) && t.times > 0);
    if (queued) {
      queued.times--;
      const { trouble } = queued;
      if (trouble.kind === "hang") return; // never answers; close() cuts the socket
      if (trouble.kind === "malformed") {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end("<html><body>502 Bad Gateway</body></html>");
      }
      res.writeHead(trouble.status, { "content-type": "application/json", ...trouble.headers });
      return res.end(trouble.body ?? "");
    }

    // For `npm run shipstation:fake` and scripts that wait for it to be up; the real API has no such route.
    if (path === "/health") return json(res, 200, { status: "ok" });
    if (req.method !== "GET") return json(res, 405, { Message: "The requested resource does not support this method." });
    if (path.startsWith("/v2/")) {
      if (req.headers["api-key"] !== V2_KEY) {
        return json(res, 401, { request_id: "aa3d8e8e-462b-4476-9618-72db7f7b7009", errors: [{ error_source: "shipstation", error_type: "security", error_code: "unauthorized", message: "The API key is invalid. Please see https://www.shipstation.com/docs/api/" }] });
      }
      return v2(path, url.searchParams, res);
    }
    if (req.headers.authorization !== V1_AUTH) return json(res, 401, { Message: "Authorization has been denied for this request." });
    v1(path, url.searchParams, res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    trouble(trouble, { path = "/", times = 1 } = {}) {
      troubles.push({ trouble, path, times });
    },
    reset() {
      troubles = [];
      requests.length = 0;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
