import { createApp } from "./app.js";
import { createExpressApp } from "./server.js";
import { redisStoreFromEnv } from "./taskchain/redis-store.js";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "0.0.0.0";
const store = redisStoreFromEnv(process.env);
const server = createExpressApp(createApp(process.env, store)).listen(port, host, () => {
  console.log(`taskchain webhook (express) listening on http://${host === "0.0.0.0" ? "localhost" : host}:${port}`);
});

// Finish in-flight webhook calls, then exit: a deploy never cuts a caller off mid-answer.
function shutdown(signal: string): void {
  console.log(`${signal}: closing`);
  server.close(() => {
    void (store?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  });
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
}
process.once("SIGTERM", () => shutdown("SIGTERM"));
process.once("SIGINT", () => shutdown("SIGINT"));
