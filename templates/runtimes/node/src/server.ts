// The node runtime: node:http, no framework.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createApp } from "./app.ts";
import { readBody } from "./body.ts";
import { consoleLogger, describeThrown, type HttpAnswer, type HttpRequest, type Taskchain } from "./taskchain/index.ts";

function send(res: ServerResponse, answer: HttpAnswer): void {
  // A string body, not a Buffer: node:http then sends headers and body in one write.
  res.writeHead(answer.status, { ...answer.headers, "content-length": Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

function reply(app: Taskchain, req: IncomingMessage, res: ServerResponse, request: HttpRequest): void {
  app.handle(request).then(
    (answer) => send(res, answer),
    (error: unknown) => {
      if (res.destroyed || req.socket.destroyed) return; // the caller hung up: nobody to answer, nothing to log
      consoleLogger.error("request failed", { error: describeThrown(error) });
      if (!res.headersSent) send(res, app.error(500, "internal_error", "The webhook failed to answer"));
      else res.destroy();
    },
  );
}

export function createNodeServer(app: Taskchain = createApp(process.env)): Server {
  return createServer((req, res) => {
    const request: HttpRequest = { method: req.method ?? "GET", url: req.url ?? "/", authorization: req.headers.authorization, contentEncoding: req.headers["content-encoding"], caller: req.headers["x-taskchain-caller"]?.toString() };
    if (request.method !== "POST") return reply(app, req, res, request);
    // Health, the token and the encoding are answered before a byte of the body is read, as on
    // every runtime: a caller without the token learns nothing from the body and is not waited for.
    const early = app.gate(request);
    if (early) {
      // The body is read and dropped while the answer goes out, and the connection stays open:
      // closing it with bytes unread resets it under a caller still sending, who never sees the answer.
      req.resume();
      return void Promise.resolve(early).then((answer) => send(res, answer));
    }
    readBody(
      req,
      (text) => {
        request.body = { text };
        reply(app, req, res, request);
      },
      () => {
        send(res, app.error(413, "payload_too_large", "The request body is over 1 MiB"));
      },
    );
  });
}
