import { createAdaptorServer } from "@hono/node-server";
import type { Server } from "node:http";
import { createApp } from "./app.ts";
import { listenAddress, loadDotEnv } from "./dotenv.ts";
import { fileRecordSink } from "./record-file.ts";
import { closeServer, exitGracefully, listen, orExit } from "./shutdown.ts";
import { stderrLogger } from "./stderr-logger.ts";
import { createHonoApp } from "./server.ts";
import { sessionStoreFromEnv } from "./sessions.ts";

loadDotEnv();
const { port, host } = orExit(() => listenAddress(process.env));
const logger = stderrLogger();
const store = orExit(() => sessionStoreFromEnv(process.env, logger));
const taskchain = createApp(process.env, { store, recordFile: fileRecordSink, logger });
const app = createHonoApp(taskchain);
// The node:http server serve() would make, started by listen() so a port in use is one clear line.
const server = createAdaptorServer({ fetch: app.fetch }) as Server;
listen(server, port, host, "taskchain webhook (hono)");

// Finish in-flight webhook calls and the saves that outlived them, then exit: a deploy never cuts a caller off mid-answer.
exitGracefully(async () => {
  await closeServer(server);
  await taskchain.settled();
  await store.close?.();
});
