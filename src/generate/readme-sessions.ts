// The generated README's sessions section: a marked block saying where sessions live, written by
// create and rewritten by `create-taskchain sessions`. A README without the markers is the user's alone.
import type { Runtime, SessionStoreName } from "../spec/spec.js";
import { STORE_FEATURES } from "./features.js";
import { renderPartial } from "./templates.js";

const START = "<!-- taskchain:sessions (rewritten by `create-taskchain sessions`; edit around it) -->";
const END = "<!-- /taskchain:sessions -->";

/** The README block that says where sessions live and how to move them. */
export function sessionsBlock(runtime: Runtime, store: SessionStoreName): string {
  const text = renderPartial(`${STORE_FEATURES[store].folder}/_partial.README.md.ejs`, { runtime });
  return `${START}\n${text.trimEnd()}\n${END}`;
}

/** `readme` with its sessions block replaced; undefined when it has none (the README is then the user's alone). */
export function replaceBlock(readme: string, block: string): string | undefined {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END, start);
  if (start < 0 || end < 0) return undefined;
  const newline = readme.includes("\r\n") ? "\r\n" : "\n";
  return readme.slice(0, start) + block.replaceAll("\n", newline) + readme.slice(end + END.length);
}

