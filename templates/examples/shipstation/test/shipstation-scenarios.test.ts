// "Where is my order?" end to end in this process: the chain's own dispatch (createApp) calls the
// order links, which call a fake ShipStation over real HTTP on 127.0.0.1. For API V1 and V2: every
// order status, and every failure the real API has, with what the caller hears and what follows.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { createApp } from "../src/app.ts";
import { normalizeOrderNumber, zipMatches } from "../src/links/order_lookup.ts";
import { readShipStationConfig } from "../src/shipstation/config.ts";
import { MAX_PAGES, parseRetryAfter } from "../src/shipstation/http.ts";
import { speakCharacters, speakDate, speakOrderNumber } from "../src/shipstation/speech.ts";
import { ResponseSchema, type Action, type TaskchainResponse } from "../src/taskchain/index.ts";
import { startFakeShipStation, type FakeShipStation } from "./shipstation/fake-server.ts";
import { V1, V1_KEY, V1_SECRET, V2_KEY } from "./shipstation/fixtures.ts";

const TRANSFER = "+15125550123";

let fake: FakeShipStation;
let logs: string[];
let consoleSpies: MockInstance[];

beforeAll(async () => {
  fake = await startFakeShipStation();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  logs = [];
  // The runtime logs JSON lines through console.log, .warn and .error by level; keep them for
  // assertions and out of the test output.
  const keep = (line: unknown) => void logs.push(String(line));
  consoleSpies = (["log", "warn", "error"] as const).map((method) => vi.spyOn(console, method).mockImplementation(keep));
});
afterEach(() => {
  for (const spy of consoleSpies) spy.mockRestore();
});

type Env = Record<string, string | undefined>;
const v1Env = (extra: Env = {}): Env => ({
  SHIPSTATION_API_KEY: V1_KEY,
  SHIPSTATION_API_SECRET: V1_SECRET,
  SHIPSTATION_V1_BASE_URL: fake.url,
  TRANSFER_NUMBER: TRANSFER,
  ...extra,
});
const v2Env = (extra: Env = {}): Env => ({
  SHIPSTATION_V2_API_KEY: V2_KEY,
  SHIPSTATION_V2_BASE_URL: fake.url,
  TRANSFER_NUMBER: TRANSFER,
  ...extra,
});

let callerSeq = 0;

/** One phone call against a fresh app: send webhook payloads the way Agent4 does. */
function phoneCall(env: Env) {
  const app = createApp(env);
  const caller = { call_from: `+1512555${String(1000 + callerSeq++).padStart(4, "0")}`, call_forwarded_by: "+15128888888" };
  return async (name: string, action: string, context?: Record<string, unknown>): Promise<TaskchainResponse> => {
    const answer = await app.handle({ method: "POST", url: `/${name}`, body: { json: { name, action, ...caller, ...(context && { context }) } } });
    expect(answer.status, answer.body).toBe(200);
    return ResponseSchema.parse(JSON.parse(answer.body));
  };
}

/** Ask order_lookup about an order: its initial prompt, then the caller's answer. */
async function ask(env: Env, orderNumber: string, zip?: string) {
  const send = phoneCall(env);
  const initial = await send("order_lookup", "initial");
  const answer = await send("order_lookup", "qualified", { order_number: orderNumber, ...(zip && { zip_code: zip }) });
  return { send, initial, answer };
}

const names = (r: TaskchainResponse) => (r.actions ?? []).map((a) => a.name);
const action = <N extends Action["name"]>(r: TaskchainResponse, name: N) => (r.actions ?? []).find((a): a is Extract<Action, { name: N }> => a.name === name);
const paths = () => fake.requests.map((r) => r.path);
const pagesRead = (path: string) => fake.requests.filter((r) => r.path === path).map((r) => r.query.get("page"));

function expectTransfer(r: TaskchainResponse): void {
  expect(names(r)).toEqual(["transfer_call"]);
  expect(action(r, "transfer_call")?.context.number).toBe(TRANSFER);
  expect(r.content).toMatch(/connect you with a member of our team/);
}

