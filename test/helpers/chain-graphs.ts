// Random chains written as link files, with the graph their code draws known in advance: each
// routing action is written in one of the ways handlers return them (in the handler, through a
// function of the same file or of another module, under an import alias, with a constant target,
// with a target computed at run time), so `chain --graph` can be checked against what was written.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { graphOf, HANDLERS, ROUTING_ACTIONS, type ChainGraph, type Handler, type Route, type RoutingAction } from "../../src/generate/chain-graph.js";

type Via = "direct" | "local" | "shared" | "alias" | "namespace";
type Target = { kind: "link"; index: number } | { kind: "other"; name: string } | { kind: "computed" } | { kind: "const"; index: number };

export interface GenAction {
  action: RoutingAction;
  via: Via;
  target: Target;
}

export interface GenLink {
  name: string;
  /** How the handlers are written: arrow properties, methods, or named top-level functions. */
  style: "arrow" | "method" | "named";
  handlers: Partial<Record<Handler, GenAction[]>>;
}

const linkName = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/) },
  // Anything a `name: "…"` literal can hold: the graph must escape it.
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
  fc.constantFrom("end", "graph", "subgraph", "click", "style", "o", "x", 'a"b', "a|b", "[x]", "#35;", "<b>hi</b>", "a --> b", "l_0", "l0"),
);

const otherName = fc.stringMatching(/^zz_[a-z]{1,6}$/);

const action = (links: number): fc.Arbitrary<GenAction> =>
  fc.record({
    action: fc.constantFrom(...ROUTING_ACTIONS),
    via: fc.constantFrom<Via>("direct", "local", "shared", "alias", "namespace"),
    target: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: links - 1 }).map((index): Target => ({ kind: "link", index })) },
      fc.integer({ min: 0, max: links - 1 }).map((index): Target => ({ kind: "const", index })),
      otherName.map((name): Target => ({ kind: "other", name })),
      fc.constant<Target>({ kind: "computed" }),
    ),
  });

/** One to six links with unique names and zero to three actions in each handler. */
export const chainArbitrary: fc.Arbitrary<GenLink[]> = fc.uniqueArray(linkName, { minLength: 1, maxLength: 6 }).chain((names) =>
  fc.tuple(
    ...names.map((name) =>
      fc.record({
        name: fc.constant(name),
        style: fc.constantFrom<GenLink["style"]>("arrow", "method", "named"),
        handlers: fc.dictionary(fc.constantFrom(...HANDLERS), fc.array(action(names.length), { maxLength: 3 }), { maxKeys: HANDLERS.length }) as fc.Arbitrary<GenLink["handlers"]>,
      }),
    ),
  ),
);

function targetName(links: readonly GenLink[], target: Target): string | undefined {
  if (target.kind === "link" || target.kind === "const") return links[target.index]!.name;
  return target.kind === "other" ? target.name : undefined;
}

/** The graph the generated code draws. */
export function expectedGraph(links: readonly GenLink[]): ChainGraph {
  const routes: Route[] = links.flatMap((l) =>
    Object.entries(l.handlers).flatMap(([handler, actions]) =>
      actions!.map((a): Route => {
        const target = a.action === "switch_task" ? targetName(links, a.target) : undefined;
        return { from: l.name, handler: handler as Handler, action: a.action, ...(target === undefined ? {} : { target }) };
      }),
    ),
  );
  return graphOf(
    links.map((l) => l.name),
    routes,
  );
}

const HELPER = { next_task: "nextTask", switch_task: "switchTask", transfer_call: "transferCall", end_call: "endCall" } as const;
const ALIAS = { next_task: "goOn", switch_task: "goTo", transfer_call: "handOver", end_call: "hangUp" } as const;

