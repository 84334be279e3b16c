// A link's handler for one webhook call: its arguments (context parsed by the link's schema for
// the action, the call, its state, once()), its reply within the call's time budget, and that reply
// checked and serialised as the response Agent4 reads. Dispatch (dispatch.ts) does the rest.
import { endCall, transferCall } from "./actions.ts";
import { LATE, withinBudget, type Budget, type CallLog } from "./budget.ts";
import type { Awaitable, Env, InitialArgs, Link, Reply } from "./link.ts";
import { describeThrown, stackOf } from "./log.ts";
import { withBlocksJson, type parameterBlocks } from "./parameters.ts";
import { describeIssues, isWithheld, ResponseSchema, type Notification, type Payload, type TaskchainResponse } from "./protocol.ts";
import type { Session } from "./session.ts";

/** What answering with a link's handler needs of the app, fixed when the app is created. */
export interface ReplyContext {
  links: ReadonlyMap<string, Link>;
  /** Each link's parameter blocks, serialised once (parameters.ts). */
  blocks: ReadonlyMap<string, ReturnType<typeof parameterBlocks>>;
  apology: string;
  env: Env;
  transferNumber: string | undefined;
  publicUrl: string | undefined;
}

/** How often the runtime asks a link again in one call: after context that did not parse, or an outcome that failed or ran late. */
export const INVALID_CONTEXT_RETRIES = 2;
export const INVALID_CONTEXT_RETRY = "Sorry, I didn't get all of that. Let's try that again.";
export const INVALID_CONTEXT_GIVE_UP = "I'm sorry, I couldn't complete that right now. Please call us again later. Goodbye.";
/** What a call over its budget hears when its link has no `onTimeout` reply: the transfer when TRANSFER_NUMBER is set. */
export const TIMEOUT_APOLOGY = "I'm sorry, that is taking longer than it should. Let's carry on.";
export const TIMEOUT_TRANSFER = "I'm sorry, that is taking longer than it should. Let me connect you with a member of our team.";

/** A handler's reply is checked against the response without its parameter blocks, which the runtime adds. */
const ReplySchema = ResponseSchema.omit({ qualified_parameters: true, disqualified_parameters: true, interrupt_parameters: true });

/** The handler's reply if it is valid, else the apology; with its JSON. */
export async function respond(app: ReplyContext, link: Link, payload: Payload, session: Session, call: CallLog, deadline: number, id: string | undefined): Promise<{ response: TaskchainResponse; body: string }> {
  try {
    const response = toResponse(session.key, await replyInTime(app, link, payload, session, call, deadline));
    const problem = problemWith(app, link, payload, response);
    if (problem) throw new Error(`invalid reply: ${problem}`);
    // Serialised here, inside the try: a reply JSON cannot carry (a cycle, a BigInt, nesting
    // deeper than the stack) is a failed reply too, not a 500.
    return { response, body: serialise(app, link, payload, withCallEnded(app, id, response)) };
  } catch (error) {
    call.outcome = "failed";
    call.detail = { error: describeThrown(error), stack: stackOf(error) };
    const response = toResponse(session.key, fallback(link, payload, session, app.apology));
    return { response, body: serialise(app, link, payload, withCallEnded(app, id, response)) };
  }
}

/** The response with the call-ended notification added after the handler's own (see callEnded() in dispatch.ts). */
function withCallEnded(app: ReplyContext, id: string | undefined, response: TaskchainResponse): TaskchainResponse {
  if (app.publicUrl === undefined || id === undefined) return response;
  const headers = { "x-taskchain-caller": encodeURIComponent(id) };
  const notification: Notification = { webhook: { host: `${app.publicUrl}/calls/${response.key}/ended`, headers } };
  return { ...response, additional_call_notifications: [...(response.additional_call_notifications ?? []), notification] };
}

/** The handler's reply within the call's budget, else the link's timeout reply. */
async function replyInTime(app: ReplyContext, link: Link, payload: Payload, session: Session, call: CallLog, deadline: number): Promise<Reply> {
  const start = performance.now();
  const reply = await withinBudget((budget) => runHandler(app, link, payload, session, call, budget), deadline);
  call.handlerMs = performance.now() - start;
  if (reply !== LATE) return reply;
  call.outcome = "timeout";
  const args = { call: callInfo(payload, session), state: session.state, env: app.env, action: payload.action, elapsedMs: performance.now() - call.started };
  if (link.onTimeout) return link.onTimeout(args);
  return app.transferNumber ? { content: TIMEOUT_TRANSFER, actions: [transferCall(app.transferNumber)] } : fallback(link, payload, session, TIMEOUT_APOLOGY);
}

/**
 * The runtime's own reply when the handler gave none: `content` alone for an `initial` or an
 * `interrupt`; an outcome's must say what comes next, or the call would end while the caller is told
 * it goes on. So the link is asked again, as for context that did not parse.
 */
function fallback(link: Link, payload: Payload, session: Session, content: string): Reply {
  return payload.action === "qualified" || payload.action === "disqualified" ? askAgain(link, session, isWithheld(payload.call_from), content) : { content };
}

/**
 * `content`, then the link again (switch_task to itself), twice at most per link and call; then
 * the call ends politely. A withheld caller's attempts cannot be counted (nothing is stored), so
 * asking again could loop: that call ends at once.
 */
