// Security properties of the generated runtime that need no generated project: the token
// comparison, auth on every route but /health, and state merging that cannot touch prototypes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { constantTimeEqual, createTaskchain, defineLink, nextTask, silentLogger } from "../../templates/base/src/taskchain/index.js";

describe("constantTimeEqual", () => {
  it("is true for equal strings and false for every other pair", () => {
    const pairs: Array<[string, string, boolean]> = [
      ["", "", true],
      ["a", "a", true],
      ["secret", "secret", true],
      ["secret", "secreT", false],
      ["secret", "secret ", false],
      ["secret", "secre", false],
      ["", "x", false],
      ["x", "", false],
      ["ab", "abab", false], // a repeating prefix is not a match
      ["abab", "ab", false],
      ["tökén", "tökén", true],
      ["tökén", "token", false],
      ["é", "e\u0301", false], // canonically equivalent, but not the same string
      ["😀", "😀", true],
      ["😀", "😁", false],
      ["\ud800", "\udfff", false], // lone surrogates: distinct code units (UTF-8 would make both U+FFFD)
      ["\ud800", "\ufffd", false],
      ["a\u0000", "a", false],
      ["\u0000", "", false],
    ];
    for (const [a, b, equal] of pairs) {
      expect(constantTimeEqual(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(equal);
      expect(constantTimeEqual(b, a), `${JSON.stringify(b)} vs ${JSON.stringify(a)}`).toBe(equal);
    }
  });

  it("agrees with === on random strings of any unicode, equal or near-equal", () => {
    // Any UTF-16 code unit, lone surrogates included; and any code point.
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u));
    const anyString = fc.oneof(fc.string({ unit: codeUnit, maxLength: 64 }), fc.string({ unit: "binary", maxLength: 64 }));
    fc.assert(
      fc.property(anyString, anyString, (a, b) => constantTimeEqual(a, b) === (a === b)),
      { numRuns: 2000 },
    );
    // Near misses: one code unit changed, inserted or removed.
    fc.assert(
      fc.property(anyString, fc.nat(), fc.integer({ min: 1, max: 0xffff }), fc.constantFrom("flip", "insert", "remove"), (a, at, unit, how) => {
        const i = a.length === 0 ? 0 : at % a.length;
        const c = String.fromCharCode(unit);
        const b = how === "flip" && a.length > 0 ? a.slice(0, i) + String.fromCharCode(a.charCodeAt(i) ^ unit) + a.slice(i + 1) : how === "remove" && a.length > 0 ? a.slice(0, i) + a.slice(i + 1) : a.slice(0, i) + c + a.slice(i);
        return constantTimeEqual(a, b) === (a === b) && constantTimeEqual(b, a) === (a === b);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("auth", () => {
  const link = defineLink({
    name: "pin_vetting",
    parameters: { qualified: z.object({}), disqualified: z.object({}) },
    initial: () => ({ content: "hi" }),
    qualified: () => ({ actions: [nextTask()] }),
    disqualified: () => ({}),
  });
  const token = "s3cret-token";
  const app = createTaskchain({ links: [link], token, logger: silentLogger });
  const body = JSON.stringify({ name: "pin_vetting", action: "initial", call_from: "+1" });
  const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND"];
  const PATHS = ["/", "/pin_vetting", "/pin_vetting/", "/unknown_link", "/Not-A-Link", "/health/x", "/healthz", "//health", "/a/b", "*"];

  it("answers 401 on every method and path but /health without the token, before routing reveals anything", async () => {
    for (const method of METHODS) {
      for (const path of PATHS) {
        for (const authorization of [undefined, "", "Bearer", "Bearer wrong", `Basic ${token}`, `Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`]) {
          const answer = await app.handle({ method, url: path, authorization, body: { text: body } });
          expect(answer.status, `${method} ${path} ${authorization}`).toBe(401);
          expect(answer.headers["www-authenticate"]).toBe("Bearer");
          expect(JSON.parse(answer.body)).toEqual({ error: "unauthorized", message: "Missing or wrong token" });
        }
        for (const query of ["?token=wrong", "?token=", `?token=${token}x`, `?tok=${token}`, `?x=1&token=wrong&token=${token}`]) {
          expect((await app.handle({ method, url: `${path}${query}`, body: { text: body } })).status, `${method} ${path}${query}`).toBe(401);
        }
      }
      const health = await app.handle({ method, url: "/health" });
      expect(health.status, `${method} /health`).toBe(method === "GET" || method === "HEAD" ? 200 : 405);
    }
  });

  it("lets the right token through as a Bearer header or ?token=, and only then routes", async () => {
    for (const init of [{ authorization: `Bearer ${token}`, url: "/pin_vetting" }, { authorization: `bearer  ${token} `, url: "/" }, { url: `/pin_vetting?token=${token}` }, { url: `/?a=1&token=${encodeURIComponent(token)}` }]) {
      expect((await app.handle({ method: "POST", ...init, body: { text: body } })).status, JSON.stringify(init)).toBe(200);
    }
    expect((await app.handle({ method: "POST", url: `/unknown_link?token=${token}`, body: { text: body } })).status).toBe(404);
    expect((await app.handle({ method: "GET", url: `/pin_vetting?token=${token}` })).status).toBe(405);
  });
});

describe("auth with base64 tokens", () => {
  // `?token=` is not form-decoded: a token with "+" (half of all `openssl rand -base64` tokens)
  // pasted raw into the Agent4 endpoint URL would be read with a space and refused.
  const link = defineLink({
    name: "pin_vetting",
    parameters: {},
    initial: () => ({ content: "hi" }),
    qualified: () => ({}),
    disqualified: () => ({}),
  });
  const body = { text: JSON.stringify({ name: "pin_vetting", action: "initial", call_from: "+1" }) };
  const status = async (token: string, query: string) => (await createTaskchain({ links: [link], token, logger: silentLogger }).handle({ method: "POST", url: `/pin_vetting?${query}`, body })).status;

  it("accepts the token raw or percent-encoded in ?token=, and nothing else", async () => {
    const token = "q+3/Zk9x+Ab=";
    expect(await status(token, `token=${token}`)).toBe(200); // pasted raw
    expect(await status(token, `token=${encodeURIComponent(token)}`)).toBe(200);
    expect(await status(token, `a=1&token=${token}&b=2`)).toBe(200);
    expect(await status(token, `token=${token.replace(/\+/g, " ")}`)).toBe(401);
    expect(await status(token, `token=${token.replace(/\+/g, "%20")}`)).toBe(401);
    expect(await status(token, `token=${token.slice(0, -1)}`)).toBe(401);
    expect(await status(token, `xtoken=${token}`)).toBe(401);
    expect(await status(token, `token=wrong&token=${token}`)).toBe(401); // the first one counts
    expect(await status(token, `token=%E0%A4%A`)).toBe(401); // a malformed escape is just wrong
    // A token that really has a space still works written as "+" (form encoding) or "%20".
    expect(await status("a b", "token=a+b")).toBe(200);
    expect(await status("a b", "token=a%20b")).toBe(200);
    expect(await status("100%", "token=100%")).toBe(200);
  });

  it("agrees: any token, sent encoded, raw where URL-safe, is accepted; any other is refused", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 24 }), fc.string({ maxLength: 24 }), async (token, other) => {
        expect(await status(token, `token=${encodeURIComponent(token)}`)).toBe(200);
        if (/^[A-Za-z0-9+/=._~-]+$/.test(token)) expect(await status(token, `token=${token}`)).toBe(200);
        if (other !== token && other.replace(/\+/g, " ") !== token) expect(await status(token, `token=${encodeURIComponent(other)}`)).toBe(401);
      }),
      { numRuns: 300 },
    );
  });
});

describe("state merging", () => {
  it("keeps __proto__ from a handler's state (JSON from context) as data: the session's prototype never changes", async () => {
    let seen: Readonly<Record<string, unknown>> | undefined;
    const link = defineLink({
      name: "merge",
      parameters: { qualified: z.record(z.string(), z.unknown()), disqualified: z.object({}) },
      initial: () => ({ content: "" }),
      // What a handler might do: turn context text into an object and store it.
      qualified: ({ context }) => ({ state: JSON.parse(String(context.raw)) as Record<string, unknown>, actions: [nextTask()] }),
      disqualified: () => ({}),
    });
    // A link after it, so moving on does not finish the chain (which would end the session); it reads the state.
    const after = defineLink({
      name: "after",
      parameters: { qualified: z.object({}), disqualified: z.object({}) },
      initial: ({ state }) => {
        seen = state;
        return { content: "" };
      },
      qualified: () => ({}),
      disqualified: () => ({}),
    });
    const app = createTaskchain({ links: [link, after], logger: silentLogger });
    const post = (action: string, context?: unknown, name = "merge") =>
      app.handle({ method: "POST", url: `/${name}`, body: { text: JSON.stringify({ name, action, call_from: "+1", ...(context ? { context } : {}) }) } });
    await post("initial");
    const raw = '{"__proto__":{"isAdmin":true,"polluted":true},"constructor":{"prototype":{"polluted":true}},"ok":1}';
    const answer = await post("qualified", { raw });
    expect(answer.status).toBe(200);
    await post("initial", undefined, "after");
    expect(seen).toBeDefined();
    expect(Object.getPrototypeOf(seen)).toBe(Object.prototype);
    expect(Object.hasOwn(seen!, "__proto__")).toBe(true);
    expect(seen!.isAdmin).toBeUndefined();
    expect(seen!.ok).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    // Agent4 gets the update as it was: an own "__proto__" key in the JSON.
    expect(JSON.parse(answer.body).state).toEqual(JSON.parse(raw));
    expect(answer.body).toContain('"__proto__":{"isAdmin":true');
  });
});

describe("the Bearer header", () => {
  const token = "s3cret tok";
  const link = defineLink({ name: "pin_vetting", parameters: {}, initial: () => ({ content: "hi" }), qualified: () => ({}), disqualified: () => ({}) });
  const app = createTaskchain({ links: [link], token, logger: silentLogger });
  const body = { text: JSON.stringify({ name: "pin_vetting", action: "initial", call_from: "+1" }) };
  /** What the header check has always meant: the trimmed header is "Bearer", spaces, then the token. */
  const accepted = (header: string) => /^Bearer\s+(.+)$/i.exec(header.trim())?.[1] === token;

  it("lets through exactly the headers that are Bearer, white space and the token, whatever white space and line separators surround it", async () => {
    const space = fc.constantFrom(" ", "  ", "\t", "\u00a0", "\u2028", "\n", "\r\n", "\u3000", "\ufeff", "");
    const header = fc
      .tuple(space, fc.constantFrom("Bearer", "bearer", "BEARER", "Bearerx", "Basic", ""), fc.array(space, { maxLength: 3 }), fc.constantFrom(token, `${token}x`, token.slice(0, -1), "", " "), fc.array(space, { maxLength: 2 }), fc.constantFrom("", "x", token))
      .map(([lead, scheme, gap, value, tail, after]) => `${lead}${scheme}${gap.join("")}${value}${tail.join("")}${after}`);
    await fc.assert(
      fc.asyncProperty(header, async (authorization) => {
        const answer = await app.handle({ method: "POST", url: "/pin_vetting", authorization, body });
        expect(answer.status, JSON.stringify(authorization)).toBe(accepted(authorization) ? 200 : 401);
      }),
      { numRuns: 1000 },
    );
  });
});
