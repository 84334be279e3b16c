import { createApp } from "./app.js";
import { listenAddress, loadDotEnv } from "./dotenv.js";
import { exitGracefully, orExit } from "./shutdown.js";
import { createFastifyApp } from "./server.js";
import { consoleLogger } from "./taskchain/index.js";
import { redisStoreFromEnv } from "./taskchain/redis-store.js";

loadDotEnv();
const { port, host } = orExit(() => listenAddress(process.env));
const store = orExit(() => redisStoreFromEnv(process.env, consoleLogger));
const server = createFastifyApp(createApp(process.env, store));
// Fastify's close() waits for in-flight requests (idle keep-alive sockets are closed at once).
server.addHook("onClose", async () => {
  await store?.close();
});

await server.listen({ port, host });
console.log(`taskchain webhook (fastify) listening on http://${host === "0.0.0.0" ? "localhost" : host}:${port}`);

// Finish in-flight webhook calls, then exit: a deploy never cuts a caller off mid-answer.
exitGracefully(() => server.close());
