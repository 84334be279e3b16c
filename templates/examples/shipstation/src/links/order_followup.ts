// After the status: text the tracking link, hand over to a human, or say goodbye.
import * as z from "zod";
import { handOff } from "../shipstation/replies.ts";
import { trackingText } from "../shipstation/speech.ts";
import { readOrderState, type OrderState } from "../shipstation/state.ts";
import { defineLink, endCall, sms, type Env, type Reply } from "../taskchain/index.ts";

const GOODBYE = "Thank you for calling. Goodbye!";

/** The caller asked for a tracking text and there is no tracking number to send: say why. */
function noTracking(env: Readonly<Env>, order: OrderState | undefined): Reply {
  const statuses = order?.statuses ?? [];
  // Shipped without a tracking number we can send (every label voided, or ShipStation did not
  // answer): a person can look further.
  if (statuses.length === 0 || statuses.includes("shipped")) return handOff(env, "I'm sorry, I don't have a tracking link I can send you.");
  if (statuses.every((s) => s === "cancelled" || s === "rejected_fulfillment")) {
    return { content: `This order won't be shipped, so there's no tracking link for it. ${GOODBYE}`, actions: [endCall()] };
  }
  return { content: `There's no tracking link yet, because the order hasn't shipped. ${GOODBYE}`, actions: [endCall()] };
}

export const orderFollowupLink = defineLink({
  name: "order_followup",
  parameters: {
    qualified: z.object({
      choice: z
        .enum(["sms", "human", "done"])
        .describe("sms: text me the tracking link; human: I want to talk to a person; done: nothing else"),
    }),
    disqualified: z.object({
      reason: z.string().describe("Why the caller did not choose"),
    }),
    interrupt: z.object({
      reason: z.string().optional().describe("Why the call ended early, if known"),
    }),
  },

  initial: ({ state }) => {
    const order = readOrderState(state);
    const offer = order?.tracking.length
      ? "Ask whether they would like the tracking link sent to them by text message (choice sms), would like to speak with a member of our team (choice human), or whether that's everything (choice done)."
      : "Ask whether they would like to speak with a member of our team (choice human), or whether that's everything (choice done).";
    return { content: `The caller has just been told the status of ${order ? `order ${order.number}` : "their order"}. ${offer} Keep it short.` };
  },

  qualified: ({ context, state, env }) => {
    if (context.choice === "human") return handOff(env, "");
    if (context.choice === "sms") {
      const order = readOrderState(state);
      if (order?.tracking.length) {
        return { content: `I've sent the tracking details to your phone. ${GOODBYE}`, actions: [sms(trackingText(order.number, order.tracking)), endCall()] };
      }
      return noTracking(env, order);
    }
    return { content: GOODBYE, actions: [endCall()] };
  },

  disqualified: () => ({ content: GOODBYE, actions: [endCall()] }),

  interrupt: () => ({}),
});