function askAgain(link: Link, session: Session, withheld: boolean, content: string): Reply {
  const attempt = retriesOf(session, link);
  session.retries = { ...session.retries, [link.name]: attempt + 1 };
  return attempt < INVALID_CONTEXT_RETRIES && !withheld
    ? { content, actions: [{ name: "switch_task", context: { name: link.name } }] }
    : { content: INVALID_CONTEXT_GIVE_UP, actions: [endCall()] };
}

/** How often the runtime asked this link again in this call. Own keys only: a link named "constructor" must not read Object.prototype.constructor. */
const retriesOf = (session: Session, link: Link): number => (Object.hasOwn(session.retries, link.name) ? (session.retries[link.name] ?? 0) : 0);

/** A reply as the response Agent4 reads: `content` always there, empty lists and records left out. */
function toResponse(key: string, reply: Reply): TaskchainResponse {
  const response: TaskchainResponse = { key, content: reply.content ?? "" };
  if (reply.actions?.length) response.actions = reply.actions;
  if (reply.state && Object.keys(reply.state).length) response.state = reply.state;
  if (reply.additional_call_notifications?.length) response.additional_call_notifications = reply.additional_call_notifications;
  return response;
}

/** The response as JSON; `*_parameters` belong in the answer to `initial` only. */
export function serialise(app: ReplyContext, link: Link, payload: Payload, response: TaskchainResponse): string {
  const json = JSON.stringify(response);
  return payload.action === "initial" ? withBlocksJson(json, app.blocks.get(link.name)?.json ?? "{}") : json;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/**
 * A reply of a spoken text alone (every `initial` answer, most others) under a well-formed key is
 * valid as it is. Checking it with zod instead took node to 0.74× bare node:http in `npm run bench`
 * (target 0.85×); so the schema judges every other reply.
 */
function isTextOnly(response: TaskchainResponse): boolean {
  return typeof response.content === "string" && Object.keys(response).length === 2 && UUID.test(response.key);
}

/** Why a response cannot be sent as it is, or undefined when it can. */
function problemWith(app: ReplyContext, link: Link, payload: Payload, response: TaskchainResponse): string | undefined {
  const parsed = isTextOnly(response) ? undefined : ReplySchema.safeParse(response);
  if (parsed && !parsed.success) return describeIssues(parsed.error).message;
  if (payload.action === "initial" && app.blocks.get(link.name)?.problem) return app.blocks.get(link.name)?.problem;
  for (const action of response.actions ?? []) {
    if (action.name === "switch_task" && !app.links.has(action.context.name)) return `switch_task targets "${action.context.name}", which is not a link of this chain`;
  }
  return undefined;
}

const callInfo = (payload: Payload, session: Session) => ({ key: session.key, from: payload.call_from, forwardedBy: payload.call_forwarded_by, withheld: isWithheld(payload.call_from) });

/** `once()` of InitialArgs (link.ts): the result is recorded as the stores keep it, JSON, so every store gives back the same. */
async function once<T>(session: Session, name: string, fn: () => Awaitable<T>): Promise<T> {
  if (session.once !== undefined && Object.hasOwn(session.once, name)) return session.once[name] as T;
  const result = await fn();
  session.once = { ...session.once, [name]: JSON.parse(JSON.stringify(result) ?? "null") as unknown };
  return result;
}

/** Calls the link's handler for this action, with context parsed by that action's schema. */
function runHandler(app: ReplyContext, link: Link, payload: Payload, session: Session, call: CallLog, budget: Budget): Awaitable<Reply> {
  const args: InitialArgs = { call: callInfo(payload, session), state: session.state, env: app.env, ...budget, once: (name, fn) => once(session, name, fn) };
  const action = payload.action;
  if (action === "initial") return link.initial(args);
  if (action === "interrupt") {
    const schema = link.parameters.interrupt;
    const parsed = payload.context != null && schema ? schema.safeParse(payload.context) : undefined;
    if (parsed?.error) fellBack(call, { problem: describeIssues(parsed.error).message });
    return link.interrupt ? link.interrupt({ ...args, context: parsed?.data }) : {};
  }
  const schema = link.parameters[action];
  if (!schema) return link[action]({ ...args, context: payload.context ?? {} });
  const parsed = schema.safeParse(payload.context ?? {});
  if (parsed.success) return link[action]({ ...args, context: parsed.data });
  return invalidContext(link, payload, session, args, call, describeIssues(parsed.error).message);
}

function fellBack(call: CallLog, detail: Record<string, unknown>): void {
  call.outcome = "invalid_context";
  call.detail = detail;
}

/** Context that does not parse never drops the call: the link's hook answers, or ask again, then end politely. */
function invalidContext(link: Link, payload: Payload, session: Session, args: InitialArgs, call: CallLog, problem: string): Awaitable<Reply> {
  const action = payload.action as "qualified" | "disqualified";
  const attempt = retriesOf(session, link);
  fellBack(call, { problem, attempt });
  if (!link.invalidContext) return askAgain(link, session, args.call.withheld, INVALID_CONTEXT_RETRY);
  session.retries = { ...session.retries, [link.name]: attempt + 1 };
  return link.invalidContext({ ...args, action, raw: payload.context, problem, attempt });
}
