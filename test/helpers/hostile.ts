// Hostile webhook input shared by the fuzz suites: JSON text built by hand (so duplicate keys and
// own "__proto__" keys reach JSON.parse exactly as an attacker would send them; an object literal
// would set the prototype instead), the checks every answer must pass, and the property "hostile
// HTTP never hurts the server or another caller" run against any server a runtime's adapter makes.
import { Agent, request } from "node:http";
import { connect } from "node:net";
import fc from "fast-check";
import { expect } from "vitest";
import { ResponseSchema } from "../../templates/base/src/taskchain/protocol.js";

/** A secret some test handlers throw: it must never reach an answer. */
export const SECRET = "internal-secret-do-not-leak";
// A colon in the number (a SIP caller id): callers whose two numbers run together into the same
// text ("sip" + "+15550000001:+15550000002") must still be other callers.
export const VICTIM = { call_from: "sip:+15550000001", call_forwarded_by: "+15550000002" };
/** Every way of cutting the victim's two numbers, run together (with or without the ":"), into two others. */
export const LOOKALIKES = (() => {
  const joined = `${VICTIM.call_from}:${VICTIM.call_forwarded_by}`;
  const out: Array<{ from: string; forwardedBy: string }> = [];
  for (let i = 0; i <= joined.length; i++) {
    out.push({ from: joined.slice(0, i), forwardedBy: joined.slice(i) });
    if (joined[i] === ":") out.push({ from: joined.slice(0, i), forwardedBy: joined.slice(i + 1) });
  }
  out.push({ from: joined, forwardedBy: "" }, { from: VICTIM.call_forwarded_by, forwardedBy: VICTIM.call_from });
  return out.filter((c) => !(c.from === VICTIM.call_from && c.forwardedBy === VICTIM.call_forwarded_by));
})();
/** The error statuses a webhook may answer (415: a body in a content encoding it does not take). */
export const ERROR_STATUSES = new Set([400, 401, 404, 405, 413, 415]);

export const POLLUTION_KEYS = ["__proto__", "constructor", "prototype"];
export const hostileKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...POLLUTION_KEYS) },
  fc.constantFrom("toString", "valueOf", "hasOwnProperty", "__defineGetter__", "", " ", "a.b", "$where", "\u0000", "😀", "name", "action", "pin", "how", "code", "reason"),
  fc.string({ unit: "binary", maxLength: 12 }),
);
export const hostileString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("", "\u0000", "\ud800", "\udfff", "\u2028", "</script>", "${process.exit(1)}", "`", "*/", "'; DROP TABLE x; --", "../../etc/passwd", "\r\n\r\nHTTP/1.1 200 OK", "__proto__", "constructor", "null-proto", "bigint", "cycle", "deep", "null", "bad-action", "alpha", "beta"),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => "x".repeat(n)),
);
const jsonNumber = fc.oneof(
  fc.double().map((d) => (Number.isFinite(d) ? String(d) : "1e999")),
  fc.integer().map(String),
  fc.constantFrom("-0", "1e999", "-1e999", "1e-400", "9007199254740993", "0.1e1", "123456789012345678901234567890"),
);
const leaf = fc.oneof(hostileString.map((s) => JSON.stringify(s)), jsonNumber, fc.constantFrom("true", "false", "null"));
const deepText = fc.tuple(fc.integer({ min: 10, max: 30_000 }), fc.boolean()).map(([n, arrays]) => (arrays ? `${"[".repeat(n)}${"]".repeat(n)}` : `${'{"a":'.repeat(n)}1${"}".repeat(n)}`));
export const { value: jsonText } = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("array"), tie("object"), deepText),
  array: fc.array(tie("value"), { maxLength: 4 }).map((xs) => `[${xs.join(",")}]`),
  object: fc.array(fc.tuple(hostileKey, tie("value")), { maxLength: 5 }).map((es) => objectText(es)),
}));

