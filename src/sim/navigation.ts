// Where an answer sends the call, read from its actions: walk() follows it, and a visit records it
// (simulate --graph draws the path a call took from those).
import type { Action } from "../../templates/base/src/taskchain/protocol.js";
import type { Outcome } from "../protocol/outcomes.js";
import type { Visit } from "./walker.js";

export type Navigation = { kind: "none" } | { kind: "end"; reason: "end_call" | "transfer_call"; detail: string } | { kind: "next" } | { kind: "switch"; to: string };

/** Where an answer sends the call: the first call-ending action wins over any move, then the first move. */
export function navigationOf(actions: readonly Action[]): Navigation {
  const end = actions.find((a) => a.name === "transfer_call" || a.name === "end_call");
  if (end?.name === "transfer_call") return { kind: "end", reason: "transfer_call", detail: `transferred to ${end.context.number}` };
  if (end) return { kind: "end", reason: "end_call", detail: "the webhook ended the call" };
  const move = actions.find((a) => a.name === "next_task" || a.name === "switch_task");
  if (move?.name === "switch_task") return { kind: "switch", to: move.context.name };
  return move ? { kind: "next" } : { kind: "none" };
}

/** How a visit left its link, for the transcript. */
export function moved(answer: "initial" | Outcome, nav: Navigation): Visit["moved"] {
  if (nav.kind === "next") return { answer, action: "next_task" };
  if (nav.kind === "switch") return { answer, action: "switch_task", target: nav.to };
  return nav.kind === "end" ? { answer, action: nav.reason } : undefined;
}
