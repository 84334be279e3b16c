// The hono runtime: Hono on @hono/node-server. Hono's bodyLimit enforces 1 MiB; the core answers.
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createApp } from "./app.js";
import { MAX_BODY_BYTES, type HttpAnswer, type Taskchain } from "./taskchain/index.js";

function send(c: Context, answer: HttpAnswer): Response {
  return c.body(answer.body, answer.status as 200, answer.headers);
}

/** Path and query straight from the absolute URL: `new URL()` per request is measurable here. */
function pathAndQuery(raw: string): string {
  const slash = raw.indexOf("/", raw.indexOf("//") + 2);
  return slash === -1 ? "/" : raw.slice(slash);
}

export function createHonoApp(app: Taskchain = createApp(process.env)): Hono {
  const server = new Hono();
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => {
      c.header("connection", "close");
      return send(c, app.error(413, "payload_too_large", "The request body is over 1 MiB"));
    },
  });

  // One handler that runs the body limit itself, rather than a chain of app.use() middleware:
  // Hono calls a route's only handler directly, and composing a chain was a measurable share of
  // each request.
  server.all("*", async (c) => {
    const method = c.req.method;
    const url = pathAndQuery(c.req.url);
    const authorization = c.req.header("authorization");
    const contentEncoding = c.req.header("content-encoding");
    // Health, the token and the encoding are answered before the body limit reads anything.
    const early = app.gate({ method, url, authorization, contentEncoding });
    if (early) return send(c, early);
    let answer: Response | undefined;
    const refused = await limit(c, async () => {
      // Hono hands the body over as text; the core parses it, so bad JSON gets its usual 400.
      const text = method === "POST" ? await c.req.text() : undefined;
      answer = send(c, await app.handle({ method, url, authorization, contentEncoding, body: text === undefined ? undefined : { text } }));
    });
    return answer ?? refused ?? send(c, app.error(500, "internal_error", "The webhook failed to answer"));
  });

  server.onError((error, c) => {
    console.error(JSON.stringify({ level: "error", message: "request failed", error: String(error) }));
    return send(c, app.error(500, "internal_error", "The webhook failed to answer"));
  });
  return server;
}
