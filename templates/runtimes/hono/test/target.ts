// How the contract tests reach this project's server: in-process on an ephemeral port, or an
// already running server when TASKCHAIN_URL (and its TASKCHAIN_TOKEN) are set.
import { createAdaptorServer } from "@hono/node-server";
import type { Server } from "node:http";
import { createApp } from "../src/app.ts";
import { silentLogger } from "../src/taskchain/index.ts";
import { createHonoApp } from "../src/server.ts";
import { externalTarget, listenTarget, LOCAL_TOKEN, type Target } from "./target-shared.ts";

export type { Target } from "./target-shared.ts";

// The server under test logs nothing: a line per webhook call would bury the test report.
export async function startTarget(): Promise<Target> {
  const external = externalTarget();
  if (external) return external;
  const app = createHonoApp(createApp({ TASKCHAIN_TOKEN: LOCAL_TOKEN }, { logger: silentLogger }));
  // The server serve() would listen on (a node:http one unless told otherwise), not yet listening.
  return listenTarget(createAdaptorServer({ fetch: app.fetch, hostname: "127.0.0.1" }) as Server, LOCAL_TOKEN);
}
