// The hono runtime: Hono on @hono/node-server. The body is read from node itself (src/body.ts) unless
// something read it first; then, and off node (app.request()), Hono's bodyLimit enforces 1 MiB.
import type { HttpBindings } from "@hono/node-server";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { IncomingMessage } from "node:http";
import { createApp } from "./app.ts";
import { readBody } from "./body.ts";
import { consoleLogger, describeThrown, MAX_BODY_BYTES, type HttpAnswer, type HttpRequest, type Taskchain } from "./taskchain/index.ts";

function send(c: Context, answer: HttpAnswer): Response {
  return c.body(answer.body, answer.status as 200, answer.headers);
}

/**
 * Path and query as sent, as every other runtime sees them: `new URL()` would resolve dot segments
 * and re-encode characters first.
 */
function pathAndQuery(raw: string): string {
  const slash = raw.indexOf("/", raw.indexOf("//") + 2);
  return slash === -1 ? "/" : raw.slice(slash);
}

/** The node:http request behind this one when served by @hono/node-server (not under app.request()). */
function nodeRequest(c: Context): IncomingMessage | undefined {
  return (c.env as Partial<HttpBindings> | undefined)?.incoming;
}

/**
 * The body straight from node:http when nothing has read it yet (no middleware of yours did), as
 * the node runtime reads it; undefined when over 1 MiB. A shortcut: through c.req.text() the body
 * first becomes a web-stream Request, which costs more than the rest of the call together (about
 * 3x the requests/s this way).
 */
function nodeBody(c: Context): Promise<string | undefined> | undefined {
  const incoming = nodeRequest(c);
  if (c.req.method !== "POST" || !incoming || incoming.readableFlowing !== null || incoming.readableDidRead) return undefined;
  return new Promise((resolve) => readBody(incoming, resolve, () => resolve(undefined)));
}

export function createHonoApp(app: Taskchain = createApp(process.env)): Hono {
  const server = new Hono();
  // The connection stays open while the rest of the body drains: closing it with bytes unread
  // resets it under a caller still sending, who then never sees the 413.
  const tooLarge = (c: Context) => send(c, app.error(413, "payload_too_large", "The request body is over 1 MiB"));
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });

  server.all("*", async (c) => {
    // Node's own header values when there are some, as the node runtime reads them.
    const headers = nodeRequest(c)?.headers;
    const request: HttpRequest = {
      method: c.req.method,
      url: pathAndQuery(c.req.url),
      authorization: headers ? headers.authorization : c.req.header("authorization"),
      contentEncoding: headers ? headers["content-encoding"] : c.req.header("content-encoding"),
      caller: headers ? headers["x-taskchain-caller"]?.toString() : c.req.header("x-taskchain-caller"),
    };
    // Health, the token and the encoding are answered before the body limit reads anything.
    const early = app.gate(request);
    if (early) return send(c, await early);
    const fromNode = nodeBody(c);
    if (fromNode) {
      const text = await fromNode;
      return text === undefined ? tooLarge(c) : send(c, await app.handle({ ...request, body: { text } }));
    }
    let answer: Response | undefined;
    const refused = await limit(c, async () => {
      // Hono hands the body over as text; the core parses it, so bad JSON gets its usual 400.
      const text = c.req.method === "POST" ? await c.req.text() : undefined;
      answer = send(c, await app.handle({ ...request, body: text === undefined ? undefined : { text } }));
    });
    return answer ?? refused ?? send(c, app.error(500, "internal_error", "The webhook failed to answer"));
  });

  server.onError((error, c) => {
    consoleLogger.error("request failed", { error: describeThrown(error) });
    return send(c, app.error(500, "internal_error", "The webhook failed to answer"));
  });
  return server;
}