describe("speakable output", () => {
  it("reads tracking numbers in groups of four characters", () => {
    expect(speakCharacters("1Z999AA10123456784")).toBe("1 Z 9 9, 9 A A 1, 0 1 2 3, 4 5 6 7, 8 4");
    expect(speakCharacters("9400-1118")).toBe("9 4 0 0, 1 1 1 8");
  });
  it("reads short order numbers as numbers, longer ones character by character in their own groups", () => {
    expect(speakOrderNumber("1001")).toBe("1001");
    expect(speakOrderNumber("100234567")).toBe("1 0 0 2, 3 4 5 6, 7");
    expect(speakOrderNumber("SO-2024-17")).toBe("S O, 2 0 2 4, 1 7");
  });
  it("reads dates without shifting time zones", () => {
    expect(speakDate("2015-06-29T08:46:27.0000000", new Date("2026-01-01"))).toBe("June 29, 2015");
    expect(speakDate("2026-07-04", new Date("2026-01-01"))).toBe("July 4");
    expect(speakDate(null)).toBeUndefined();
  });
  it("normalizes spoken order numbers and matches ZIP+4", () => {
    expect(normalizeOrderNumber(" Order number #1 0 0 1 ")).toBe("1001");
    expect(zipMatches("78756", "78756-3717")).toBe(true);
    expect(zipMatches("78756-3717", "78756")).toBe(true);
    expect(zipMatches("78757", "78756-3717")).toBe(false);
    expect(zipMatches("787", "78756")).toBe(false);
    expect(zipMatches("78756", null)).toBe(false);
  });
  it("reads Retry-After as seconds or a date", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThan(50_000);
  });
});

describe("configuration from env", () => {
  it("picks V2 when its key is set, V1 with key and secret, and says what is missing", () => {
    expect(readShipStationConfig({ SHIPSTATION_V2_API_KEY: "k" })).toMatchObject({ ok: true, config: { api: "v2", baseUrl: "https://api.shipstation.com", headers: { "API-Key": "k" } } });
    expect(readShipStationConfig({ SHIPSTATION_API_KEY: "ShipStation", SHIPSTATION_API_SECRET: "Rocks" })).toMatchObject({
      ok: true,
      config: { api: "v1", baseUrl: "https://ssapi.shipstation.com", headers: { authorization: "Basic U2hpcFN0YXRpb246Um9ja3M=" } },
    });
    expect(readShipStationConfig({ SHIPSTATION_V2_API_KEY: "k", SHIPSTATION_API_KEY: "a", SHIPSTATION_API_SECRET: "b", SHIPSTATION_API: "v1" })).toMatchObject({ ok: true, config: { api: "v1" } });
    expect(readShipStationConfig({ SHIPSTATION_API_KEY: "a" })).toMatchObject({ ok: false, problem: expect.stringContaining("SHIPSTATION_API_SECRET") });
    expect(readShipStationConfig({ SHIPSTATION_V1_BASE_URL: "x" })).toMatchObject({ ok: false, problem: expect.stringContaining("not configured") });
    expect(readShipStationConfig({ SHIPSTATION_V2_API_KEY: "k", SHIPSTATION_V2_BASE_URL: "https://api.shipstation.com/v2/" })).toMatchObject({ ok: true, config: { baseUrl: "https://api.shipstation.com" } });
    expect(readShipStationConfig({ SHIPSTATION_V2_API_KEY: "k", SHIPSTATION_V2_BASE_URL: "ftp://x" })).toMatchObject({ ok: false, problem: expect.stringContaining("SHIPSTATION_V2_BASE_URL") });
  });
});

