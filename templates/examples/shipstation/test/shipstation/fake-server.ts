// A local stand-in for ShipStation's V1 and V2 APIs (node:http on 127.0.0.1, no network), serving
// the fixtures with the documented shapes, auth, filters and errors. Tests queue `trouble` to make
// the next requests fail the ways the real API does: 401, 429, 5xx, a hang, a body that is not JSON,
// or a rate limit that holds for some seconds.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { V1, V1_KEY, V1_SECRET, V2, V2_KEY } from "./fixtures.ts";

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
}

export type Trouble =
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: string }
  | { kind: "hang" }
  | { kind: "malformed" }
  /**
   * Over the rate limit for `seconds` from the first request it meets: until then every request
   * gets 429 with `header` (X-Rate-Limit-Reset or Retry-After) saying how many seconds are left,
   * so a client that retries without waiting them out is refused again.
   */
  | { kind: "rate_limit"; seconds: number; header: string };

export interface FakeShipStation {
  url: string;
  requests: SeenRequest[];
  /**
   * The next `times` requests whose path starts with `path` (default: all), and that ask for
   * `page` when it is given, get this trouble instead (rate_limit: until its time is up).
   */
  trouble(trouble: Trouble, options?: { path?: string; page?: number; times?: number }): void;
  /**
   * Serve at most `size` items per page until reset(), as a store with many orders starting with
   * the same digits would need more pages than the fixtures fill.
   */
  limitPageSize(size: number): void;
  reset(): void;
  close(): Promise<void>;
}

const V1_AUTH = `Basic ${Buffer.from(`${V1_KEY}:${V1_SECRET}`).toString("base64")}`;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Pages as the APIs cut them: `size` asked for (default `fallback`), at most `limit`; `page` from 1. */
function paged<T>(items: T[], query: URLSearchParams, sizeName: string, fallback: number, limit: number) {
  const size = Math.min(limit, Math.max(1, Number(query.get(sizeName) ?? fallback) || fallback));
  const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
  return { items: items.slice((page - 1) * size, page * size), total: items.length, page, pages: Math.ceil(items.length / size) };
}

/** `sortBy`/`sort_by` over a date field, ascending unless `dir` says desc. */
function sorted<T>(items: T[], field: ((item: T) => string) | undefined, dir: string | null): T[] {
  if (!field) return items;
  const sign = dir?.toLowerCase() === "desc" ? -1 : 1;
  return [...items].sort((a, b) => sign * field(a).localeCompare(field(b)));
}

// Like V1's documented filter: "starts with". The V2 filter is treated the same, so the client's
// own exact match is what the tests exercise.
const startsWith = (value: unknown, prefix: string | null) => prefix === null || (typeof value === "string" && value.startsWith(prefix));

function v1(path: string, query: URLSearchParams, res: ServerResponse, limit: number): void {
  const number = query.get("orderNumber");
  // V1 pages hold up to 500 (default 100).
  const page = <T>(items: T[]) => paged(items, query, "pageSize", 100, Math.min(limit, 500));
  if (path === "/orders") {
    const field = query.get("sortBy") === "OrderDate" ? (o: (typeof V1.orders)[number]) => o.orderDate : undefined;
    const p = page(sorted(V1.orders.filter((o) => startsWith(o.orderNumber, number)), field, query.get("sortDir")));
    return json(res, 200, { orders: p.items, total: p.total, page: p.page, pages: p.pages });
  }
  if (path === "/shipments") {
    const p = page(V1.shipments.filter((s) => startsWith(s.orderNumber, number)));
    return json(res, 200, { shipments: p.items, total: p.total, page: p.page, pages: p.pages });
  }
  if (path === "/fulfillments") {
    const p = page(V1.fulfillments.filter((f) => startsWith(f.orderNumber, number)));
    return json(res, 200, { fulfillments: p.items, total: p.total, page: p.page, pages: p.pages });
  }
  json(res, 404, { Message: `No HTTP resource was found that matches the request URI '${path}'.` });
}

