// The node runtime: node:http, no framework.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createApp } from "./app.js";
import { MAX_BODY_BYTES, type HttpAnswer, type HttpRequest, type Taskchain } from "./taskchain/index.js";

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
      console.error(JSON.stringify({ level: "error", message: "request failed", error: String(error) }));
      if (!res.headersSent) send(res, app.error(500, "internal_error", "The webhook failed to answer"));
      else res.destroy();
    },
  );
}

function tooLarge(app: Taskchain, res: ServerResponse, request: HttpRequest): void {
  res.setHeader("connection", "close");
  // Health, the token and the encoding come first, as on every runtime: without the token, a
  // caller learns nothing from the body.
  send(res, app.gate(request) ?? app.error(413, "payload_too_large", "The request body is over 1 MiB"));
}

export function createNodeServer(app: Taskchain = createApp(process.env)): Server {
  // Callbacks, not a promise per body: a caller that hangs up mid-upload fires neither "end" nor
  // always "error", and then simply gets no answer; nothing waits on it.
  return createServer((req, res) => {
    const method = req.method ?? "GET";
    const request: HttpRequest = { method, url: req.url ?? "/", authorization: req.headers.authorization, contentEncoding: req.headers["content-encoding"] };
    if (method !== "POST") {
      reply(app, req, res, request);
      return;
    }
    if (Number(req.headers["content-length"]) > MAX_BODY_BYTES) {
      req.resume();
      tooLarge(app, res, request);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      if (size > MAX_BODY_BYTES) return; // answered already: the rest drains unread
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else {
        chunks.length = 0;
        tooLarge(app, res, request);
      }
    });
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) return;
      request.body = { text: (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString("utf8") };
      reply(app, req, res, request);
    });
    req.on("error", () => undefined); // a reset connection: there is no one left to answer
  });
}
