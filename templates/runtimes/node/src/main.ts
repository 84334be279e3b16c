import { createApp } from "./app.ts";
import { listenAddress, loadDotEnv } from "./dotenv.ts";
import { fileRecordSink } from "./record-file.ts";
import { closeServer, exitGracefully, listen, orExit } from "./shutdown.ts";
import { stderrLogger } from "./stderr-logger.ts";
import { createNodeServer } from "./server.ts";
import { sessionStoreFromEnv } from "./sessions.ts";

loadDotEnv();
const { port, host } = orExit(() => listenAddress(process.env));
const logger = stderrLogger();
const store = orExit(() => sessionStoreFromEnv(process.env, logger));
const taskchain = createApp(process.env, { store, recordFile: fileRecordSink, logger });
const server = createNodeServer(taskchain);

listen(server, port, host, "taskchain webhook");

// Finish in-flight webhook calls and the saves that outlived them, then exit: a deploy never cuts a caller off mid-answer.
exitGracefully(async () => {
  await closeServer(server);
  await taskchain.settled();
  await store.close?.();
});
