// A node:http request's body, read straight off the socket: a web-stream Request body costs more
// than all the rest of a webhook call.
import type { IncomingMessage } from "node:http";
import { MAX_BODY_BYTES } from "./taskchain/index.ts";

/**
 * Reads `req`'s body as UTF-8 text. `onText` gets it once all of it has arrived; `onTooLarge` runs
 * as soon as it is known to be over 1 MiB (from Content-Length, or while it streams), and the rest
 * drains unread. A caller that hangs up mid-upload fires neither "end" nor always "error": then
 * neither callback runs, and nobody is answered.
 */
export function readBody(req: IncomingMessage, onText: (text: string) => void, onTooLarge: () => void): void {
  if (Number(req.headers["content-length"]) > MAX_BODY_BYTES) {
    req.resume();
    return onTooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    // Answered once, on the chunk that crossed the limit; the rest is only counted.
    else if (size - chunk.length <= MAX_BODY_BYTES) {
      chunks.length = 0;
      onTooLarge();
    }
  });
  req.on("end", () => {
    if (size <= MAX_BODY_BYTES) onText((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString("utf8"));
  });
  req.on("error", () => undefined); // a reset connection: there is no one left to answer
}