describe("API V1 (orders, shipments, fulfillments)", () => {
  it("asks for the order number, with Basic auth on every request", async () => {
    const { initial, answer } = await ask(v1Env(), "1001");
    expect(initial.content).toMatch(/order number/);
    expect(initial.qualified_parameters?.required).toEqual(["order_number"]);
    expect(answer.content).toBeTruthy();
    expect(fake.requests.length).toBeGreaterThan(0);
    for (const r of fake.requests) expect(r.headers.authorization).toBe("Basic U2hpcFN0YXRpb246Um9ja3M=");
    expect(fake.requests[0]?.query.get("orderNumber")).toBe("1001");
  });

  it.each([
    ["1001", /waiting for payment/],
    ["1002", /being prepared for shipment.*ship by July 3/],
    ["1003", /fulfillment center/],
    ["1004", /on hold until July 15/],
    ["1006", /was cancelled/],
    ["1007", /could not be fulfilled/],
  ])("order %s: says %s and moves on to the follow-up", async (number, heard) => {
    const { answer } = await ask(v1Env(), number);
    expect(answer.content).toMatch(heard);
    expect(names(answer)).toEqual(["next_task"]);
    expect(answer.state).toMatchObject({ order: { number } });
  });

  it("shipped: carrier, date and the tracking number of the shipment that is not voided; the prefix match 10050 is ignored", async () => {
    const { send, answer } = await ask(v1Env(), "1005");
    expect(answer.content).toContain("Order 1005 shipped on July 1, 2025 with UPS.");
    expect(answer.content).toContain("The tracking number is 1 Z 9 9, 9 A A 1, 0 1 2 3, 4 5 6 7, 8 4.");
    expect(answer.content).not.toMatch(/9 4 0 0|cancelled|2 orders/);
    expect(paths()).toEqual(expect.arrayContaining(["/orders", "/shipments", "/fulfillments"]));

    const followup = await send("order_followup", "initial");
    expect(followup.content).toMatch(/text message/);
    const texted = await send("order_followup", "qualified", { choice: "sms" });
    expect(names(texted)).toEqual(["sms", "end_call"]);
    const message = action(texted, "sms")!.context.message;
    expect(message).toContain("1Z999AA10123456784");
    expect(message).toContain("https://www.ups.com/track?tracknum=1Z999AA10123456784");
    expect(message).not.toContain("9400111899223197428490");
  });

  it("reads every page: 1005 is on the second page of orders starting with 1005, its live label on the second page of shipments", async () => {
    fake.limitPageSize(1);
    const { send, answer } = await ask(v1Env(), "1005");
    expect(answer.content).toContain("Order 1005 shipped on July 1, 2025 with UPS. The tracking number is 1 Z 9 9, 9 A A 1, 0 1 2 3, 4 5 6 7, 8 4.");
    expect(pagesRead("/orders")).toEqual(["1", "2"]);
    expect(pagesRead("/shipments")).toEqual(["1", "2"]);
    const texted = await send("order_followup", "qualified", { choice: "sms" });
    expect(action(texted, "sms")!.context.message).toContain("1Z999AA10123456784");
  });

  it("a list that moved between two page reads: an order read twice is still one order, and the lookup says it may be partial", async () => {
    fake.limitPageSize(1);
    // A new order starting with 1009 came in after page 1 was read, pushing page 1's order onto page 2.
    const newest = V1.orders.find((o) => o.orderNumber === "1009" && o.orderStatus === "awaiting_shipment");
    fake.trouble({ kind: "status", status: 200, body: JSON.stringify({ orders: [newest], total: 3, page: 2, pages: 3 }) }, { path: "/orders", page: 2 });
    const { answer } = await ask(v1Env(), "1009");
    expect(answer.content).toMatch(/^Order 1009, placed on June 20, 2025, has been received/);
    expect(logs.join("\n")).toMatch(/not every order starting with this number was read.*changed while they were read \(2 then 3\)/);
  });

  it("a list that moved between two page reads with the order pushed onto a page not read: no \"not found\", a human", async () => {
    fake.limitPageSize(1);
    // 10050 (newest) is page 1 and 1005 page 2; a new order pushes 10050 onto page 2 and 1005 onto page 3.
    const trap = V1.orders.find((o) => o.orderNumber === "10050");
    fake.trouble({ kind: "status", status: 200, body: JSON.stringify({ orders: [trap], total: 3, page: 2, pages: 3 }) }, { path: "/orders", page: 2 });
    const { answer } = await ask(v1Env(), "1005");
    expect(answer.content).toBe("I'm sorry, our order system was updating while I looked, so I can't find that order right now. Let me connect you with a member of our team.");
    expectTransfer(answer);
    expect(logs.join("\n")).toMatch(/list_changed/);
  });

  it("a number that starts more pages of orders than a lookup reads, none of them it: no \"not found\", a human", async () => {
    fake.limitPageSize(1);
    const { answer } = await ask(v1Env(), "1");
    expect(answer.content).toBe("I'm sorry, that number matches too many orders for me to find yours on my own. Let me connect you with a member of our team.");
    expectTransfer(answer);
    expect(pagesRead("/orders")).toHaveLength(MAX_PAGES);
    expect(logs.join("\n")).toMatch(/too_many_results/);
  });

  it("the same number, every page read: not found", async () => {
    const { answer } = await ask(v1Env(), "1");
    expect(answer.content).toBe("I couldn't find an order with the number 1. Let's try once more.");
    expect(names(answer)).toEqual(["switch_task"]);
  });

  it("shipped outside ShipStation: the fulfillment's carrier and tracking number", async () => {
    const { send, answer } = await ask(v1Env(), "1008");
    expect(answer.content).toContain("Order 1008 shipped on July 2, 2025 with FedEx. The tracking number is 7 8 3 8, 6 7 0 1, 4 4 2 0.");
    const texted = await send("order_followup", "qualified", { choice: "sms" });
    const message = action(texted, "sms")!.context.message;
    expect(message).toBe("Tracking for order 1008:\nFedEx 783867014420: https://www.fedex.com/fedextrack/?trknbr=783867014420");
  });

  it("shipped, but every shipment voided: says it has no tracking details", async () => {
    const { answer } = await ask(v1Env(), "1010");
    expect(answer.content).toMatch(/marked as shipped, but I don't have tracking details/);
    expect(answer.content).not.toContain("9 9 9 9");
  });

  it("several orders for one number: says so and describes each, newest first", async () => {
    const { send, answer } = await ask(v1Env(), "1009");
    expect(answer.content).toMatch(/^I found 2 orders with the number 1009\. The most recent one, from June 20, 2025, has been received and is being prepared/);
    expect(answer.content).toMatch(/The one from May 2, 2025 shipped on May 3, 2025 with UPS/);
    expect(names(answer)).toEqual(["next_task"]);
    const texted = await send("order_followup", "qualified", { choice: "sms" });
    expect(action(texted, "sms")!.context.message).toContain("1Z999AA10123450001");
  });

  it("not found: asks once more (switch_task to itself with the count in state), then transfers", async () => {
    const send = phoneCall(v1Env());
    await send("order_lookup", "initial");
    const first = await send("order_lookup", "qualified", { order_number: "9999" });
    expect(first.content).toBe("I couldn't find an order with the number 9999. Let's try once more.");
    expect(first.actions).toEqual([{ name: "switch_task", context: { name: "order_lookup" } }]);
    expect(first.state).toEqual({ order_lookup_attempts: 1 });

    const again = await send("order_lookup", "initial");
    expect(again.content).toMatch(/read the order number again carefully/);
    const second = await send("order_lookup", "qualified", { order_number: "9998" });
    expect(second.content).toMatch(/I still couldn't find an order with the number 9998/);
    expectTransfer(second);
  });

  it("found on the second try", async () => {
    const send = phoneCall(v1Env());
    await send("order_lookup", "initial");
    await send("order_lookup", "qualified", { order_number: "9999" });
    const second = await send("order_lookup", "qualified", { order_number: "#1006" });
    expect(second.content).toMatch(/Order 1006 was cancelled/);
    expect(second.state).toMatchObject({ order_lookup_attempts: 0 });
  });

  it("verifies the ZIP code when ORDER_LOOKUP_VERIFY_ZIP is on", async () => {
    const env = v1Env({ ORDER_LOOKUP_VERIFY_ZIP: "true" });
    const { initial, answer: noZip } = await ask(env, "1002");
    expect(initial.content).toMatch(/ZIP/);
    expect(noZip.content).toMatch(/need the ZIP code/);
    expect(names(noZip)).toEqual(["switch_task"]);
    expect(fake.requests).toHaveLength(0);

    const wrong = await ask(env, "1002", "10001");
    expect(wrong.answer.content).toBe("I couldn't find an order with the number 1002 and that ZIP code. Let's try once more.");
    const right = await ask(env, "1002", "78756");
    expect(right.answer.content).toMatch(/Order 1002, placed on June 29, 2025, has been received/);
  });

  it.each([
    ["1004", /^There's no tracking link yet, because the order hasn't shipped\. Thank you for calling/, ["end_call"]],
    ["1006", /^This order won't be shipped, so there's no tracking link for it\./, ["end_call"]],
    ["1010", /^I'm sorry, I don't have a tracking link I can send you\. Let me connect you/, ["transfer_call"]],
  ])("follow-up: a tracking text asked for order %s, which has no tracking number, is answered for its status", async (number, heard, actions) => {
    const { send } = await ask(v1Env(), number);
    const answer = await send("order_followup", "qualified", { choice: "sms" });
    expect(answer.content).toMatch(heard);
    expect(names(answer)).toEqual(actions);
  });

  it("follow-up: a human, or goodbye", async () => {
    const { send } = await ask(v1Env(), "1004");
    const prompt = await send("order_followup", "initial");
    expect(prompt.content).not.toMatch(/text message/);
    expectTransfer(await send("order_followup", "qualified", { choice: "human" }));

    const other = await ask(v1Env(), "1001");
    const bye = await other.send("order_followup", "qualified", { choice: "done" });
    expect(bye.content).toMatch(/Goodbye/);
    expect(names(bye)).toEqual(["end_call"]);
  });
});

describe("API V2 (shipments, labels)", () => {
  it("sends the API-Key header and filters by shipment_number", async () => {
    await ask(v2Env(), "2001");
    expect(fake.requests.length).toBeGreaterThan(0);
    for (const r of fake.requests) expect(r.headers["api-key"]).toBe(V2_KEY);
    expect(fake.requests[0]).toMatchObject({ path: "/v2/shipments" });
    expect(fake.requests[0]?.query.get("shipment_number")).toBe("2001");
  });

  it.each([
    ["2001", /being prepared for shipment.*ship by July 3/],
    ["2002", /on hold until January 15, 2099/],
    ["2004", /was cancelled/],
    ["2007", /being prepared for shipment/],
  ])("shipment %s: says %s", async (number, heard) => {
    const { answer } = await ask(v2Env(), number);
    expect(answer.content).toMatch(heard);
    expect(names(answer)).toEqual(["next_task"]);
  });

  it("label purchased: the label that is not voided, its carrier tracking link by SMS; 20030 ignored", async () => {
    const { send, answer } = await ask(v2Env(), "2003");
    expect(answer.content).toContain("Order 2003 shipped on July 1, 2025 with USPS.");
    expect(answer.content).toContain(speakCharacters("9400111899223197428490"));
    expect(answer.content).not.toContain(speakCharacters("9400111899223197420000"));
    expect(answer.content).not.toMatch(/packages/);
    expect(fake.requests.find((r) => r.path === "/v2/labels")?.query.get("shipment_id")).toMatch(/^se-/);
    const texted = await send("order_followup", "qualified", { choice: "sms" });
    const message = action(texted, "sms")!.context.message;
    expect(message).toContain("https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223197428490");
    expect(message).not.toContain("9400111899223197420000");
  });

  it("reads every page: 2003 is on the second page of shipments numbered 2003…, its labels on two pages", async () => {
    fake.limitPageSize(1);
    const { answer } = await ask(v2Env(), "2003");
    expect(answer.content).toContain("Order 2003 shipped on July 1, 2025 with USPS.");
    expect(answer.content).toContain(speakCharacters("9400111899223197428490"));
    expect(pagesRead("/v2/shipments")).toEqual(["1", "2"]);
    expect(pagesRead("/v2/labels")).toEqual(["1", "2"]);
  });

  it("a number that starts more pages of shipments than a lookup reads, none of them it: a human", async () => {
    fake.limitPageSize(1);
    const { answer } = await ask(v2Env(), "2");
    expect(answer.content).toMatch(/matches too many orders/);
    expectTransfer(answer);
    expect(pagesRead("/v2/shipments")).toHaveLength(MAX_PAGES);
  });

  it("delivered label: says it was delivered", async () => {
    const { send, answer } = await ask(v2Env(), "2006");
    expect(answer.content).toMatch(/^Order 2006 was delivered\. It shipped on July 1, 2025 with UPS\./);
    // This label has no tracking_url: the link is built from the carrier code.
    const texted = await send("order_followup", "qualified", { choice: "sms" });
    expect(action(texted, "sms")!.context.message).toContain("https://www.ups.com/track?tracknum=1Z999AA10123456784");
  });

  it("several shipments for one number: newest first", async () => {
    const { answer } = await ask(v2Env(), "2005");
    expect(answer.content).toMatch(/^I found 2 orders with the number 2005\. The most recent one, from June 20, 2025, has been received/);
    expect(answer.content).toMatch(/The one from May 2, 2025 shipped on May 3, 2025 with USPS/);
  });

  it("SHIPSTATION_V2_BASE_URL may end in /v2, as ShipStation's docs write the base URL", async () => {
    const { answer } = await ask(v2Env({ SHIPSTATION_V2_BASE_URL: `${fake.url}/v2/` }), "2004");
    expect(answer.content).toMatch(/Order 2004.*was cancelled/);
    expect(paths()).toEqual(["/v2/shipments"]);
  });

  it("not found asks again", async () => {
    const { answer } = await ask(v2Env(), "2999");
    expect(names(answer)).toEqual(["switch_task"]);
  });
});

const UNREACHABLE = "I'm sorry, I can't reach our order system right now, so I can't look that up. Let me connect you with a member of our team.";

const APIS = [
  { api: "V1", env: v1Env, first: "/orders", order: "1005", rateHeader: "X-Rate-Limit-Reset" },
  { api: "V2", env: v2Env, first: "/v2/shipments", order: "2003", rateHeader: "Retry-After" },
] as const;

describe.each(APIS)("failures, API $api", ({ env, first, order, rateHeader }) => {
  it("401: logs a clear configuration error and transfers", async () => {
    const bad = env({ SHIPSTATION_API_SECRET: "wrong", SHIPSTATION_V2_API_KEY: env().SHIPSTATION_V2_API_KEY && "wrong" });
    const { answer } = await ask(bad, order);
    expect(answer.content).toMatch(/can't reach our order system/);
    expectTransfer(answer);
    expect(logs.join("\n")).toMatch(/ShipStation configuration error: the API credentials were refused/);
  });

  it("429: waits the seconds the header gives, retries once, and answers", async () => {
    // The fake refuses every request until the second is up: a retry that did not wait fails.
    fake.trouble({ kind: "rate_limit", seconds: 1, header: rateHeader }, { path: first });
    const { answer } = await ask(env(), order);
    expect(answer.content).toMatch(/shipped on July 1, 2025/);
    expect(paths().filter((p) => p === first)).toHaveLength(2);
  });

  it("429 whose wait is longer than the lookup's budget: not waited for; busy, transfer", async () => {
    fake.trouble({ kind: "rate_limit", seconds: 45, header: rateHeader }, { path: first });
    const { answer } = await ask(env(), order);
    expect(answer.content).toBe("I'm sorry, our order system is very busy right now, so I can't look that up at the moment. Let me connect you with a member of our team.");
    expectTransfer(answer);
    expect(paths()).toEqual([first]);
    expect(logs.join("\n")).toMatch(/rate_limited/);
  });

  it("429 whose wait fits the budget but leaves no time for the retry: not waited for", async () => {
    // 1 s wait + the retry's second does not fit in 1.5 s.
    fake.trouble({ kind: "rate_limit", seconds: 1, header: rateHeader }, { path: first });
    const { answer } = await ask(env({ WEBHOOK_BUDGET_MS: "1500" }), order);
    expect(answer.content).toMatch(/very busy/);
    expect(paths()).toEqual([first]);
  });

  it("429 without a reset header: no retry", async () => {
    fake.trouble({ kind: "status", status: 429, body: "{}" }, { path: first });
    const { answer } = await ask(env(), order);
    expectTransfer(answer);
    expect(paths()).toEqual([first]);
  });

  it("429 twice: one retry only", async () => {
    fake.trouble({ kind: "status", status: 429, headers: { [rateHeader]: "0" }, body: "{}" }, { path: first, times: 2 });
    const { answer } = await ask(env(), order);
    expect(answer.content).toMatch(/very busy/);
    expect(paths()).toEqual([first, first]);
  });

  it("timeout: answered when the call's budget (WEBHOOK_BUDGET_MS) runs out, with a transfer; the request is aborted", async () => {
    fake.trouble({ kind: "hang" }, { path: first });
    const started = Date.now();
    const { answer } = await ask(env({ WEBHOOK_BUDGET_MS: "300" }), order);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(answer.content).toBe("I'm sorry, our order system is taking too long to answer, so I can't look that up right now. Let me connect you with a member of our team.");
    expectTransfer(answer);
    expect(logs.join("\n")).toMatch(/"outcome":"timeout"/);
    // The lookup saw its signal abort: it gives up (and says so) rather than wait on.
    await vi.waitFor(() => expect(logs.join("\n")).toMatch(/ShipStation lookup failed: timeout/));
  });

  it("500: says it cannot reach the order system and transfers", async () => {
    fake.trouble({ kind: "status", status: 500, body: '{"Message":"An error has occurred."}' }, { path: first });
    const { answer } = await ask(env(), order);
    expect(answer.content).toBe(UNREACHABLE);
    expectTransfer(answer);
    expect(logs.join("\n")).toMatch(/server_error/);
  });

  it("malformed JSON: logged, and the caller is transferred", async () => {
    fake.trouble({ kind: "malformed" }, { path: first });
    const { answer } = await ask(env(), order);
    expect(answer.content).toBe(UNREACHABLE);
    expectTransfer(answer);
    expect(logs.join("\n")).toMatch(/not JSON/);
  });

  it("JSON of the wrong shape: logged with the field, and the caller is transferred", async () => {
    fake.trouble({ kind: "status", status: 200, body: '{"orders":"nope","shipments":"nope"}' }, { path: first });
    const { answer } = await ask(env(), order);
    expect(answer.content).toBe(UNREACHABLE);
    expectTransfer(answer);
    expect(logs.join("\n")).toMatch(/unexpected shape/);
  });

  it("tracking unavailable (labels/shipments fail): still says it shipped", async () => {
    const tracking = first === "/orders" ? "/shipments" : "/v2/labels";
    fake.trouble({ kind: "status", status: 503, body: "" }, { path: tracking });
    if (first === "/orders") fake.trouble({ kind: "status", status: 503, body: "" }, { path: "/fulfillments" });
    const { answer } = await ask(env(), order);
    expect(answer.content).toMatch(/has shipped, but I can't get its tracking details right now/);
    expect(names(answer)).toEqual(["next_task"]);
  });

  it("no TRANSFER_NUMBER: an honest goodbye instead of a transfer", async () => {
    fake.trouble({ kind: "status", status: 500, body: "" }, { path: first });
    const { answer } = await ask(env({ TRANSFER_NUMBER: undefined }), order);
    expect(answer.content).toMatch(/can't reach our order system.*call us back/);
    expect(names(answer)).toEqual(["end_call"]);
    expect(logs.join("\n")).toMatch(/TRANSFER_NUMBER is not set/);
  });
});

describe("429 and the budget", () => {
  it("a wait of a few seconds is honoured when WEBHOOK_BUDGET_MS leaves room for it", async () => {
    fake.trouble({ kind: "rate_limit", seconds: 3, header: "X-Rate-Limit-Reset" }, { path: "/orders" });
    const { answer } = await ask(v1Env({ WEBHOOK_BUDGET_MS: "10000" }), "1001");
    expect(answer.content).toMatch(/waiting for payment/);
    expect(paths()).toEqual(["/orders", "/orders"]);
  });
});

describe("configuration problems", () => {
  it("logs that ShipStation is not configured, never calls it, and transfers", async () => {
    const { answer } = await ask({ TRANSFER_NUMBER: TRANSFER, SHIPSTATION_V1_BASE_URL: fake.url }, "1001");
    expectTransfer(answer);
    expect(fake.requests).toHaveLength(0);
    expect(logs.join("\n")).toMatch(/ShipStation is not configured: set SHIPSTATION_V2_API_KEY/);
  });

  it("a base URL where nothing listens: logged as a network failure, and the caller is transferred", async () => {
    const closed = await startFakeShipStation();
    const url = closed.url;
    await closed.close();
    const { answer } = await ask(v1Env({ SHIPSTATION_V1_BASE_URL: url }), "1001");
    expect(answer.content).toMatch(/can't reach our order system/);
    expectTransfer(answer);
    expect(logs.join("\n")).toMatch(/ShipStation lookup failed: network/);
  });

  it("the caller without an order number goes to a human", async () => {
    const send = phoneCall(v1Env());
    await send("order_lookup", "initial");
    expectTransfer(await send("order_lookup", "disqualified", { reason: "no order number" }));
  });
});
