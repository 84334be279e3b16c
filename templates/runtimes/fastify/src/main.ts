import { createApp } from "./app.js";
import { createFastifyApp } from "./server.js";
import { redisStoreFromEnv } from "./taskchain/redis-store.js";

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "0.0.0.0";
const store = redisStoreFromEnv(process.env);
const server = createFastifyApp(createApp(process.env, store));
// Fastify's close() waits for in-flight requests (idle keep-alive sockets are closed at once).
server.addHook("onClose", async () => {
  await store?.close();
});

await server.listen({ port, host });
console.log(`taskchain webhook (fastify) listening on http://${host === "0.0.0.0" ? "localhost" : host}:${port}`);

// Finish in-flight webhook calls, then exit: a deploy never cuts a caller off mid-answer.
function shutdown(signal: string): void {
  console.log(`${signal}: closing`);
  void server.close().then(() => process.exit(0));
  setTimeout(() => process.exit(0), 10_000).unref();
}
process.once("SIGTERM", () => shutdown("SIGTERM"));
process.once("SIGINT", () => shutdown("SIGINT"));
