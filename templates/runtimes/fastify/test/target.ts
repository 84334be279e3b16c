// How the contract tests reach this project's server: in-process on an ephemeral port, or an
// already running server when TASKCHAIN_URL (and its TASKCHAIN_TOKEN) are set.
import { createApp } from "../src/app.js";
import { createFastifyApp } from "../src/server.js";

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
  const server = createFastifyApp(createApp({ TASKCHAIN_TOKEN: token }));
  const url = await server.listen({ port: 0, host: "127.0.0.1" });
  return { url, token, close: () => server.close() };
}
