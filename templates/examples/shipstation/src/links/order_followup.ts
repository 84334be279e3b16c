// After the status: text the tracking link, hand over to a human, or say goodbye.
import * as z from "zod";
import { getEnv } from "../env.js";
import { handOff } from "../shipstation/replies.js";
import { trackingText } from "../shipstation/speech.js";
import { readOrderState } from "../shipstation/state.js";
import { defineLink, endCall, sms } from "../taskchain/index.js";

const GOODBYE = "Thank you for calling. Goodbye!";

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

  qualified: ({ context, state }) => {
    const env = getEnv();
    if (context.choice === "human") return handOff(env, "");
    if (context.choice === "sms") {
      const order = readOrderState(state);
      if (order?.tracking.length) {
        return { content: `I've sent the tracking details to your phone. ${GOODBYE}`, actions: [sms(trackingText(order.number, order.tracking)), endCall()] };
      }
      return { content: `There's no tracking link for this order yet; you'll get one by email as soon as it ships. ${GOODBYE}`, actions: [endCall()] };
    }
    return { content: GOODBYE, actions: [endCall()] };
  },

  disqualified: () => ({ content: GOODBYE, actions: [endCall()] }),

  interrupt: () => ({}),
});
