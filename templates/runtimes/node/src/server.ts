// The node runtime: node:http, no framework.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createApp } from "./app.js";
import { MAX_BODY_BYTES, type HttpAnswer, type Taskchain } from "./taskchain/index.js";

function send(res: ServerResponse, answer: HttpAnswer): void {
  res.writeHead(answer.status, { ...answer.headers, "content-length": Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

/** Reads the body up to MAX_BODY_BYTES; undefined when it is larger. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (declared > MAX_BODY_BYTES) return resolve(undefined);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.removeAllListeners("data");
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
    // A client that hangs up mid-upload fires neither "end" nor always "error".
    req.on("close", () => {
      if (!req.complete) reject(new Error("client aborted the request"));
    });
  });
}

export function createNodeServer(app: Taskchain = createApp(process.env)): Server {
  return createServer(async (req, res) => {
    try {
      const method = req.method ?? "GET";
      let text: string | undefined;
      if (method === "POST") {
        text = await readBody(req);
        if (text === undefined) {
          res.setHeader("connection", "close");
          return send(res, app.error(413, "payload_too_large", "The request body is over 1 MiB"));
        }
      }
      const answer = await app.handle({
        method,
        url: req.url ?? "/",
        authorization: req.headers.authorization,
        body: text === undefined ? undefined : { text },
      });
      send(res, answer);
    } catch (error) {
      if (res.destroyed || req.socket.destroyed) return; // the caller hung up: nobody to answer, nothing to log
      console.error(JSON.stringify({ level: "error", message: "request failed", error: String(error) }));
      if (!res.headersSent) send(res, app.error(500, "internal_error", "The webhook failed to answer"));
      else res.destroy();
    }
  });
}
