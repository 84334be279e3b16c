// How the contract tests reach this project's server: in-process on an ephemeral port, or an
// already running server when TASKCHAIN_URL (and its TASKCHAIN_TOKEN) are set.
import type { AddressInfo } from "node:net";
import { createApp } from "../src/app.js";
import { createExpressApp } from "../src/server.js";

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
  const app = createExpressApp(createApp({ TASKCHAIN_TOKEN: token }));
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
