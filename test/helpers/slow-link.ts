// A generated link made slow on purpose, for the suites that check the time budget on a live server.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The reply a slowed link's `onTimeout` gives. */
export const STILL_CHECKING = "Still checking; one moment.";

/**
 * Gives a generated link `budgetMs`, an `onTimeout` reply, and a qualified handler that sleeps 10 s
 * (ignoring its signal, as a careless handler would) whenever `slowWhen` holds for its context.
 */
export function slowQualified(dir: string, link: string, budgetMs: number, slowWhen: string): void {
  const file = path.join(dir, `src/links/${link}.ts`);
  const source = readFileSync(file, "utf8");
  const qualified = /\n {2}\/\/ `context` holds the qualified parameters[^\n]*\n {2}qualified: [\s\S]*?\n {2}\}\),\n/;
  if (!qualified.test(source)) throw new Error(`${file}: no generated qualified handler to replace`);
  const slow = `
  budgetMs: ${budgetMs},
  onTimeout: () => ({ content: ${JSON.stringify(STILL_CHECKING)}, actions: [nextTask()] }),
  qualified: async ({ context }) => {
    if (${slowWhen}) await new Promise((resolve) => setTimeout(resolve, 10_000));
    return { content: "", state: { ${link}: context }, actions: [nextTask()] };
  },
`;
  writeFileSync(file, source.replace(qualified, slow));
}
