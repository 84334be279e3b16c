import { createApp } from "./app.ts";
import { listenAddress, loadDotEnv } from "./dotenv.ts";
import { fileRecordSink } from "./record-file.ts";
import { closeServer, exitGracefully, orExit } from "./shutdown.ts";
import { createNodeServer } from "./server.ts";
import { consoleLogger } from "./taskchain/index.ts";
import { redisStoreFromEnv } from "./taskchain/redis-store.ts";

loadDotEnv();
const { port, host } = orExit(() => listenAddress(process.env));
// REDIS_URL set: sessions in Redis, shared by every instance; otherwise in this process's memory.
const store = orExit(() => redisStoreFromEnv(process.env, consoleLogger));
const server = createNodeServer(createApp(process.env, store, fileRecordSink));

server.listen(port, host, () => {
  console.log(`taskchain webhook listening on http://${host === "0.0.0.0" ? "localhost" : host}:${port}`);
});

// Finish in-flight webhook calls, then exit: a deploy never cuts a caller off mid-answer.
exitGracefully(async () => {
  await closeServer(server);
  await store?.close();
});
