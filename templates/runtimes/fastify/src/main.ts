import { createApp } from "./app.ts";
import { listenAddress, loadDotEnv } from "./dotenv.ts";
import { fileRecordSink } from "./record-file.ts";
import { cannotListen, exitGracefully, orExit } from "./shutdown.ts";
import { stderrLogger } from "./stderr-logger.ts";
import { createFastifyApp } from "./server.ts";
import { sessionStoreFromEnv } from "./sessions.ts";

loadDotEnv();
const { port, host } = orExit(() => listenAddress(process.env));
const logger = stderrLogger();
const store = orExit(() => sessionStoreFromEnv(process.env, logger));
const taskchain = createApp(process.env, { store, recordFile: fileRecordSink, logger });
const server = createFastifyApp(taskchain);
// Fastify's close() waits for in-flight requests (idle keep-alive sockets are closed at once).
server.addHook("onClose", async () => {
  await taskchain.settled();
  await store.close?.();
});

await server.listen({ port, host }).catch((error: unknown) => cannotListen(error, port, host));
console.log(`taskchain webhook (fastify) listening on http://${host === "0.0.0.0" ? "localhost" : host}:${port}`);

// Finish in-flight webhook calls and the saves that outlived them, then exit: a deploy never cuts a caller off mid-answer.
exitGracefully(() => server.close());
