// How the contract tests reach this project's server: in-process on an ephemeral port, or an
// already running server when TASKCHAIN_URL (and its TASKCHAIN_TOKEN) are set.
import { createApp } from "../src/app.ts";
import { silentLogger } from "../src/taskchain/index.ts";
import { createFastifyApp } from "../src/server.ts";
import { externalTarget, LOCAL_TOKEN, type Target } from "./target-shared.ts";

export type { Target } from "./target-shared.ts";

// The server under test logs nothing: a line per webhook call would bury the test report.
export async function startTarget(): Promise<Target> {
  const external = externalTarget();
  if (external) return external;
  const server = createFastifyApp(createApp({ TASKCHAIN_TOKEN: LOCAL_TOKEN }, { logger: silentLogger }));
  const url = await server.listen({ port: 0, host: "127.0.0.1" });
  return { url, token: LOCAL_TOKEN, close: () => server.close() };
}
