// How the contract tests reach this project's server: in-process on an ephemeral port, or an
// already running server when TASKCHAIN_URL (and its TASKCHAIN_TOKEN) are set.
import { createServer } from "node:http";
import { createApp } from "../src/app.ts";
import { silentLogger } from "../src/taskchain/index.ts";
import { createExpressApp } from "../src/server.ts";
import { externalTarget, listenTarget, LOCAL_TOKEN, type Target } from "./target-shared.ts";

export type { Target } from "./target-shared.ts";

// The server under test logs nothing: a line per webhook call would bury the test report.
export async function startTarget(): Promise<Target> {
  // What app.listen() does: a node:http server with the app as its request handler.
  return externalTarget() ?? listenTarget(createServer(createExpressApp(createApp({ TASKCHAIN_TOKEN: LOCAL_TOKEN }, { logger: silentLogger }))), LOCAL_TOKEN);
}
