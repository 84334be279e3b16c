import { serve } from "@hono/node-server";
import type { Server } from "node:http";
import { createApp } from "./app.ts";
import { listenAddress, loadDotEnv } from "./dotenv.ts";
import { fileRecordSink } from "./record-file.ts";
import { closeServer, exitGracefully, orExit } from "./shutdown.ts";
import { stderrLogger } from "./stderr-logger.ts";
import { createHonoApp } from "./server.ts";
import { sessionStoreFromEnv } from "./sessions.ts";

loadDotEnv();
const { port, host } = orExit(() => listenAddress(process.env));
const logger = stderrLogger();
const store = orExit(() => sessionStoreFromEnv(process.env, logger));
const app = createHonoApp(createApp(process.env, { store, recordFile: fileRecordSink, logger }));
// serve() makes a node:http server unless told otherwise.
const server = serve({ fetch: app.fetch, port, hostname: host }, () => {
  console.log(`taskchain webhook (hono) listening on http://${host === "0.0.0.0" ? "localhost" : host}:${port}`);
}) as Server;

// Finish in-flight webhook calls, then exit: a deploy never cuts a caller off mid-answer.
exitGracefully(async () => {
  await closeServer(server);
  await store.close?.();
});
