// Which ShipStation API to use, and how, from an environment record (process.env on Node, the
// Worker's env on Cloudflare). See .env.example for every variable.
import type { Env } from "../taskchain/index.ts";

export const V1_BASE_URL = "https://ssapi.shipstation.com";
/** The V2 paths start with /v2 (see the OpenAPI spec's `servers`). A base URL given with /v2 loses it. */
export const V2_BASE_URL = "https://api.shipstation.com";

export interface ShipStationConfig {
  api: "v1" | "v2";
  baseUrl: string;
  headers: Record<string, string>;
}

export type ConfigResult = { ok: true; config: ShipStationConfig } | { ok: false; problem: string };

/** An unset or blank variable is absent (.env.example leaves them blank). */
function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function baseUrl(env: Env, name: string, fallback: string, strip?: RegExp): string | { problem: string } {
  const value = read(env, name) ?? fallback;
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http");
  } catch {
    return { problem: `${name} is not an http(s) URL: ${JSON.stringify(value)}` };
  }
  const url = value.replace(/\/+$/, "");
  return strip ? url.replace(strip, "") : url;
}

export function readShipStationConfig(env: Env): ConfigResult {
  const forced = read(env, "SHIPSTATION_API")?.toLowerCase();
  if (forced !== undefined && forced !== "v1" && forced !== "v2") {
    return { ok: false, problem: `SHIPSTATION_API must be v1 or v2, not ${JSON.stringify(forced)}` };
  }
  const v2Key = read(env, "SHIPSTATION_V2_API_KEY");
  const v1Key = read(env, "SHIPSTATION_API_KEY");
  const v1Secret = read(env, "SHIPSTATION_API_SECRET");

  // V2 when its key is there (ShipStation advises it for new integrations), unless SHIPSTATION_API says v1.
  const useV2 = forced === "v2" || (forced === undefined && v2Key !== undefined);
  if (useV2) {
    if (!v2Key) return { ok: false, problem: "SHIPSTATION_API is v2 but SHIPSTATION_V2_API_KEY is not set" };
    // ShipStation's docs give the V2 base URL as https://api.shipstation.com/v2.
    const url = baseUrl(env, "SHIPSTATION_V2_BASE_URL", V2_BASE_URL, /\/v2$/i);
    if (typeof url !== "string") return { ok: false, ...url };
    return { ok: true, config: { api: "v2", baseUrl: url, headers: { "API-Key": v2Key } } };
  }
  if (v1Key && v1Secret) {
    const url = baseUrl(env, "SHIPSTATION_V1_BASE_URL", V1_BASE_URL);
    if (typeof url !== "string") return { ok: false, ...url };
    return { ok: true, config: { api: "v1", baseUrl: url, headers: { authorization: `Basic ${btoa(`${v1Key}:${v1Secret}`)}` } } };
  }
  if (v1Key) return { ok: false, problem: "SHIPSTATION_API_KEY is set but SHIPSTATION_API_SECRET is not (API V1 needs both)" };
  if (v1Secret) return { ok: false, problem: "SHIPSTATION_API_SECRET is set but SHIPSTATION_API_KEY is not (API V1 needs both)" };
  return {
    ok: false,
    problem: "ShipStation is not configured: set SHIPSTATION_V2_API_KEY (API V2), or SHIPSTATION_API_KEY and SHIPSTATION_API_SECRET (API V1)",
  };
}

/** Where callers go for a human, or undefined when TRANSFER_NUMBER is not set. */
export function transferNumber(env: Env): string | undefined {
  return read(env, "TRANSFER_NUMBER");
}

/** ORDER_LOOKUP_VERIFY_ZIP=true: the caller must give the shipping ZIP code that matches the order. */
export function verifyZip(env: Env): boolean {
  return /^(1|true|yes|on)$/i.test(read(env, "ORDER_LOOKUP_VERIFY_ZIP") ?? "");
}
