// "Where is my order?": ask for the order number (and the shipping ZIP code when
// ORDER_LOOKUP_VERIFY_ZIP is on), look it up in ShipStation, and say where it is.
import * as z from "zod";
import { lookupOrders, verifyZip, type Order } from "../shipstation/index.ts";
import { handOff, unavailableMessage } from "../shipstation/replies.ts";
import { describeOrders, speakOrderNumber } from "../shipstation/speech.ts";
import { lookupAttempts, toOrderState } from "../shipstation/state.ts";
import { defineLink, nextTask, switchTask, type Env, type Reply } from "../taskchain/index.ts";

/** A number that finds nothing is asked for once more, then the caller goes to a human. */
export const MAX_LOOKUP_ATTEMPTS = 2;

/** As Agent4 transcribes it: "#1001", "order 1 0 0 1" and " A-1001 " become "1001" and "A-1001". */
export function normalizeOrderNumber(spoken: string): string {
  return spoken.trim().replace(/^(?:order\s+)?(?:number\s+)?#?/i, "").replace(/\s+/g, "");
}

/** "78756" matches "78756-3717" (ZIP+4) and the other way round; case, spaces and dashes do not count. */
export function zipMatches(given: string, postalCode: string | null): boolean {
  if (!postalCode) return false;
  const a = given.replace(/[^0-9A-Za-z]/g, "").toUpperCase();
  const b = postalCode.replace(/[^0-9A-Za-z]/g, "").toUpperCase();
  if (!a || !b) return false;
  return a === b || (Math.min(a.length, b.length) >= 5 && (a.startsWith(b) || b.startsWith(a)));
}

function prompt(attempts: number, zip: boolean): string {
  const zipAsk = zip
    ? " Also ask for the ZIP or postal code of the shipping address; it is needed to confirm the order belongs to them."
    : " If they offer the ZIP code of the shipping address, note it too.";
  const first =
    attempts === 0
      ? "The caller wants to know the status of an order. Ask for their order number; it is on their order confirmation email."
      : "We could not find the order number the caller gave. Ask them to read the order number again carefully, character by character, from their order confirmation email.";
  return `${first}${zipAsk} Do not guess or invent a number. When you have it, finish the task with the order number exactly as they said it (letters, digits and any dashes, without spaces). If they don't have an order number or want something else, finish as disqualified with the reason.`;
}

function notFound(env: Readonly<Env>, attempt: number, orderNumber: string, withZip: boolean): Reply {
  const spoken = speakOrderNumber(orderNumber);
  const what = `an order with ${spoken ? `the number ${spoken}` : "that number"}${withZip ? " and that ZIP code" : ""}`;
  if (attempt < MAX_LOOKUP_ATTEMPTS) {
    return {
      content: `I couldn't find ${what}. Let's try once more.`,
      state: { order_lookup_attempts: attempt },
      actions: [switchTask("order_lookup")],
    };
  }
  return { ...handOff(env, `I'm sorry, I still couldn't find ${what}.`), state: { order_lookup_attempts: attempt } };
}

export const orderLookupLink = defineLink({
  name: "order_lookup",
  parameters: {
    qualified: z.object({
      order_number: z.string().describe("The order number exactly as the caller gave it: letters, digits and any dashes, without spaces"),
      zip_code: z.string().optional().describe("The ZIP or postal code of the order's shipping address, if the caller gave it"),
    }),
    disqualified: z.object({
      reason: z.string().describe("Why the caller could not give an order number"),
    }),
    interrupt: z.object({
      reason: z.string().optional().describe("Why the call ended early, if known"),
    }),
  },

  initial: ({ state, env }) => ({ content: prompt(lookupAttempts(state), verifyZip(env)) }),

  // Too slow for the call's budget (WEBHOOK_BUDGET_MS): the caller hears why, and is handed over.
  onTimeout: ({ env }) => handOff(env, unavailableMessage("timeout")),

  qualified: async ({ context, state, env, signal, timeLeft }) => {
    const attempt = lookupAttempts(state) + 1;
    const orderNumber = normalizeOrderNumber(context.order_number);
    const zip = context.zip_code?.trim() || undefined;
    if (!orderNumber) return notFound(env, attempt, context.order_number, false);
    if (verifyZip(env) && !zip) {
      if (attempt < MAX_LOOKUP_ATTEMPTS) {
        return {
          content: "I'll need the ZIP code of the shipping address as well, to make sure the order is yours.",
          state: { order_lookup_attempts: attempt },
          actions: [switchTask("order_lookup")],
        };
      }
      return handOff(env, "I'm sorry, I can't look up an order without the shipping ZIP code.");
    }

    const lookup = await lookupOrders(orderNumber, env, { signal, timeLeft });
    if (!lookup.ok) return handOff(env, unavailableMessage(lookup.failure.reason));

    // A ZIP code the caller gave is always checked; a mismatch sounds like "not found", so an
    // order number alone says nothing about someone else's order.
    const orders: Order[] = zip ? lookup.orders.filter((o) => zipMatches(zip, o.postalCode)) : lookup.orders;
    if (orders.length === 0) return notFound(env, attempt, orderNumber, zip !== undefined);

    return {
      content: describeOrders(orders, orderNumber),
      state: { order_lookup_attempts: 0, order: toOrderState(orderNumber, orders) },
      actions: [nextTask()],
    };
  },

  disqualified: ({ env }) => handOff(env, "No problem."),

  // The caller hung up: nothing to say.
  interrupt: () => ({}),
});
