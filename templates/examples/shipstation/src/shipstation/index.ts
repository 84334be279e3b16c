// The ShipStation client for this project: V2 when SHIPSTATION_V2_API_KEY is set, V1 with
// SHIPSTATION_API_KEY + SHIPSTATION_API_SECRET (see config.ts). Links call lookupOrders().
import { consoleLogger, type Budget, type Env, type Logger } from "../taskchain/index.ts";
import { readShipStationConfig, type ShipStationConfig } from "./config.ts";
import type { Failure, Lookup, ShipStationClient } from "./types.ts";
import { ShipStationV1 } from "./v1.ts";
import { ShipStationV2 } from "./v2.ts";

export * from "./types.ts";
export { readShipStationConfig, transferNumber, verifyZip } from "./config.ts";

export function createShipStationClient(config: ShipStationConfig, logger: Logger = consoleLogger): ShipStationClient {
  return config.api === "v2" ? new ShipStationV2(config, logger) : new ShipStationV1(config, logger);
}

// One client per environment record: handlers get the same record on every call of one app.
const clients = new WeakMap<Readonly<Env>, ShipStationClient | Failure>();

/** The client for this environment, or why there is none. */
export function shipStation(env: Readonly<Env>, logger: Logger = consoleLogger): ShipStationClient | Failure {
  let client = clients.get(env);
  if (!client) {
    const result = readShipStationConfig(env);
    client = result.ok ? createShipStationClient(result.config, logger) : { reason: "not_configured", detail: result.problem };
    clients.set(env, client);
  }
  return client;
}

function hint(reason: Failure["reason"], api: "v1" | "v2" | undefined): string | undefined {
  if (reason === "unauthorized") {
    return api === "v2"
      ? "check SHIPSTATION_V2_API_KEY (ShipStation > Settings > Account > API Settings; V2 needs a Standard plan or higher)"
      : "check SHIPSTATION_API_KEY and SHIPSTATION_API_SECRET (ShipStation > Settings > Account > API Settings)";
  }
  if (reason === "not_configured") return "callers are transferred to TRANSFER_NUMBER until it is";
  return undefined;
}

/** Orders with exactly this number, newest first, within the call's `budget`; every failure logged once here and returned. */
export async function lookupOrders(orderNumber: string, env: Readonly<Env>, budget: Budget, logger: Logger = consoleLogger): Promise<Lookup> {
  const client = shipStation(env, logger);
  let result: Lookup;
  if ("findOrders" in client) {
    try {
      result = await client.findOrders(orderNumber, budget);
    } catch (error) {
      // The clients return failures rather than throw; this is a last guard so the call goes on.
      result = { ok: false, failure: { reason: "bad_response", detail: error instanceof Error ? error.message : String(error) } };
    }
  } else result = { ok: false, failure: client };

  if (!result.ok) {
    const { reason, detail } = result.failure;
    const api = "api" in client ? client.api : undefined;
    const help = hint(reason, api);
    // Busy, slow or too broad a number: the service works. Anything else needs someone to look.
    const level = reason === "rate_limited" || reason === "timeout" || reason === "too_many_results" || reason === "list_changed" ? "warn" : "error";
    logger[level](
      reason === "unauthorized"
        ? "ShipStation configuration error: the API credentials were refused"
        : reason === "not_configured"
          ? `ShipStation configuration error: ${detail}`
          : `ShipStation lookup failed: ${reason}`,
      { reason, detail, ...(api && { api }), ...(help && { hint: help }) },
    );
  }
  return result;
}
