// The HTTP side, whatever the server: every adapter (node:http, express, fastify, hono, Workers,
// Lambda) turns its request into an `HttpRequest` and writes back the `HttpAnswer`. Here is decided
// which requests reach a link and which get an error answer.
import type { Link } from "./link.ts";
import { describeIssues, LINK_ACTIONS, LINK_NAME_PATTERN, PayloadSchema, type ErrorBody, type LinkAction, type Payload } from "./protocol.ts";

/** Bodies over this size are refused with 413 by every adapter. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What an adapter hands over. Frameworks that parse JSON themselves pass `json`. */
export interface HttpRequest {
  method: string;
  /** Path and query, e.g. `/pin_vetting?token=…`. */
  url: string;
  authorization?: string | null | undefined;
  /** The `Content-Encoding` header: a compressed body is refused with 415. */
  contentEncoding?: string | null | undefined;
  body?: { text: string } | { json: unknown } | undefined;
  /** The `X-Taskchain-Caller` header: whose session a call-ended notification ends. */
  caller?: string | null | undefined;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function jsonAnswer(status: number, json: string, headers?: Record<string, string>): HttpAnswer {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: json };
}

export function errorAnswer(status: number, error: string, message: string, field?: string, headers?: Record<string, string>): HttpAnswer {
  const body: ErrorBody = field === undefined ? { error, message } : { error, message, field };
  return jsonAnswer(status, JSON.stringify(body), headers);
}

/**
 * Compares without an early exit, so response time says nothing about how much of the token
 * matched; the loop runs over `b` (the secret) whatever `a` is. UTF-16 code units, not UTF-8
 * bytes: encoding would map distinct lone surrogates to the same U+FFFD and call them equal.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a.length === 0 ? 0 : a.charCodeAt(i % a.length)) ^ b.charCodeAt(i);
  return diff === 0;
}

// `\s+` then `\S`: the token starts at the first non-space, so a failed match cannot backtrack
// through a long run of spaces (`\s+(.+)$` would, in quadratic time).
const BEARER = /^Bearer\s+(\S.*)$/i;

/**
 * The bearer header's token, else the first `token` query parameter's. The endpoint URL is pasted
 * into Agent4 by hand, so a base64 token arrives with its `+` raw: form decoding alone would read a
 * space. So percent-escapes are decoded with `+` kept, and the form-decoded value is offered too.
 */
function offeredTokens(request: Omit<HttpRequest, "body">, query: string): string[] {
  const header = request.authorization ? BEARER.exec(request.authorization.trim())?.[1] : undefined;
  if (header !== undefined) return [header];
  const part = query.split("&").find((p) => p.startsWith("token="));
  if (part === undefined) return [];
  const raw = part.slice("token=".length);
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // a stray "%": compare the value as sent
  }
  const form = new URLSearchParams(part).get("token") ?? decoded;
  return form === decoded ? [decoded] : [decoded, form];
}

/** The path without a trailing slash, and the query string ("" when there is none). */
function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  return { path: path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path, query: q === -1 ? "" : url.slice(q + 1) };
}

/**
 * The answer a request gets before its body matters (health, a missing or wrong token, a
 * compressed body), or undefined. Adapters run it before reading the body, so a caller without
 * the token learns nothing from body errors and is not waited for.
 */
export function gate(request: Omit<HttpRequest, "body">, token: string | undefined, linkCount: number): HttpAnswer | undefined {
  const { path, query } = splitUrl(request.url);
  const method = request.method.toUpperCase();
  if (path === "/health") {
    if (method === "GET" || method === "HEAD") return jsonAnswer(200, JSON.stringify({ status: "ok", links: linkCount }));
    return errorAnswer(405, "method_not_allowed", "Use GET for /health", undefined, { allow: "GET, HEAD" });
  }
  if (token !== undefined && !offeredTokens(request, query).some((offered) => constantTimeEqual(offered, token))) {
    return errorAnswer(401, "unauthorized", "Missing or wrong token", undefined, { "www-authenticate": "Bearer" });
  }
  // Agent4 sends plain JSON and only some frameworks would inflate a gzip body, so every runtime
  // refuses a compressed one the same way (RFC 7694), before any complaint about the body.
  const encoding = request.contentEncoding;
  if (encoding && method === "POST" && !/^\s*identity\s*$/i.test(encoding)) {
    const message = `Content-Encoding "${encoding}" is not supported; send the JSON uncompressed`;
    return errorAnswer(415, "unsupported_encoding", message, undefined, { "accept-encoding": "identity" });
  }
  return undefined;
}

