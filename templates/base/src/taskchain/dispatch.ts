// Runtime-agnostic request handling: every server adapter (node:http, express, fastify, hono,
// Workers, Lambda) turns its request into an `HttpRequest` and writes back the `HttpAnswer`.
import { endCall } from "./actions.ts";
import type { CallInfo, CallState, Link, Reply } from "./link.ts";
import { toParameterBlock } from "./parameters.ts";
import {
  LINK_NAME_PATTERN,
  PARAMETER_BLOCKS,
  ParameterBlockSchema,
  PayloadSchema,
  ResponseSchema,
  describeIssues,
  type ErrorBody,
  type LinkAction,
  type ParameterBlock,
  type Payload,
  type TaskchainResponse,
} from "./protocol.ts";
import { MemorySessionStore, type Session, type SessionStore } from "./session.ts";

/** Bodies over this size are refused with 413 by every adapter. */
export const MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_SESSION_TTL_MS = 30 * 60 * 1000;
/** How often the default fallback asks again for context that did not parse, per link and call. */
export const INVALID_CONTEXT_RETRIES = 2;

export const APOLOGY = "I'm sorry, something went wrong on our side. Please bear with me.";
export const INVALID_CONTEXT_RETRY = "Sorry, I didn't get all of that. Let's try that again.";
export const INVALID_CONTEXT_GIVE_UP = "I'm sorry, I couldn't complete that right now. Please call us again later. Goodbye.";

export interface Logger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** One JSON line per event on stderr: readable locally, parseable by log collectors. */
export const consoleLogger: Logger = {
  info: (message, meta) => console.error(JSON.stringify({ level: "info", message, ...meta })),
  warn: (message, meta) => console.error(JSON.stringify({ level: "warn", message, ...meta })),
  error: (message, meta) => console.error(JSON.stringify({ level: "error", message, ...meta })),
};
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export interface TaskchainOptions {
  /** The links, in chain order. */
  links: readonly Link[];
  store?: SessionStore;
  /** When set, every route but `/health` needs `Authorization: Bearer <token>` or `?token=<token>`. */
  token?: string | undefined;
  sessionTtlMs?: number;
  logger?: Logger;
  /** Spoken when a handler throws or returns something invalid. */
  apology?: string;
}

