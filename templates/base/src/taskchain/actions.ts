import type { KnownLinkName } from "./link.ts";
import type { Action, Notification } from "./protocol.ts";

/** Move on to the next link of the chain. */
export const nextTask = (): Action => ({ name: "next_task" });

/** Jump to another link of this chain, by name. */
export const switchTask = (name: KnownLinkName): Action => ({ name: "switch_task", context: { name } });

/** Text the caller. */
export const sms = (message: string): Action => ({ name: "sms", context: { message } });

/** Hand the call to another number. Ends this call's session. */
export const transferCall = (number: string): Action => ({ name: "transfer_call", context: { number } });

/** Hang up. Ends this call's session. */
export const endCall = (): Action => ({ name: "end_call" });

/** Speak the given text to the caller. */
export const say = (content: string): Action => ({ name: "say", context: { content } });

/** Email a summary of the conversation to this address. */
export const email = (address: string): Action => ({ name: "email", context: { email: address } });

/** Set a trigger condition for future responses. */
export const setTrigger = (condition: string): Action => ({ name: "set_trigger", context: { trigger: condition } });

/** After the call: email this address. */
export const notifyEmail = (address: string): Notification => ({ email: address });

/** After the call: POST to this webhook with these headers. */
export const notifyWebhook = (host: string, headers?: Record<string, string>): Notification => ({
  webhook: headers ? { host, headers } : { host },
});