/** The expression that returns one action, and the declarations it needs at the top of its file. */
function call(links: readonly GenLink[], a: GenAction, id: string): { expr: string; top: string[]; shared?: string } {
  const target = a.target.kind === "computed" ? "state.next" : a.target.kind === "const" ? `TARGET_${id}` : JSON.stringify(targetName(links, a.target));
  const args = a.action === "switch_task" ? target : a.action === "transfer_call" ? '"+15125550100"' : "";
  const top = a.action === "switch_task" && a.target.kind === "const" ? [`const TARGET_${id} = ${JSON.stringify(targetName(links, a.target))};`] : [];
  const helper = `${a.via === "alias" ? ALIAS[a.action] : a.via === "namespace" ? `taskchain.${HELPER[a.action]}` : HELPER[a.action]}(${args})`;
  if (a.via === "local") return { expr: `route_${id}(state)`, top: [...top, `function route_${id}(state: Record<string, any>) {\n  return ${helper};\n}`] };
  if (a.via === "shared") {
    // In another module, whose own constants the target may name.
    return { expr: `shared_${id}(state)`, top: [], shared: `${top.join("\n")}\nexport function shared_${id}(state: Record<string, any>) {\n  return ${helper};\n}\n` };
  }
  return { expr: helper, top };
}

const IMPORTS = [
  'import { defineLink, nextTask, switchTask, transferCall, endCall } from "../taskchain/index.ts";',
  'import { nextTask as goOn, switchTask as goTo, transferCall as handOver, endCall as hangUp } from "../taskchain/index.ts";',
  'import * as taskchain from "../taskchain/index.ts";',
];

/** Writes the chain as a project under `root`: package.json, src/links/ and src/lib/routes.ts. */
export function writeChain(root: string, links: readonly GenLink[]): void {
  writeFileSync(path.join(root, "package.json"), `${JSON.stringify({ name: "chain", private: true, type: "module", taskchain: { runtime: "node", baseUrl: "https://hooks.example.com" } }, null, 2)}\n`);
  mkdirSync(path.join(root, "src/links"), { recursive: true });
  mkdirSync(path.join(root, "src/lib"), { recursive: true });
  const shared: string[] = ['import { nextTask, switchTask, transferCall, endCall } from "../taskchain/index.ts";', ...IMPORTS.slice(1)];
  links.forEach((link, i) => {
    const top: string[] = [];
    const handlers: string[] = [];
    const used: string[] = [];
    for (const [handler, actions] of Object.entries(link.handlers)) {
      const exprs = actions!.map((a, k) => {
        const c = call(links, a, `${i}_${handler}_${k}`);
        top.push(...c.top);
        if (c.shared) {
          shared.push(c.shared);
          used.push(`shared_${i}_${handler}_${k}`);
        }
        return c.expr;
      });
      const body = `{ content: "", actions: [${exprs.join(", ")}] }`;
      if (link.style === "arrow") handlers.push(`  ${handler}: ({ state }: { state: Record<string, any> }) => (${body}),`);
      else if (link.style === "method") handlers.push(`  ${handler}({ state }: { state: Record<string, any> }) {\n    return ${body};\n  },`);
      else {
        top.push(`function ${handler}_${i}({ state }: { state: Record<string, any> }) {\n  return ${body};\n}`);
        handlers.push(`  ${handler}: ${handler}_${i},`);
      }
    }
    const imports = [...IMPORTS, ...(used.length ? [`import { ${used.join(", ")} } from "../lib/routes.ts";`] : [])];
    const source = `${imports.join("\n")}\n\n${top.join("\n\n")}\n\nexport const link${i} = defineLink({\n  name: ${JSON.stringify(link.name)},\n  parameters: {},\n${handlers.join("\n")}\n});\n`;
    writeFileSync(path.join(root, `src/links/link${i}.ts`), source);
  });
  writeFileSync(path.join(root, "src/lib/routes.ts"), `${shared.join("\n")}\n`);
  const registry = `${links.map((_, i) => `import { link${i} } from "./link${i}.ts";`).join("\n")}\n\nexport const chain = [${links.map((_, i) => `link${i}`).join(", ")}] as const;\n`;
  writeFileSync(path.join(root, "src/links/index.ts"), registry);
}
