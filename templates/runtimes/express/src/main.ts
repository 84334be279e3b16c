import { createServer } from "node:http";
import { createApp } from "./app.ts";
import { listenAddress, loadDotEnv } from "./dotenv.ts";
import { fileRecordSink } from "./record-file.ts";
import { closeServer, exitGracefully, listen, orExit } from "./shutdown.ts";
import { stderrLogger } from "./stderr-logger.ts";
import { createExpressApp } from "./server.ts";
import { sessionStoreFromEnv } from "./sessions.ts";

loadDotEnv();
const { port, host } = orExit(() => listenAddress(process.env));
const logger = stderrLogger();
const store = orExit(() => sessionStoreFromEnv(process.env, logger));
// What app.listen() makes, started by listen(): Express 5's own listen() exits 0 on a port in use.
const taskchain = createApp(process.env, { store, recordFile: fileRecordSink, logger });
const server = createServer(createExpressApp(taskchain));
listen(server, port, host, "taskchain webhook (express)");

// Finish in-flight webhook calls and the saves that outlived them, then exit: a deploy never cuts a caller off mid-answer.
exitGracefully(async () => {
  await closeServer(server);
  await taskchain.settled();
  await store.close?.();
});