export function objectText(entries: ReadonlyArray<readonly [string, string]>): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`;
}

/** A context object: hostile keys, pollution attempts, and now and then the keys links expect. */
export const contextText = fc.oneof(
  fc.array(fc.tuple(hostileKey, jsonText), { maxLength: 6 }).map(objectText),
  fc.tuple(fc.constantFrom(...POLLUTION_KEYS), fc.constantFrom("polluted", "isAdmin", "pin")).map(([k, p]) => `{${JSON.stringify(k)}:{"${p}":true,"prototype":{"${p}":1}},"pin":"1"}`),
  fc.constantFrom("null-proto", "bigint", "cycle", "deep", "null", "bad-action", "other").map((how) => `{"how":${JSON.stringify(how)}}`),
  fc.record({ pin: hostileString, code: hostileString, reason: hostileString }).map((r) => JSON.stringify(r)),
  fc.oneof(jsonText, fc.array(fc.tuple(fc.constantFrom(...POLLUTION_KEYS), jsonText), { minLength: 1, maxLength: 3 }).map(objectText)).map((json) => JSON.stringify({ json })),
  jsonText,
);

export const field = (good: fc.Arbitrary<string>) => fc.oneof({ weight: 4, arbitrary: good.map((s) => JSON.stringify(s)) }, jsonText);
export const caller = fc.oneof(fc.constantFrom("+15551230000", "+15551230001", VICTIM.call_from, `${VICTIM.call_from}\u0000`, "", "[\"+15550000001\"]"), hostileString);

// ---------------------------------------------------------------------------------------------
// Checking one answer

const prototypeNames = {
  object: Object.getOwnPropertyNames(Object.prototype).sort(),
  array: Object.getOwnPropertyNames(Array.prototype).sort(),
  func: Object.getOwnPropertyNames(Function.prototype).sort(),
};
export function expectPrototypesClean(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames.object);
  expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(prototypeNames.array);
  expect(Object.getOwnPropertyNames(Function.prototype).sort()).toEqual(prototypeNames.func);
  expect(Object.getPrototypeOf(Object.prototype)).toBeNull();
  for (const p of ["polluted", "isAdmin", "pin", "prototype", "d", "a"]) expect(({} as Record<string, unknown>)[p], p).toBeUndefined();
}

/** A stack frame, raw or JSON-escaped: "\n    at f (/path/file.ts:1:2)", or a file and line of this code. */
export const STACK = /(\n|\\n)\s+at |dispatch\.ts|server\.ts|fuzz-webhook\.test|fuzz-adapters\.test|node:internal|file:\/\//;

/** The answer is a JSON error with a known status or a valid protocol response (or the health body). */
export function expectWellFormed(status: number, body: string, contentType: string | undefined, isHead = false, what = `${status} ${body.slice(0, 200)}`): void {
  expect(status, what).toBeLessThan(500);
  expect(body, what).not.toContain(SECRET);
  expect(body, what).not.toMatch(STACK);
  if (isHead) return; // no body on HEAD
  expect(contentType, what).toMatch(/^application\/json/);
  const json = JSON.parse(body) as Record<string, unknown>;
  if (status === 200) {
    if ("status" in json) expect(json, what).toEqual({ status: "ok", links: expect.any(Number) as number });
    else expect(ResponseSchema.safeParse(json).success, what).toBe(true);
  } else {
    expect(ERROR_STATUSES.has(status), what).toBe(true);
    expect(typeof json.error, what).toBe("string");
    expect(typeof json.message, what).toBe("string");
    expect((json.message as string).length, what).toBeGreaterThan(0);
  }
}

// ---------------------------------------------------------------------------------------------
// Over HTTP, against any server

export interface Answer {
  status: number;
  body: string;
  contentType: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

/** A plain HTTP client for one server: bodies sent with Content-Length, or chunked without one. */
export class HttpTarget {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 4 });
  constructor(readonly port: number) {}

  request(method: string, target: string, headers: Record<string, string | number>, body?: Buffer, chunked = false, fresh = false): Promise<Answer> {
    return new Promise((resolve, reject) => {
      // Framed explicitly: node's client sends a GET/DELETE/OPTIONS body unframed otherwise; chunked
      // only where node frames it so (POST, PUT, PATCH).
      const stream = chunked && body !== undefined && ["POST", "PUT", "PATCH"].includes(method);
      const framed = body === undefined || stream ? headers : { ...headers, "content-length": body.length };
      let answered = false;
      let failure: Error | undefined;
      const req = request({ host: "127.0.0.1", port: this.port, method, path: target, headers: framed, agent: fresh ? false : this.#agent }, (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), contentType: res.headers["content-type"], headers: res.headers }));
        res.on("error", reject);
      });
      // A server that answers early (413, 405) may close before the whole body is sent: the write
      // fails, the answer still counts. One that closed a kept-alive connection after such an
      // answer is asked again on a new one, as HTTP clients do.
      req.on("error", (error) => (failure = error));
      req.on("close", () => {
        if (answered) return;
        if (req.reusedSocket && !fresh) this.request(method, target, headers, body, chunked, true).then(resolve, reject);
        else reject(failure ?? new Error(`${method} ${target}: the connection closed without an answer`));
      });
      // A request the server never answers fails the property (with this message) instead of hanging it.
      req.setTimeout(30_000, () => req.destroy(new Error(`no answer to ${method} ${target} within 30 s`)));
      if (stream) {
        // In pieces, as a client streaming its upload would send them.
        for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.subarray(at, at + 64 * 1024));
        req.end();
      } else req.end(body);
    });
  }

  /**
   * POSTs a body that streams on and never ends: `total` bytes in pieces, then nothing, the request
   * left open. Resolves with the answer's status once it comes (a server that waits for the end of
   * the body never answers, and the caller's timeout fails the test).
   */
  openUpload(target: string, headers: Record<string, string>, total: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: this.port, method: "POST", path: target, headers, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" || error.code === "EPIPE" ? undefined : reject(error)));
      req.setTimeout(30_000, () => req.destroy(new Error(`no answer to POST ${target} within 30 s while its body was still coming`)));
      const piece = Buffer.alloc(64 * 1024, 0x78);
      req.write('{"name":"x","pad":"');
      for (let sent = 0; sent < total; sent += piece.length) req.write(piece);
    });
  }

  async healthy(): Promise<void> {
    const res = await this.request("GET", "/health", {});
    expect(res.status).toBe(200);
  }

  close(): void {
    this.#agent.destroy();
  }
}

// Methods node's HTTP parser knows (it answers others itself, with a plain 400, before the app).
const httpMethod = fc.oneof({ weight: 5, arbitrary: fc.constant("POST") }, fc.constantFrom("GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "MKCOL", "PURGE", "SEARCH"));
const contentType = fc.option(
  fc.constantFrom("application/json", "application/json; charset=utf-16", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "*/*", "", "application/json; charset=\u00ff"),
  { nil: undefined },
);
const contentEncoding = fc.option(fc.constantFrom("gzip", "deflate", "br", "identity", "x-unknown"), { nil: undefined, freq: 8 });

/** Hostile requests to a chain of these links, some carrying `token`. */
export function hostileHttpRequests(links: readonly string[], token: string, skipMethods: readonly string[] = []) {
  const method = httpMethod.filter((m) => !skipMethods.includes(m));
  const path = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom("/", ...links.map((n) => `/${n}`)) },
    fc.constantFrom("/health", "/nope", "/../etc/passwd", "/%2e%2e/", "/__proto__", `/${links[0]}/`, "//", `/${links[0]}%00`, "/health/x"),
    fc.string({ unit: "grapheme-ascii", maxLength: 20 }).map((s) => `/${encodeURIComponent(s)}`),
  );
  const payload = fc
    .record(
      {
        name: field(fc.constantFrom(...links, "__proto__", "nope")),
        action: field(fc.constantFrom("initial", "qualified", "disqualified", "interrupt")),
        call_from: field(caller),
        call_forwarded_by: field(caller),
        context: fc.oneof(contextText, fc.constantFrom('{"reason":"r"}', '{"reason":"r","__proto__":{"polluted":true}}', '{"code":"1"}', '{"code":"1","constructor":{"prototype":{"polluted":true}}}')),
      },
      { requiredKeys: ["name", "action", "call_from"] },
    )
    .filter((p) => !(p.call_from === JSON.stringify(VICTIM.call_from) && p.call_forwarded_by === JSON.stringify(VICTIM.call_forwarded_by)))
    .map((p) => objectText(Object.entries(p).filter((e): e is [string, string] => e[1] !== undefined)));
  const body = fc.oneof(
    { weight: 6, arbitrary: payload.map((t) => Buffer.from(t)) },
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), // arbitrary bytes: invalid UTF-8 too
    fc.constantFrom("", "{", "null", "[]", "\ufeff{}").map((t) => Buffer.from(t)),
    fc.constantFrom(1024 * 1024 - 10, 1024 * 1024 + 1, 2 * 1024 * 1024).map((n) => Buffer.alloc(n, 0x7b)), // near and over the limit
  );
  const auth = fc.constantFrom<{ header?: string; query?: string }>({}, { header: `Bearer ${token}` }, { query: token }, { header: "Bearer nope" }, { query: "nope" }, { header: `Bearer ${token}`, query: "nope" });
  return fc.record({ method, path, contentType, contentEncoding, auth, body: fc.option(body, { nil: undefined, freq: 6 }), chunked: fc.boolean() });
}

/**
 * The property, for a server generated with `links` (the first two with a `code` qualified
 * parameter, as create writes them): whatever other callers send, every answer is a JSON error or
 * a valid response, a body over 1 MiB gets 413 once past the token, and the victim's call keeps
 * its key and state. Returns the number of hostile requests sent.
 */
export async function fuzzServer(
  target: HttpTarget,
  options: {
    links: readonly [string, string, ...string[]];
    token: string;
    numRuns: number;
    skipMethods?: readonly string[];
    answersAfterBody?: boolean;
    /** The token and the encoding are judged only once the whole request is in (a gateway in front holds it). */
    gatesAfterBody?: boolean;
  },
): Promise<number> {
  const [first, second] = options.links;
  const { token } = options;
  let sent = 0;
  const victim = async (name: string, action: string, context?: unknown) => {
    const res = await target.request("POST", `/${name}`, { authorization: `Bearer ${token}`, "content-type": "application/json" }, Buffer.from(JSON.stringify({ name, action, ...VICTIM, ...(context ? { context } : {}) })));
    expect(res.status, res.body).toBe(200);
    return ResponseSchema.parse(JSON.parse(res.body));
  };
  // Random requests over 1 MiB are a few percent of the whole: the limit is also checked outright,
  // with Content-Length and streamed without one, past the token and without it.
  for (const chunked of [false, true]) {
    for (const size of [1024 * 1024 + 1, 3 * 1024 * 1024]) {
      const big = Buffer.concat([Buffer.from(`{"name":"${first}","action":"initial","call_from":"+1","context":{"pad":"`), Buffer.alloc(size, 0x78), Buffer.from('"}}')]);
      const what = `POST /${first} with ${big.length} bytes${chunked ? ", chunked" : ""}`;
      const res = await target.request("POST", `/${first}`, { authorization: `Bearer ${token}`, "content-type": "application/json" }, big, chunked);
      expectWellFormed(res.status, res.body, res.contentType, false, what);
      expect(res.status, what).toBe(413);
      const anonymous = await target.request("POST", `/${first}`, { "content-type": "application/json" }, big, chunked);
      expect([401, 413], `${what}, without the token`).toContain(anonymous.status);
      sent += 2;
    }
  }
  // A body that keeps coming past 1 MiB is refused then, not held until it ends: a server that read
  // it all before judging it could be made to hold any amount (answersAfterBody: where the rest is
  // known to be thrown away unread, or a gateway in front holds whole requests).
  if (!options.answersAfterBody) {
    expect(await target.openUpload(`/${first}`, { authorization: `Bearer ${token}`, "content-type": "application/json" }, 2 * 1024 * 1024), "a body still streaming past 1 MiB").toBe(413);
    sent++;
  }
  // Without the token (401), or compressed (415), a request is answered while its body is still
  // coming: nothing about it is worth waiting for.
  if (!options.gatesAfterBody) {
    expect(await target.openUpload(`/${first}`, { "content-type": "application/json" }, 64 * 1024), "no token, the body still coming").toBe(401);
    expect(await target.openUpload(`/${first}`, { authorization: `Bearer ${token}`, "content-encoding": "gzip" }, 64 * 1024), "gzip, the body still coming").toBe(415);
    sent += 2;
  }
  await fc.assert(
    fc.asyncProperty(fc.array(hostileHttpRequests(options.links, token, options.skipMethods), { minLength: 1, maxLength: 4 }), async (requests) => {
      // The victim qualifies the first link: its session now holds the generated handler's state.
      const key = (await victim(first, "initial")).key;
      expect(await victim(first, "qualified", { code: "victim-code" })).toMatchObject({ key, state: { [first]: { code: "victim-code" } } });
      for (const r of requests) {
        sent++;
        const query = r.auth.query === undefined ? "" : `${r.path.includes("?") ? "&" : "?"}token=${encodeURIComponent(r.auth.query)}`;
        const headers: Record<string, string> = {};
        if (r.auth.header) headers.authorization = r.auth.header;
        if (r.contentType !== undefined) headers["content-type"] = r.contentType;
        if (r.contentEncoding !== undefined) headers["content-encoding"] = r.contentEncoding;
        const res = await target.request(r.method, `${r.path}${query}`, headers, r.body, r.chunked);
        const what = `${r.method} ${r.path}${query} ${JSON.stringify(headers)} ${r.chunked ? "chunked " : ""}${r.body?.length ?? "no"} bytes → ${res.status} ${res.body.slice(0, 200)}`;
        expectWellFormed(res.status, res.body, res.contentType, r.method === "HEAD", what);
        expect(res.headers["x-powered-by"], what).toBeUndefined();
        // Over 1 MiB is 413, unless the gate answers first (no token: 401; POST /health: 405), the
        // route is unknown (404) or the body's encoding is refused before it is read (415).
        if (r.body && r.body.length > 1024 * 1024 && r.method === "POST" && ![401, 404, 405, 415].includes(res.status)) expect(res.status, what).toBe(413);
      }
      // Same call, next link: the key is the victim's and the next link's initial still works.
      expect((await victim(second, "initial")).key).toBe(key);
      await victim(second, "interrupt", { reason: "done" }); // ends the victim's session for the next run
      expectPrototypesClean();
    }),
    { numRuns: options.numRuns },
  );
  await target.healthy();
  return sent;
}

