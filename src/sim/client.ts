// Talks to a webhook the way Agent4 does (JSON POSTs) and judges each answer against the protocol.
import {
  PARAMETER_BLOCKS,
  ParameterBlockSchema,
  ResponseSchema,
  type ParameterBlock,
  type PayloadInput,
  type TaskchainResponse,
} from "../../templates/base/src/taskchain/protocol.js";
import * as z from "zod";
import { formatPath } from "../format-path.js";
import type { Outcome } from "../protocol/outcomes.js";

// The reference asks only for a "unique identifier" as the key; a UUID is our own runtime's choice
// (DESIGN), so a server in another language may use any non-empty string.
// A parameter block is "a JSON schema", where `required` may be left out when nothing is required
// (pydantic's model_json_schema() does): it reads as `[]`.
const block = z.preprocess(
  (value) => (typeof value === "object" && value !== null && !Array.isArray(value) && !("required" in value) ? { ...value, required: [] } : value),
  ParameterBlockSchema,
);
const WireResponseSchema = ResponseSchema.extend({
  key: z.string().min(1),
  qualified_parameters: block.optional(),
  disqualified_parameters: block.optional(),
  interrupt_parameters: block.optional(),
});

export interface HttpResult {
  /** undefined when the request never got an answer (refused, timed out, …). */
  status?: number;
  contentType: string;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json?: unknown;
  isJson: boolean;
  /** Why no answer arrived (e.g. ECONNREFUSED). */
  error?: string;
  /** From sending the request to reading the whole answer, in ms. */
  ms: number;
}

export interface ClientOptions {
  token?: string | undefined;
  timeoutMs?: number;
}

export class WebhookClient {
  readonly #token: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: ClientOptions = {}) {
    this.#token = options.token || undefined;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** POSTs a payload (or, for malformed-input checks, raw text). `auth: false` leaves the token out. */
  async post(url: string, body: PayloadInput | { raw: string } | Record<string, unknown>, options: { auth?: boolean } = {}): Promise<HttpResult> {
    const text = "raw" in body && typeof body.raw === "string" ? body.raw : JSON.stringify(body);
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (this.#token && options.auth !== false) headers.authorization = `Bearer ${this.#token}`;
    return this.#request(url, { method: "POST", headers, body: text });
  }

  async get(url: string): Promise<HttpResult> {
    return this.#request(url, { method: "GET", headers: { accept: "application/json" } });
  }

  async #request(url: string, init: RequestInit): Promise<HttpResult> {
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.#timeoutMs), redirect: "manual" });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      return { contentType: "", text: "", isJson: false, error: String(reason), ms: performance.now() - started };
    }
    const text = await res.text();
    const ms = performance.now() - started;
    const contentType = res.headers.get("content-type") ?? "";
    let json: unknown;
    let isJson = false;
    try {
      json = JSON.parse(text);
      isJson = true;
    } catch {
      json = undefined;
    }
    return { status: res.status, contentType, text, json, isJson, ms };
  }
}

export interface Finding {
  /** A stable check name, e.g. `response-shape`. */
  check: string;
  message: string;
}

export interface Inspection {
  /** The answer, when it validates (parameter blocks with unknown required names included). */
  response?: TaskchainResponse;
  findings: Finding[];
}

const BLOCK_NAMES = new Set<string>(PARAMETER_BLOCKS);

/**
 * Judges one answer on its own: status 2xx, JSON, the response shape (`response-shape`) and
 * `required` ⊆ `properties` (`required-in-properties`, reported apart from the shape).
 */
export function inspectAnswer(result: HttpResult): Inspection {
  if (result.status === undefined) return { findings: [{ check: "status-2xx", message: `no answer (${result.error ?? "unknown error"})` }] };
  if (result.status < 200 || result.status >= 300) {
    return { findings: [{ check: "status-2xx", message: `HTTP ${result.status}${result.text ? `: ${result.text.slice(0, 200)}` : ""}` }] };
  }
  if (!result.isJson) return { findings: [{ check: "response-shape", message: `the body is not JSON: ${JSON.stringify(result.text.slice(0, 80))}` }] };
  const findings: Finding[] = [];
  const parsed = WireResponseSchema.safeParse(result.json);
  if (parsed.success) {
    return { response: parsed.data, findings };
  }
  // The schema refines required ⊆ properties; that has its own check name.
  const shape = parsed.error.issues.filter((i) => !(i.code === "custom" && BLOCK_NAMES.has(String(i.path[0])) && i.path[1] === "required"));
  for (const issue of parsed.error.issues) {
    if (!shape.includes(issue)) findings.push({ check: "required-in-properties", message: `${formatPath(issue.path.slice(0, 1))}: ${issue.message}` });
  }
  if (shape.length) findings.push({ check: "response-shape", message: shape.map((issue) => `${formatPath(issue.path) || "(body)"}: ${issue.message}`).join("; ") });
  if (shape.length === 0) return { response: result.json as TaskchainResponse, findings };
  return { findings };
}

/** The parameter blocks an answer declares, by outcome. */
export function parameterBlocks(response: TaskchainResponse | undefined): Partial<Record<Outcome, ParameterBlock>> {
  if (!response) return {};
  return {
    ...(response.qualified_parameters && { qualified: response.qualified_parameters }),
    ...(response.disqualified_parameters && { disqualified: response.disqualified_parameters }),
    ...(response.interrupt_parameters && { interrupt: response.interrupt_parameters }),
  };
}
