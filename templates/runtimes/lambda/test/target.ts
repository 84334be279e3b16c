// How the contract tests reach this project's handler: through a local API Gateway stand-in
// (src/gateway.ts) on an ephemeral port, which turns each HTTP request into a payload 2.0 event;
// or an already running server when TASKCHAIN_URL (and its TASKCHAIN_TOKEN) are set.
import { createApp } from "../src/app.js";
import { createGateway } from "../src/gateway.js";
import { createLambdaHandler } from "../src/server.js";
import { externalTarget, listenTarget, LOCAL_TOKEN, type Target } from "./target-shared.js";

export type { Target } from "./target-shared.js";

export async function startTarget(): Promise<Target> {
  return externalTarget() ?? listenTarget(createGateway(createLambdaHandler(createApp({ TASKCHAIN_TOKEN: LOCAL_TOKEN }))), LOCAL_TOKEN);
}
