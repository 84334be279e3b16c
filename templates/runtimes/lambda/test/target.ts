// How the contract tests reach this project's handler: through a local API Gateway stand-in
// (src/gateway.ts) on an ephemeral port, which turns each HTTP request into a payload 2.0 event;
// or an already running server when TASKCHAIN_URL (and its TASKCHAIN_TOKEN) are set.
import type { AddressInfo } from "node:net";
import { createApp } from "../src/app.js";
import { createGateway } from "../src/gateway.js";
import { createLambdaHandler } from "../src/server.js";

export interface Target {
  url: string;
  token: string;
  close(): Promise<void>;
}

export async function startTarget(): Promise<Target> {
  const external = process.env.TASKCHAIN_URL;
  if (external) {
    const token = process.env.TASKCHAIN_TOKEN;
    if (!token) throw new Error("TASKCHAIN_URL is set: set TASKCHAIN_TOKEN to that server's token too (the contract checks auth)");
    return { url: external.replace(/\/$/, ""), token, close: async () => {} };
  }
  const token = "contract-test-token";
  const server = createGateway(createLambdaHandler(createApp({ TASKCHAIN_TOKEN: token })));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
