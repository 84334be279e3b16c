// The express runtime: Express 5 parses and limits the body; the core answers.
import express, { type ErrorRequestHandler, type Express, type Response } from "express";
import { createApp } from "./app.ts";
import { consoleLogger, describeThrown, MAX_BODY_BYTES, type HttpAnswer, type Taskchain } from "./taskchain/index.ts";

function send(res: Response, answer: HttpAnswer): void {
  res.status(answer.status).set(answer.headers).send(answer.body);
}

export function createExpressApp(app: Taskchain = createApp(process.env)): Express {
  const server = express();
  server.disable("x-powered-by");
  server.set("etag", false);
  // Health, the token and the encoding are answered before express reads a byte of the body.
  // req.url, not originalUrl: mounted under a path (`outer.use("/taskchain", …)`), routes stay /<link>.
  server.use((req, res, next) => {
    const early = app.gate({ method: req.method, url: req.url, authorization: req.get("authorization"), contentEncoding: req.get("content-encoding"), caller: req.get("x-taskchain-caller") });
    if (early) Promise.resolve(early).then((answer) => send(res, answer), next);
    else next();
  });
  // Only POST carries a payload. Any content type is read as JSON (strict: false lets the core's
  // schema, not the parser, judge a bare string or number); over 1 MiB is express's own 413.
  const json = express.json({ limit: MAX_BODY_BYTES, strict: false, type: () => true });
  server.use((req, res, next) => (req.method === "POST" ? json(req, res, next) : next()));

  server.use(async (req, res, next) => {
    try {
      const body: unknown = req.body;
      const answer = await app.handle({
        method: req.method,
        url: req.url,
        authorization: req.get("authorization"),
        contentEncoding: req.get("content-encoding"),
        body: body === undefined ? undefined : { json: body },
      });
      send(res, answer);
    } catch (error) {
      next(error);
    }
  });

  // The body parser's errors (and anything thrown above) become the core's JSON error bodies.
  const onError: ErrorRequestHandler = (error: { type?: string; status?: number; message?: string }, _req, res, next) => {
    if (res.headersSent) return next(error);
    if (error.type === "entity.too.large") {
      res.set("connection", "close");
      return send(res, app.error(413, "payload_too_large", "The request body is over 1 MiB"));
    }
    if (error.type === "entity.parse.failed") return send(res, app.error(400, "invalid_json", "The request body is not valid JSON"));
    // Anything else the parser refuses (a charset it cannot decode: 415, an aborted upload: 400) keeps its status.
    if (error.status !== undefined && error.status >= 400 && error.status < 500) return send(res, app.error(error.status, "bad_request", error.message ?? "Bad request"));
    consoleLogger.error("request failed", { error: describeThrown(error) });
    send(res, app.error(500, "internal_error", "The webhook failed to answer"));
  };
  server.use(onError);
  return server;
}
