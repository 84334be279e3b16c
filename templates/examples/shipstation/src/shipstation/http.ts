// GET + JSON + zod for both ShipStation APIs, with the failure handling a phone call needs: every
// request stops when the webhook call's time budget runs out, a 429 is retried once when the
// server's wait and the retry fit in the time left, and every other problem becomes a `Failure`
// (never a throw).
import { z } from "zod";
import type { Budget } from "../taskchain/index.ts";
import type { ShipStationConfig } from "./config.ts";
import type { Failure, FailureReason } from "./types.ts";

/** After a 429 wait, the retry must still have this long. */
export const MIN_RETRY_TIME_MS = 1_000;

export interface RequestOptions {
  baseUrl: string;
  headers: Record<string, string>;
  /** The webhook call's: its signal ends every request when the caller cannot wait any longer. */
  budget: Budget;
  /** The wait a 429 answer asks for, in ms (V1: X-Rate-Limit-Reset, V2: Retry-After). */
  retryAfterMs(headers: Headers): number | undefined;
}

/** The options for one lookup on either API: the config's endpoint and auth, within the call's budget. */
export function lookupOptions(config: ShipStationConfig, budget: Budget, retryAfterMs: RequestOptions["retryAfterMs"]): RequestOptions {
  return { baseUrl: config.baseUrl, headers: config.headers, budget, retryAfterMs };
}

/** The fields of every paged list, on V1 and V2 alike. */
export const PAGE_FIELDS = { total: z.number().int(), page: z.number().int(), pages: z.number().int() };

export type Fetched<T> = { ok: true; data: T } | { ok: false; failure: Failure };

/**
 * The pages of a list a lookup reads at most. A short number can prefix-match thousands of V1
 * orders; reading them all would take the caller's time and the API's rate limit (40 a minute).
 */
export const MAX_PAGES = 4;

/**
 * A paged list read whole, or what could be read of it, without repeats. `shortfall` says why it
 * may not be the whole list: more than MAX_PAGES pages, a later page that failed, or a list that
 * changed between two page reads. The items read are still real, but absence from them proves nothing.
 */
export type PagedList<T> = { ok: true; items: T[]; shortfall?: Failure } | { ok: false; failure: Failure };

const fail = (reason: FailureReason, detail: string): { ok: false; failure: Failure } => ({ ok: false, failure: { reason, detail } });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

/** `Retry-After`: seconds or an HTTP date. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** GET `path?query` and validate the JSON body with `schema`. */
export async function getJson<S extends z.ZodType>(
  options: RequestOptions,
  path: string,
  query: Record<string, string>,
  schema: S,
): Promise<Fetched<z.output<S>>> {
  const url = `${options.baseUrl.replace(/\/+$/, "")}${path}?${new URLSearchParams(query)}`;
  let retried = false;
  for (;;) {
    if (options.budget.timeLeft() <= 0) return fail("timeout", `out of time before GET ${path}`);
    let status: number;
    let headers: Headers;
    let text: string;
    try {
      // The signal covers the body too: a server that stalls mid-answer times out as well.
      const res = await fetch(url, { headers: { accept: "application/json", ...options.headers }, signal: options.budget.signal });
      status = res.status;
      headers = res.headers;
      text = await res.text();
    } catch (error) {
      if (isTimeout(error)) return fail("timeout", `GET ${path} got no answer within the call's time budget`);
      return fail("network", `GET ${path} failed: ${error instanceof Error ? error.message : String(error)}`);
    }

    if (status === 429) {
      const wait = options.retryAfterMs(headers);
      // Once, and only when the wait and another request still fit in the call's time budget
      // (WEBHOOK_BUDGET_MS): how long the caller may be kept waiting.
      if (!retried && wait !== undefined && wait + MIN_RETRY_TIME_MS < options.budget.timeLeft()) {
        retried = true;
        await sleep(wait);
        continue;
      }
      const hint = wait === undefined ? "no wait given" : `asked to wait ${Math.round(wait)} ms`;
      return fail("rate_limited", `GET ${path} was rate limited (429, ${hint}${retried ? ", after one retry" : ""})`);
    }
    if (status === 401 || status === 403) return fail("unauthorized", `GET ${path} answered ${status}: the API credentials were refused`);
    if (status >= 500) return fail("server_error", `GET ${path} answered ${status}`);
    if (status < 200 || status >= 300) return fail("bad_request", `GET ${path} answered ${status}: ${text.slice(0, 200)}`);

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return fail("bad_response", `GET ${path} answered ${status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.map(String).join(".") || "(root)";
      return fail("bad_response", `GET ${path} answered JSON of an unexpected shape at ${where}: ${issue?.message ?? "invalid"}`);
    }
    return { ok: true, data: parsed.data };
  }
}

/** How to read one paged list: its page schema, the items on a page, an item's id, and what it is (for the logs). */
export interface ListShape<S extends z.ZodType<{ total: number; pages: number }>, T> {
  schema: S;
  items(page: z.output<S>): T[];
  id(item: T): string | number;
  what: string;
}

/**
 * GET every page of a paged list (V1 and V2 both count `page` from 1 and answer `total` and
 * `pages`), at most `maxPages`, in parallel, as one list. An item read twice (the list moved
 * between two reads) is kept once.
 */
export async function getList<S extends z.ZodType<{ total: number; pages: number }>, T>(
  options: RequestOptions,
  path: string,
  query: Record<string, string>,
  shape: ListShape<S, T>,
  maxPages = MAX_PAGES,
): Promise<PagedList<T>> {
  const first = await getJson(options, path, { ...query, page: "1" }, shape.schema);
  if (!first.ok) return first;
  const { total, pages } = first.data;
  const rest = await Promise.all(Array.from({ length: Math.max(0, Math.min(pages, maxPages) - 1) }, (_, i) => getJson(options, path, { ...query, page: String(i + 2) }, shape.schema)));
  const byId = new Map(shape.items(first.data).map((item) => [shape.id(item), item]));
  let shortfall: Failure | undefined;
  for (const r of rest) {
    if (!r.ok) shortfall ??= r.failure;
    else {
      for (const item of shape.items(r.data)) byId.set(shape.id(item), item);
      // Items came or went after page 1 was read: some may have moved onto a page not read.
      if (r.data.total !== total || r.data.pages !== pages) shortfall ??= { reason: "list_changed", detail: `the ${shape.what} changed while they were read (${total} then ${r.data.total})` };
    }
  }
  if (pages > maxPages) shortfall ??= { reason: "too_many_results", detail: `more than ${maxPages} pages of ${shape.what}` };
  return { ok: true, items: [...byId.values()], ...(shortfall && { shortfall }) };
}
