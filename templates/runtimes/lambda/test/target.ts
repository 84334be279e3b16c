// How the contract tests reach this project's handler: through a local API Gateway stand-in
// (src/gateway.ts) on an ephemeral port, which turns each HTTP request into a payload 2.0 event;
// or an already running server when TASKCHAIN_URL (and its TASKCHAIN_TOKEN) are set.
import { createApp } from "../src/app.ts";
import { silentLogger } from "../src/taskchain/index.ts";
import { createGateway } from "../src/gateway.ts";
import { createLambdaHandler } from "../src/server.ts";
import { externalTarget, listenTarget, LOCAL_TOKEN, type Target } from "./target-shared.ts";

export type { Target } from "./target-shared.ts";

// The server under test logs nothing: a line per webhook call would bury the test report.
export async function startTarget(): Promise<Target> {
  return externalTarget() ?? listenTarget(createGateway(createLambdaHandler(createApp({ TASKCHAIN_TOKEN: LOCAL_TOKEN }, { logger: silentLogger }))), LOCAL_TOKEN);
}