const CALL_ENDED = /^\/calls\/([0-9a-f-]{36})\/ended$/i;

/** The key in a call-ended notification's path, `/calls/<key>/ended`; undefined on any other path. */
export function endedCallKey(request: Omit<HttpRequest, "body">): string | undefined {
  return CALL_ENDED.exec(splitUrl(request.url).path)?.[1];
}

const emptyBody = (): HttpAnswer => errorAnswer(400, "invalid_json", "The request body is empty; expected a JSON payload");

/** The request's JSON body, or the 400 it gets. One byte order mark is dropped, as frameworks do. */
function readJson(body: HttpRequest["body"]): { json: unknown } | HttpAnswer {
  if (body === undefined) return emptyBody();
  if ("json" in body) return body;
  const text = body.text.charCodeAt(0) === 0xfeff ? body.text.slice(1) : body.text;
  try {
    return { json: JSON.parse(text) };
  } catch {
    return text.trim() === "" ? emptyBody() : errorAnswer(400, "invalid_json", "The request body is not valid JSON");
  }
}

/**
 * A request the gate let through: the link it is for and its payload, or the error answer. The
 * link comes from the path (`POST /<name>`) or, on `POST /`, from the payload's `name`.
 */
export function route(request: HttpRequest, links: ReadonlyMap<string, Link>): HttpAnswer | { link: Link; payload: Payload } {
  const { path } = splitUrl(request.url);
  const named = path === "/" ? undefined : path.slice(1);
  if (named !== undefined && !LINK_NAME_PATTERN.test(named)) return errorAnswer(404, "not_found", `No route ${path}`);
  if (named !== undefined && !links.has(named)) return errorAnswer(404, "unknown_link", `No link named "${named}" in this chain`);
  if (request.method.toUpperCase() !== "POST") return errorAnswer(405, "method_not_allowed", `Use POST for ${path}`, undefined, { allow: "POST" });

  const body = readJson(request.body);
  if (!("json" in body)) return body;
  const parsed = plainPayload(body.json) ?? PayloadSchema.safeParse(body.json);
  if (!parsed.success) {
    const { field, message } = describeIssues(parsed.error);
    return errorAnswer(400, "invalid_payload", message, field);
  }
  const payload = parsed.data;
  if (named !== undefined && payload.name !== named) {
    return errorAnswer(400, "name_mismatch", `name: "${payload.name}" does not match the path /${named}`, "name");
  }
  const link = links.get(payload.name);
  if (!link) return errorAnswer(404, "unknown_link", `No link named "${payload.name}" in this chain`, "name");
  return { link, payload };
}

/**
 * The payload, as PayloadSchema would parse it, when it is plainly valid; otherwise undefined and
 * the schema decides and names the problem. A shortcut: PayloadSchema alone is about 1 µs of the
 * CPU a webhook call spends in this runtime; `npm run bench` measured the node runtime at 0.84x and
 * 0.88x bare node:http without this function, 0.93x twice with it (target 0.85x).
 */
function plainPayload(raw: unknown): { success: true; data: Payload } | undefined {
  if (!isPlain(raw)) return undefined;
  const { name, action, call_from, call_forwarded_by, context } = raw;
  if (typeof name !== "string" || name === "" || !isText(call_from) || !isText(call_forwarded_by) || !isLinkAction(action)) return undefined;
  // A context the schema would copy differently (another prototype, an own "__proto__" key) takes the schema's path.
  if (context !== undefined && context !== null && !(isPlain(context) && !Object.hasOwn(context, "__proto__"))) return undefined;
  const data: Payload = { name, action, call_from: call_from ?? "", call_forwarded_by: call_forwarded_by ?? "" };
  if (context !== undefined) data.context = context;
  return { success: true, data };
}

/** A string, or absent as the schema allows (undefined or null). */
const isText = (value: unknown): value is string | null | undefined => value == null || typeof value === "string";
const isLinkAction = (value: unknown): value is LinkAction => (LINK_ACTIONS as readonly unknown[]).includes(value);

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
