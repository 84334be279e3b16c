// Replies both order links share.
import type { Env } from "../taskchain/index.ts";
import { consoleLogger, endCall, transferCall, type Logger, type Reply } from "../taskchain/index.ts";
import { transferNumber } from "./config.ts";
import type { FailureReason } from "./types.ts";

/** Hand the caller to a human at TRANSFER_NUMBER; without one, say how else to get help and end the call. */
export function handOff(env: Readonly<Env>, before: string, logger: Logger = consoleLogger): Reply {
  const number = transferNumber(env);
  const lead = before ? `${before} ` : "";
  if (number) return { content: `${lead}Let me connect you with a member of our team.`, actions: [transferCall(number)] };
  logger.warn("TRANSFER_NUMBER is not set: ending the call instead of transferring it");
  return {
    content: `${lead}Please call us back during business hours, or reply to your order confirmation email, and we'll help you. Goodbye.`,
    actions: [endCall()],
  };
}

/** What the caller hears when the order system cannot answer: honest, without internals. */
export function unavailableMessage(reason: FailureReason): string {
  switch (reason) {
    case "rate_limited":
      return "I'm sorry, our order system is very busy right now, so I can't look that up at the moment.";
    case "timeout":
      return "I'm sorry, our order system is taking too long to answer, so I can't look that up right now.";
    case "too_many_results":
      return "I'm sorry, that number matches too many orders for me to find yours on my own.";
    case "list_changed":
      return "I'm sorry, our order system was updating while I looked, so I can't find that order right now.";
    default:
      return "I'm sorry, I can't reach our order system right now, so I can't look that up.";
  }
}
