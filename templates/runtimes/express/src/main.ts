import { createApp } from "./app.ts";
import { listenAddress, loadDotEnv } from "./dotenv.ts";
import { fileRecordSink } from "./record-file.ts";
import { closeServer, exitGracefully, orExit } from "./shutdown.ts";
import { createExpressApp } from "./server.ts";
import { consoleLogger } from "./taskchain/index.ts";
import { redisStoreFromEnv } from "./taskchain/redis-store.ts";

loadDotEnv();
const { port, host } = orExit(() => listenAddress(process.env));
const store = orExit(() => redisStoreFromEnv(process.env, consoleLogger));
const server = createExpressApp(createApp(process.env, store, fileRecordSink)).listen(port, host, () => {
  console.log(`taskchain webhook (express) listening on http://${host === "0.0.0.0" ? "localhost" : host}:${port}`);
});

// Finish in-flight webhook calls, then exit: a deploy never cuts a caller off mid-answer.
exitGracefully(async () => {
  await closeServer(server);
  await store?.close();
});
