// What every runtime's test/target.ts shares: the Target the contract suite talks to, the already
// running server named by TASKCHAIN_URL, and an in-process node:http server on an ephemeral port.
// Each runtime's target.ts keeps only how it builds its own server.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Target {
  url: string;
  token: string;
  close(): Promise<void>;
}

/** The token in-process targets are started with. */
export const LOCAL_TOKEN = "contract-test-token";

/** The already running server when TASKCHAIN_URL (and its TASKCHAIN_TOKEN) are set; else undefined. */
export function externalTarget(): Target | undefined {
  const external = process.env.TASKCHAIN_URL;
  if (!external) return undefined;
  const token = process.env.TASKCHAIN_TOKEN;
  if (!token) throw new Error("TASKCHAIN_URL is set: set TASKCHAIN_TOKEN to that server's token too (the contract checks auth)");
  return { url: external.replace(/\/$/, ""), token, close: async () => {} };
}

/** `server` listening on an ephemeral 127.0.0.1 port; closing the Target closes the server. */
export async function listenTarget(server: Server, token: string): Promise<Target> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