/** The OpenAPI `pagination_link`: first and last always, prev and next when there are such pages. */
function links(path: string, query: URLSearchParams, page: number, pages: number) {
  const href = (n: number) => {
    const q = new URLSearchParams(query);
    q.set("page", String(n));
    return { href: `https://api.shipstation.com${path}?${q}` };
  };
  return { first: href(1), last: href(Math.max(1, pages)), prev: page > 1 ? href(page - 1) : {}, next: page < pages ? href(page + 1) : {} };
}

function v2(path: string, query: URLSearchParams, res: ServerResponse, limit: number): void {
  // V2 pages default to 25.
  const page = <T>(items: T[]) => paged(items, query, "page_size", 25, limit);
  const dir = query.get("sort_dir") ?? "desc";
  if (path === "/v2/shipments") {
    const field = query.get("sort_by") === "created_at" ? (s: (typeof V2.shipments)[number]) => s.created_at : undefined;
    const p = page(sorted(V2.shipments.filter((s) => startsWith(s.shipment_number, query.get("shipment_number"))), field, dir));
    // The shipments list's schema says pages >= 1, even when it is empty.
    const pages = Math.max(1, p.pages);
    return json(res, 200, { shipments: p.items, total: p.total, page: p.page, pages, links: links(path, query, p.page, pages) });
  }
  if (path === "/v2/labels") {
    const id = query.get("shipment_id");
    const p = page(sorted(V2.labels.filter((l) => id === null || l.shipment_id === id), (l) => l.created_at, dir));
    return json(res, 200, { labels: p.items, total: p.total, page: p.page, pages: p.pages, links: links(path, query, p.page, p.pages) });
  }
  json(res, 404, v2Error("not_found", "The requested resource was not found."));
}

function v2Error(code: string, message: string, type = "system") {
  return { request_id: "aa3d8e8e-462b-4476-9618-72db7f7b7009", errors: [{ error_source: "shipstation", error_type: type, error_code: code, message }] };
}

export async function startFakeShipStation(options: { port?: number; host?: string } = {}): Promise<FakeShipStation> {
  const requests: SeenRequest[] = [];
  let troubles: Array<{ trouble: Trouble; path: string; page?: number; times: number; until?: number }> = [];
  let pageLimit = Number.POSITIVE_INFINITY;
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const path = url.pathname;
    requests.push({ method: req.method ?? "GET", path, query: url.searchParams, headers: req.headers });

    const page = Number(url.searchParams.get("page") ?? 1);
    const queued = troubles.find((t) => path.startsWith(t.path) && (t.page === undefined || t.page === page) && t.times > 0);
    if (queued?.trouble.kind === "rate_limit") {
      const now = Date.now();
      queued.until ??= now + queued.trouble.seconds * 1000;
      // A few ms of slack: a timer may fire a hair early by Date.now()'s clock.
      if (now < queued.until - 25) {
        const left = Math.ceil((queued.until - now) / 1000);
        const body = path.startsWith("/v2/") ? v2Error("rate_limit_exceeded", "You have exceeded the rate limit.") : { Message: "Too Many Requests" };
        return json(res, 429, body, { [queued.trouble.header]: String(left) });
      }
      queued.times = 0;
    } else if (queued) {
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
        return json(res, 401, v2Error("unauthorized", "The API key is invalid. Please see https://www.shipstation.com/docs/api/", "security"));
      }
      return v2(path, url.searchParams, res, pageLimit);
    }
    if (req.headers.authorization !== V1_AUTH) return json(res, 401, { Message: "Authorization has been denied for this request." });
    v1(path, url.searchParams, res, pageLimit);
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
    trouble(trouble, { path = "/", page, times = 1 } = {}) {
      troubles.push({ trouble, path, page, times });
    },
    limitPageSize(size) {
      pageLimit = size;
    },
    reset() {
      troubles = [];
      pageLimit = Number.POSITIVE_INFINITY;
      requests.length = 0;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