/** Raw bytes that are not quite HTTP, cut off at random: never a 5xx, and the server stays up. */
export async function fuzzMalformedHttp(target: HttpTarget, link: string, numRuns: number): Promise<number> {
  const garbage = [
    "FOO / HTTP/1.1\r\nHost: x\r\n\r\n",
    "CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x\r\n\r\n",
    `POST /${link} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"name":`,
    `POST /${link} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n`,
    `POST /${link} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}`,
    "\u0000\u0001\u0002\r\n\r\n",
    "GET /health HTTP/9.9\r\n\r\n",
    `POST /${link} HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n{`,
    `POST /${link} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${"100000\r\n" + "{".repeat(0x100000) + "\r\n"}${"100000\r\n" + "{".repeat(0x100000) + "\r\n"}`,
  ];
  let sent = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...garbage), fc.integer({ min: 0, max: 30 }), async (text, waitMs) => {
      sent++;
      const status = await new Promise<string>((resolve) => {
        const socket = connect(target.port, "127.0.0.1", () => socket.end(text));
        let out = "";
        socket.on("data", (d: Buffer) => (out += d.toString("latin1")));
        socket.on("error", () => resolve(out));
        socket.on("close", () => resolve(out));
        setTimeout(() => socket.destroy(), waitMs + 200); // cut it off, answered or not
      });
      // Whatever came back (if anything) is not a server error.
      expect(status).not.toMatch(/^HTTP\/1\.[01] 5\d\d/);
      await target.healthy();
    }),
    { numRuns },
  );
  return sent;
}
