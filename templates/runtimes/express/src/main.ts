import { createApp } from "./app.ts";
import { listenAddress, loadDotEnv } from "./dotenv.ts";
import { fileRecordSink } from "./record-file.ts";
import { closeServer, exitGracefully, orExit } from "./shutdown.ts";
import { stderrLogger } from "./stderr-logger.ts";
import { createExpressApp } from "./server.ts";
import { sessionStoreFromEnv } from "./sessions.ts";

loadDotEnv();
const { port, host } = orExit(() => listenAddress(process.env));
const logger = stderrLogger();
const store = orExit(() => sessionStoreFromEnv(process.env, logger));
const server = createExpressApp(createApp(process.env, { store, recordFile: fileRecordSink, logger })).listen(port, host, () => {
  console.log(`taskchain webhook (express) listening on http://${host === "0.0.0.0" ? "localhost" : host}:${port}`);
});

// Finish in-flight webhook calls, then exit: a deploy never cuts a caller off mid-answer.
exitGracefully(async () => {
  await closeServer(server);
  await store.close?.();
});
