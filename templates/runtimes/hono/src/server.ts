// The hono runtime: Hono on @hono/node-server. The body is read from node itself (src/body.ts) unless
// something read it first; then, and off node (app.request()), Hono's bodyLimit enforces 1 MiB.
import type { HttpBindings } from "@hono/node-server";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { IncomingMessage } from "node:http";
import { createApp } from "./app.ts";
import { readBody } from "./body.ts";
import { MAX_BODY_BYTES, type HttpAnswer, type HttpRequest, type Taskchain } from "./taskchain/index.ts";

function send(c: Context, answer: HttpAnswer): Response {
  return c.body(answer.body, answer.status as 200, answer.headers);
}

/** Path and query straight from the absolute URL: `new URL()` per request is measurable here. */
function pathAndQuery(raw: string): string {
  const slash = raw.indexOf("/", raw.indexOf("//") + 2);
  return slash === -1 ? "/" : raw.slice(slash);
}

/** The node:http request behind this one when served by @hono/node-server (not under app.request() or another server). */
function nodeRequest(c: Context): IncomingMessage | undefined {
  return (c.env as Partial<HttpBindings> | undefined)?.incoming;
}

export function createHonoApp(app: Taskchain = createApp(process.env)): Hono {
  const server = new Hono();
  const tooLarge = (c: Context) => {
    c.header("connection", "close");
    return send(c, app.error(413, "payload_too_large", "The request body is over 1 MiB"));
  };
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });

  // One handler that runs the body limit itself, rather than a chain of app.use() middleware:
  // Hono calls a route's only handler directly, and composing a chain was a measurable share of
  // each request.
  server.all("*", async (c) => {
    const method = c.req.method;
    const url = pathAndQuery(c.req.url);
    const incoming = nodeRequest(c);
    // node's own header object: c.req.header() builds a web Headers first.
    const authorization = incoming ? incoming.headers.authorization : c.req.header("authorization");
    const contentEncoding = incoming ? incoming.headers["content-encoding"] : c.req.header("content-encoding");
    // Health, the token and the encoding are answered before the body limit reads anything.
    const request: HttpRequest = { method, url, authorization, contentEncoding, body: undefined };
    const early = app.gate(request);
    if (early) return send(c, early);
    if (method === "POST" && incoming && incoming.readableFlowing === null && !incoming.readableDidRead) {
      // Nothing has read the body yet (no middleware of yours did): it is read straight from node,
      // as the node runtime does. Through c.req.text() it would first become a web-stream Request,
      // which costs more than the rest of the call together (about 3x the requests/s this way).
      const text = await new Promise<string | undefined>((resolve) => readBody(incoming, resolve, () => resolve(undefined)));
      if (text === undefined) return tooLarge(c);
      request.body = { text };
      return send(c, await app.handle(request));
    }
    let answer: Response | undefined;
    const refused = await limit(c, async () => {
      // Hono hands the body over as text; the core parses it, so bad JSON gets its usual 400.
      const text = method === "POST" ? await c.req.text() : undefined;
      request.body = text === undefined ? undefined : { text };
      answer = send(c, await app.handle(request));
    });
    return answer ?? refused ?? send(c, app.error(500, "internal_error", "The webhook failed to answer"));
  });

  server.onError((error, c) => {
    console.error(JSON.stringify({ level: "error", message: "request failed", error: String(error) }));
    return send(c, app.error(500, "internal_error", "The webhook failed to answer"));
  });
  return server;
}