/** What an adapter hands over. Frameworks that parse JSON themselves pass `json`. */
export interface HttpRequest {
  method: string;
  /** Path and query, e.g. `/pin_vetting?token=…`. */
  url: string;
  authorization?: string | null | undefined;
  /** The `Content-Encoding` header: a compressed body is refused with 415. */
  contentEncoding?: string | null | undefined;
  body?: { text: string } | { json: unknown } | undefined;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Taskchain {
  readonly links: readonly Link[];
  handle(request: HttpRequest): Promise<HttpAnswer>;
  /**
   * The answer a request gets before its body matters (health, a missing or wrong token, a
   * compressed body), or undefined. handle() runs it too; adapters call it before reading the body,
   * so a caller without the token learns nothing from body errors and is not kept waiting for it.
   */
  gate(request: Omit<HttpRequest, "body">): HttpAnswer | undefined;
  /** The JSON body of an error answer, for adapters that detect errors themselves (413, bad JSON). */
  error(status: number, error: string, message: string): HttpAnswer;
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };
/** The response without its parameter blocks: what a handler's reply can get wrong on each request. */
const ReplySchema = ResponseSchema.omit({ qualified_parameters: true, disqualified_parameters: true, interrupt_parameters: true });

export function errorAnswer(status: number, error: string, message: string, field?: string): HttpAnswer {
  const body: ErrorBody = field === undefined ? { error, message } : { error, message, field };
  return { status, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

// Module level, not a closure per request: tsx (what `npm start` runs) names every closure it makes.
const emptyBody = (): HttpAnswer => errorAnswer(400, "invalid_json", "The request body is empty; expected a JSON payload");

const NOT_JSON = Symbol("not JSON");

function parseJson(text: string): unknown {
  // One UTF-8 byte order mark is dropped, as the frameworks' parsers do; a second is not JSON.
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return NOT_JSON;
  }
}

function jsonAnswer(status: number, value: unknown, headers?: Record<string, string>): HttpAnswer {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(value) };
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
// through the spaces. `\s+(.+)$` took quadratic time on "Bearer", 16,000 spaces and a line
// separator (100 ms a request).
const BEARER = /^Bearer\s+(\S.*)$/i;

function bearer(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  return BEARER.exec(header.trim())?.[1];
}

/**
 * The first `token` query parameter. The endpoint URL is pasted into Agent4 by hand, so a base64
 * token (`openssl rand -base64 32`) arrives with its `+` raw: form decoding alone would read a
 * space and refuse it. Percent-escapes are decoded and `+` kept; the form-decoded value is tried too.
 */
function queryTokens(query: string): string[] {
  for (const part of query.split("&")) {
    if (!part.startsWith("token=")) continue;
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
  return [];
}

/** A thrown value as one line, whatever was thrown: String() itself throws for some objects. */
function describeThrown(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The payload when it is plainly valid, as PayloadSchema would parse it (known keys only,
 * call_forwarded_by defaulting to ""); otherwise undefined, and PayloadSchema decides and names
 * the problem. zod took a large share of each request for a check this simple.
 */
function commonPayload(raw: unknown): Payload | undefined {
  if (!isPlainObject(raw)) return undefined;
  const { name, action, call_from, call_forwarded_by, context } = raw;
  if (typeof name !== "string" || name === "" || typeof call_from !== "string") return undefined;
  if (action !== "initial" && action !== "qualified" && action !== "disqualified" && action !== "interrupt") return undefined;
  if (call_forwarded_by !== undefined && typeof call_forwarded_by !== "string") return undefined;
  // Contexts zod would copy differently (odd prototypes, an own "__proto__" key) take the schema path.
  if (context !== undefined && context !== null && !(isPlainObject(context) && !Object.hasOwn(context, "__proto__"))) return undefined;
  const payload: Payload = { name, action, call_from, call_forwarded_by: call_forwarded_by ?? "" };
  if (context !== undefined) payload.context = context;
  return payload;
}

/** The caller: `call_from` and `call_forwarded_by`, length-prefixed so no two pairs share an id. */
export function sessionId(payload: Pick<Payload, "call_from" | "call_forwarded_by">): string {
  return `${payload.call_from.length}:${payload.call_from}:${payload.call_forwarded_by}`;
}

/** The UUID pattern `z.uuid()` checks (RFC 9562 versions 1–8, nil and max). */
const UUID_PATTERN = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;

const IDENTITY = /^\s*identity\s*$/i;

const newSession = (): Session => ({ key: crypto.randomUUID(), state: {}, retries: {} });

function endsCall(actions: TaskchainResponse["actions"]): boolean {
  return (actions ?? []).some((a) => a.name === "end_call" || a.name === "transfer_call");
}

function movesOn(actions: TaskchainResponse["actions"]): boolean {
  return (actions ?? []).some((a) => a.name === "next_task" || a.name === "switch_task");
}

export function createTaskchain(options: TaskchainOptions): Taskchain {
  const links = new Map<string, Link>();
  for (const link of options.links) {
    if (!LINK_NAME_PATTERN.test(link.name)) throw new Error(`Link name "${link.name}" is not a valid Agent4 link name`);
    if (links.has(link.name)) throw new Error(`Link "${link.name}" is registered twice`);
    links.set(link.name, link);
  }
  // Converted, checked and serialised once per link: they are most of an initial answer's JSON,
  // which is then the reply's JSON with this tail spliced in.
  const blocks = new Map<string, { json: string; problem: string | undefined }>();
  for (const link of options.links) {
    const { qualified, disqualified, interrupt } = link.parameters;
    const own: Partial<Record<(typeof PARAMETER_BLOCKS)[number], ParameterBlock>> = {
      ...(qualified && { qualified_parameters: toParameterBlock(qualified) }),
      ...(disqualified && { disqualified_parameters: toParameterBlock(disqualified) }),
      ...(interrupt && { interrupt_parameters: toParameterBlock(interrupt) }),
    };
    let problem: string | undefined;
    for (const name of PARAMETER_BLOCKS) {
      const parsed = own[name] === undefined ? undefined : ParameterBlockSchema.safeParse(own[name]);
      const issue = parsed && !parsed.success ? describeIssues(parsed.error) : undefined;
      problem ??= issue && (issue.field ? `${name}.${issue.message}` : `${name}: ${issue.message}`);
    }
    const json = JSON.stringify(own);
    blocks.set(link.name, { json: json === "{}" ? "" : `,${json.slice(1, -1)}`, problem });
  }
  const store = options.store ?? new MemorySessionStore();
  const ttl = options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const logger = options.logger ?? consoleLogger;
  const apology = options.apology ?? APOLOGY;
  const token = options.token || undefined;

  async function runHandler(link: Link, payload: Payload, session: Session, call: CallInfo): Promise<Reply> {
    const state: Readonly<CallState> = session.state;
    const action: LinkAction = payload.action;
    if (action === "initial") return link.initial({ call, state });
    if (action === "interrupt") {
      const schema = link.parameters.interrupt;
      let context: unknown;
      if (payload.context != null && schema) {
        const parsed = schema.safeParse(payload.context);
        if (parsed.success) context = parsed.data;
        else logger.warn("interrupt context did not parse", { link: link.name, problem: describeIssues(parsed.error).message });
      }
      return link.interrupt ? link.interrupt({ call, state, context: context as never }) : {};
    }
    const schema = link.parameters[action];
    if (!schema) return link[action]({ call, state, context: (payload.context ?? {}) as never });
    const parsed = schema.safeParse(payload.context ?? {});
    if (parsed.success) return link[action]({ call, state, context: parsed.data as never });

    const problem = describeIssues(parsed.error).message;
    // Own keys only: a link named "constructor" must not read Object.prototype.constructor.
    const attempt = Object.hasOwn(session.retries, link.name) ? (session.retries[link.name] ?? 0) : 0;
    session.retries = { ...session.retries, [link.name]: attempt + 1 };
    logger.warn("context did not parse; answering with the fallback", { link: link.name, action, problem, attempt });
    if (link.invalidContext) return link.invalidContext({ call, state, action, raw: payload.context, problem, attempt });
    return attempt < INVALID_CONTEXT_RETRIES
      ? { content: INVALID_CONTEXT_RETRY, actions: [{ name: "switch_task", context: { name: link.name } }] }
      : { content: INVALID_CONTEXT_GIVE_UP, actions: [endCall()] };
  }

  /** The answer without its parameter blocks (they are spliced into the JSON of an initial answer). */
  function buildResponse(key: string, reply: Reply): TaskchainResponse {
    const response: TaskchainResponse = { key, content: reply.content ?? "" };
    if (reply.actions?.length) response.actions = reply.actions;
    if (reply.state && Object.keys(reply.state).length) response.state = reply.state;
    if (reply.additional_call_notifications?.length) response.additional_call_notifications = reply.additional_call_notifications;
    return response;
  }

  function serialise(link: Link, payload: Payload, response: TaskchainResponse): string {
    const json = JSON.stringify(response);
    return payload.action === "initial" ? json.slice(0, -1) + blocks.get(link.name)!.json + "}" : json;
  }

  /** Why a reply cannot be sent as it is, or undefined when it can. */
  function problemWith(link: Link, payload: Payload, response: TaskchainResponse): string | undefined {
    // The commonest reply, `{ content }`, needs no schema walk; anything more goes through zod.
    const plain = typeof response.content === "string" && response.actions === undefined && response.state === undefined && response.additional_call_notifications === undefined;
    if (plain) {
      if (typeof response.key !== "string" || !UUID_PATTERN.test(response.key)) return "key: Invalid UUID";
    } else {
      const parsed = ReplySchema.safeParse(response);
      if (!parsed.success) return describeIssues(parsed.error).message;
    }
    if (payload.action === "initial") {
      const problem = blocks.get(link.name)!.problem;
      if (problem) return problem;
    }
    for (const action of response.actions ?? []) {
      if (action.name === "switch_task" && !links.has(action.context.name)) {
        return `switch_task targets "${action.context.name}", which is not a link of this chain`;
      }
    }
    return undefined;
  }

  async function answer(link: Link, payload: Payload): Promise<HttpAnswer> {
    const id = sessionId(payload);
    let session: Session;
    try {
      session = await store.open(id, newSession, ttl);
    } catch (error) {
      // No session (Redis or KV unreachable): the handler would run without the call's state, so
      // it does not run at all. The caller hears the apology under a one-off key.
      logger.error("session store failed; answered with an apology", { link: link.name, action: payload.action, error: describeThrown(error) });
      return { status: 200, headers: { ...JSON_HEADERS }, body: serialise(link, payload, buildResponse(crypto.randomUUID(), { content: apology })) };
    }
    const call: CallInfo = { key: session.key, from: payload.call_from, forwardedBy: payload.call_forwarded_by };

    let response: TaskchainResponse;
    let body: string;
    try {
      const reply = await runHandler(link, payload, session, call);
      response = buildResponse(session.key, reply);
      const problem = problemWith(link, payload, response);
      if (problem) throw new Error(`invalid reply: ${problem}`);
      // Serialised inside the try: a reply JSON cannot carry (a cycle, a BigInt, nesting deeper
      // than the stack) is a failed reply too, not a 500.
      body = serialise(link, payload, response);
    } catch (error) {
      logger.error("link handler failed; answered with an apology", {
        link: link.name,
        action: payload.action,
        error: describeThrown(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
      response = buildResponse(session.key, { content: apology });
      body = serialise(link, payload, response);
    }

    if (response.state) session.state = { ...session.state, ...response.state };
    const over =
      payload.action === "interrupt" ||
      endsCall(response.actions) ||
      (payload.action !== "initial" && !movesOn(response.actions));
    try {
      if (over) await store.end(id);
      else await store.save(id, session, ttl);
    } catch (error) {
      // The answer is still right for this webhook call: send it. What is lost is this call's
      // state update (or, for an ended call, the session lingers until its idle TTL).
      logger.error(over ? "session store failed to end the call" : "session store failed to save the call's state", {
        link: link.name,
        action: payload.action,
        error: describeThrown(error),
      });
    }
    return { status: 200, headers: { ...JSON_HEADERS }, body };
  }

  function splitUrl(url: string): { path: string; q: number } {
    const q = url.indexOf("?");
    let path = q === -1 ? url : url.slice(0, q);
    if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
    return { path, q };
  }

  function gate(request: Omit<HttpRequest, "body">): HttpAnswer | undefined {
    const { path, q } = splitUrl(request.url);
    return gateAt(request, path, q, request.method.toUpperCase());
  }

  function gateAt(request: Omit<HttpRequest, "body">, path: string, q: number, method: string): HttpAnswer | undefined {
    if (path === "/health") {
      if (method === "GET" || method === "HEAD") return jsonAnswer(200, { status: "ok", links: links.size });
      return { ...errorAnswer(405, "method_not_allowed", "Use GET for /health"), headers: { ...JSON_HEADERS, allow: "GET, HEAD" } };
    }

    if (token !== undefined) {
      const header = bearer(request.authorization);
      const given = header !== undefined ? [header] : q === -1 ? [] : queryTokens(request.url.slice(q + 1));
      if (!given.some((candidate) => constantTimeEqual(candidate, token))) {
        return { ...errorAnswer(401, "unauthorized", "Missing or wrong token"), headers: { ...JSON_HEADERS, "www-authenticate": "Bearer" } };
      }
    }
    // Agent4 sends plain JSON. Only some frameworks would inflate a gzip body, so none does: every
    // runtime refuses a compressed body the same way (RFC 7694), ahead of any complaint about the
    // body; the adapters that get the request before its body answer before reading it.
    const encoding = request.contentEncoding;
    if (encoding && method === "POST" && !IDENTITY.test(encoding)) {
      return {
        ...errorAnswer(415, "unsupported_encoding", `Content-Encoding "${encoding}" is not supported; send the JSON uncompressed`),
        headers: { ...JSON_HEADERS, "accept-encoding": "identity" },
      };
    }
    return undefined;
  }

  /** The answer when the request stops before a link runs, else the link and its payload. */
  function route(request: HttpRequest): HttpAnswer | { link: Link; payload: Payload } {
    const { path, q } = splitUrl(request.url);
    const method = request.method.toUpperCase();
    const early = gateAt(request, path, q, method);
    if (early) return early;

    let routed: string | undefined;
    if (path !== "/") {
      const name = path.slice(1);
      if (!LINK_NAME_PATTERN.test(name)) return errorAnswer(404, "not_found", `No route ${path}`);
      if (!links.has(name)) return errorAnswer(404, "unknown_link", `No link named "${name}" in this chain`);
      routed = name;
    }
    if (method !== "POST") {
      return { ...errorAnswer(405, "method_not_allowed", `Use POST for ${path}`), headers: { ...JSON_HEADERS, allow: "POST" } };
    }

    let raw: unknown;
    const body = request.body;
    if (body === undefined) return emptyBody();
    if ("text" in body) {
      raw = parseJson(body.text);
      // Whitespace alone is not JSON either: only then is it worth a trimmed copy of the body.
      if (raw === NOT_JSON) return body.text.trim() === "" ? emptyBody() : errorAnswer(400, "invalid_json", "The request body is not valid JSON");
    } else raw = body.json;

    let payload = commonPayload(raw);
    if (!payload) {
      const parsed = PayloadSchema.safeParse(raw);
      if (!parsed.success) {
        const { field, message } = describeIssues(parsed.error);
        return errorAnswer(400, "invalid_payload", message, field);
      }
      payload = parsed.data;
    }
    if (routed !== undefined && payload.name !== routed) {
      return errorAnswer(400, "name_mismatch", `name: "${payload.name}" does not match the path /${routed}`, "name");
    }
    const link = links.get(payload.name);
    if (!link) return errorAnswer(404, "unknown_link", `No link named "${payload.name}" in this chain`, "name");
    return { link, payload };
  }

  // Not async itself: an answer that needs no link is one resolved promise, not a chain of them.
  function handle(request: HttpRequest): Promise<HttpAnswer> {
    let routed: ReturnType<typeof route>;
    try {
      routed = route(request);
    } catch (error) {
      return Promise.reject(error); // as an async function would: adapters only handle rejections
    }
    return "status" in routed ? Promise.resolve(routed) : answer(routed.link, routed.payload);
  }

  return {
    links: options.links,
    handle,
    gate,
    error: (status, error, message) => errorAnswer(status, error, message),
  };
}
