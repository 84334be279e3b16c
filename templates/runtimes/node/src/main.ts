import { createNodeServer } from "./server.js";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "0.0.0.0";
const server = createNodeServer();

server.listen(port, host, () => {
  console.log(`taskchain webhook listening on http://${host === "0.0.0.0" ? "localhost" : host}:${port}`);
});

// Finish in-flight webhook calls, then exit: a deploy never cuts a caller off mid-answer.
function shutdown(signal: string): void {
  console.log(`${signal}: closing`);
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
}
process.once("SIGTERM", () => shutdown("SIGTERM"));
process.once("SIGINT", () => shutdown("SIGINT"));
