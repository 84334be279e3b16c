// A local stand-in for API Gateway (HTTP API, payload 2.0): serves HTTP, turns each request into
// the event Lambda would get, and writes back the handler's result. For `npm run dev` and the
// tests; never deployed.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { LambdaHandler } from "./server.ts";
import { consoleLogger, describeThrown } from "./taskchain/index.ts";

/** API Gateway's own payload limit; the handler enforces the webhook's smaller one. */
const GATEWAY_MAX_BYTES = 10 * 1024 * 1024;
/** The longest API Gateway waits for an integration. */
const GATEWAY_TIMEOUT_MS = 30_000;

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > GATEWAY_MAX_BYTES) {
        resolve(undefined);
        req.removeAllListeners("data");
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Text bodies stay text; anything else arrives base64-encoded, as API Gateway does. */
function isText(contentType: string | undefined): boolean {
  return !contentType || /^(text\/|application\/(json|[\w.+-]*\+json|x-www-form-urlencoded|xml))/i.test(contentType);
}

export function toEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  // Split by hand: `new URL("//a", base)` would read "a" as a host. API Gateway passes the path as sent.
  const target = req.url ?? "/";
  const q = target.indexOf("?");
  const rawPath = q === -1 ? target : target.slice(0, q);
  const rawQueryString = q === -1 ? "" : target.slice(q + 1);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  }
  // Payload 2.0 carries cookies apart from the headers.
  const cookies = headers.cookie?.split(/;\s*/).filter(Boolean);
  delete headers.cookie;
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQueryString)) query[k] = Object.hasOwn(query, k) ? `${query[k]},${v}` : v;
  const now = new Date();
  const method = (req.method ?? "GET").toUpperCase();
  const text = isText(headers["content-type"]);
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(rawQueryString ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: "anonymous",
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: (headers.host ?? "localhost").split(".")[0]!,
      http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: req.socket.remoteAddress ?? "127.0.0.1", userAgent: headers["user-agent"] ?? "" },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: text ? body.toString("utf8") : body.toString("base64") } : {}),
    isBase64Encoded: body.length > 0 && !text,
  };
}

export function createGateway(handler: LambdaHandler): Server {
  return createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      if (body === undefined) {
        res.writeHead(413, { "content-type": "application/json", connection: "close" });
        res.end(JSON.stringify({ message: "Request Entity Too Large" }));
        return;
      }
      // Like Lambda, tell the handler its time left: here API Gateway's 30 s integration limit.
      const until = Date.now() + GATEWAY_TIMEOUT_MS;
      const result = await handler(toEvent(req, body), { getRemainingTimeInMillis: () => until - Date.now() });
      const payload = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8");
      const headers: Record<string, string | number> = { "content-length": payload.length };
      for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = typeof value === "boolean" ? String(value) : value;
      res.writeHead(result.statusCode ?? 200, headers);
      res.end(payload);
    } catch (error) {
      // What API Gateway answers when the function fails.
      consoleLogger.error("handler failed", { error: describeThrown(error) });
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Internal Server Error" }));
    }
  });
}
