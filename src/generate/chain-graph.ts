// The chain as a graph: which handler of which link sends the call where. Plain data and its
// Mermaid text, no compiler: create draws a new project's graph from what its templates do, the
// edit commands from what the code does (edit/graph.ts reads it).
import { OUTCOMES, type Outcome } from "../protocol/outcomes.js";

/** The link handlers a route can be returned from. */
export type Handler = "initial" | Outcome | "invalidContext";
export const HANDLERS: readonly Handler[] = ["initial", ...OUTCOMES, "invalidContext"];

/** The actions that decide where a call goes next. */
export const ROUTING_ACTIONS = ["next_task", "switch_task", "transfer_call", "end_call"] as const;
export type RoutingAction = (typeof ROUTING_ACTIONS)[number];

export interface Route {
  /** The link whose handler returns the action. */
  from: string;
  handler: Handler;
  action: RoutingAction;
  /** switch_task's target as the code names it; absent when the code computes it. */
  target?: string;
}

export interface ChainGraph {
  /** Link names in chain order. */
  links: string[];
  /** Deduplicated, in chain, handler, action and target order. */
  routes: Route[];
}

const key = (r: Route) => `${r.from}\0${r.handler}\0${r.action}\0${r.target ?? ""}\0${r.target === undefined}`;

/** The graph of these links and routes, in its one canonical order (so equal graphs render equal text). */
export function graphOf(links: readonly string[], routes: readonly Route[]): ChainGraph {
  const rank = (r: Route) => [links.indexOf(r.from), HANDLERS.indexOf(r.handler), ROUTING_ACTIONS.indexOf(r.action)];
  const unique = [...new Map(routes.map((r) => [key(r), { ...r }])).values()];
  unique.sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    const i = ra.findIndex((x, n) => x !== rb[n]);
    if (i >= 0) return ra[i]! - rb[i]!;
    return a.target === b.target ? 0 : a.target === undefined ? 1 : b.target === undefined ? -1 : a.target < b.target ? -1 : 1;
  });
  return { links: [...links], routes: unique };
}

/** What templates/link/link.ts.ejs writes: qualified moves on, disqualified hangs up. */
export function templateRoutes(name: string): Route[] {
  return [
    { from: name, handler: "qualified", action: "next_task" },
    { from: name, handler: "disqualified", action: "end_call" },
  ];
}

// The edit commands' changes to the chain, applied to the graph read before them.

export function withLinkInserted(graph: ChainGraph, index: number, name: string, routes: readonly Route[]): ChainGraph {
  return graphOf([...graph.links.slice(0, index), name, ...graph.links.slice(index)], [...graph.routes, ...routes]);
}

/** Switches to a removed link stay, now to a name that is no link (remove-link --force leaves them). */
export function withLinkRemoved(graph: ChainGraph, name: string): ChainGraph {
  return graphOf(graph.links.filter((l) => l !== name), graph.routes.filter((r) => r.from !== name));
}

/** rename-link renames the link and every switchTask("…") naming it. */
export function withLinkRenamed(graph: ChainGraph, from: string, to: string): ChainGraph {
  const renamed = (n: string) => (n === from ? to : n);
  return graphOf(graph.links.map(renamed), graph.routes.map((r) => ({ ...r, from: renamed(r.from), ...(r.target === undefined ? {} : { target: renamed(r.target) }) })));
}

// --- Mermaid --------------------------------------------------------------------------------

/**
 * A label inside `"…"`: everything but plain letters, digits and a little punctuation becomes a
 * Mermaid entity (`#34;`), so no name can end the label or start Mermaid syntax.
 */
function label(text: string): string {
  return `"${text.replace(/[^A-Za-z0-9 _.,:()?-]/gu, (c) => `#${c.codePointAt(0)};`)}"`;
}

const HANDLER_LABEL: Record<Handler, string> = {
  initial: "initial",
  qualified: "qualified",
  disqualified: "disqualified",
  interrupt: "interrupt",
  invalidContext: "invalid context",
};

const EXITS = {
  exit_done: "chain complete",
  exit_transfer: "transfer_call",
  exit_end_call: "end_call",
  unknown_target: "? (computed at run time)",
} as const;

interface Edge {
  from: string;
  to: string;
  handlers: Handler[];
  switch: boolean;
  dashed: boolean;
}

/**
 * The graph as a Mermaid flowchart: the links in chain order, one edge per link, target and kind
 * labelled with the handlers it comes from. Ids are `l_<name>` (else `l<index>`), never a
 * Mermaid keyword; a switch target that is no link, or one the code computes, gets a dashed edge.
 * `taken` (the routes a call took) are drawn thick, where the graph has them.
 */
export function mermaid(graph: ChainGraph, taken: readonly Route[] = []): string {
  const ids = new Map(graph.links.map((name, i) => [name, /^[A-Za-z0-9_]+$/.test(name) ? `l_${name}` : `l${i}`]));
  const missing = new Map<string, string>();
  const targetOf = (r: Route): string => {
    if (r.action === "next_task") return ids.get(graph.links[graph.links.indexOf(r.from) + 1]!) ?? "exit_done";
    if (r.action === "transfer_call") return "exit_transfer";
    if (r.action === "end_call") return "exit_end_call";
    if (r.target === undefined) return "unknown_target";
    return ids.get(r.target) ?? missing.get(r.target) ?? missing.set(r.target, `missing_${missing.size + 1}`).get(r.target)!;
  };
  const keyOf = (r: Route) => `${ids.get(r.from)} ${targetOf(r)} ${r.action === "switch_task"}`;
  const edges = new Map<string, Edge>();
  for (const r of graph.routes) {
    const isSwitch = r.action === "switch_task";
    const edge = edges.get(keyOf(r)) ?? { from: ids.get(r.from)!, to: targetOf(r), handlers: [], switch: isSwitch, dashed: isSwitch && (r.target === undefined || !ids.has(r.target)) };
    if (!edge.handlers.includes(r.handler)) edge.handlers.push(r.handler);
    edges.set(keyOf(r), edge);
  }
  const used = new Set([...edges.values()].map((e) => e.to));
  const lines = ["flowchart TD", '  caller(["call"])'];
  for (const [name, id] of ids) lines.push(`  ${id}[${label(name)}]`);
  for (const [id, text] of Object.entries(EXITS)) if (used.has(id)) lines.push(`  ${id}([${label(text)}])`);
  for (const [name, id] of missing) lines.push(`  ${id}[${label(`${name} (not a link)`)}]`);
  if (graph.links.length) lines.push(`  caller --> ${ids.get(graph.links[0]!)}`);
  for (const e of edges.values()) {
    const text = e.handlers.map((h) => HANDLER_LABEL[h]).join(", ") + (e.switch ? ": switch_task" : "");
    lines.push(`  ${e.from} ${e.dashed ? "-.->" : "-->"}|${label(text)}| ${e.to}`);
  }
  // linkStyle counts edges in the order they are written, the caller's first.
  const order = [...edges.keys()];
  const drawn = taken.filter((r) => drawsRoute(graph, r)).map((r) => order.indexOf(keyOf(r)) + 1);
  if (drawn.length) lines.push(`  linkStyle ${[0, ...new Set(drawn)].join(",")} stroke:#d1242f,stroke-width:4px`);
  return `${lines.join("\n")}\n`;
}

/** Whether the graph has this route (a call's step the code shows). */
export function drawsRoute(graph: ChainGraph, route: Route): boolean {
  return graph.routes.some((r) => key(r) === key(route));
}

/**
 * The graph a Mermaid text of ours draws, or undefined when the text is anything else: what it
 * reads back must draw exactly the same text. add-link extends the README's graph this way
 * without reading every link file.
 */
export function graphFromMermaid(text: string): ChainGraph | undefined {
  const decode = (quoted: string) => quoted.slice(1, -1).replace(/#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)));
  const names = new Map<string, string>();
  const links: string[] = [];
  const routes: Route[] = [];
  const handlers = new Map(Object.entries(HANDLER_LABEL).map(([h, l]) => [l, h as Handler]));
  for (const line of text.split("\n").slice(2)) {
    const node = /^ {2}(\w+)\(?\[("[^"]*")\]\)?$/.exec(line);
    const edge = /^ {2}(\w+) -\.?->\|("[^"]*")\| (\w+)$/.exec(line);
    if (node) {
      names.set(node[1]!, decode(node[2]!).replace(/ \(not a link\)$/, ""));
      if (/^l_|^l\d/.test(node[1]!)) links.push(decode(node[2]!));
    } else if (edge) {
      const [from, label, to] = [edge[1]!, decode(edge[2]!), edge[3]!];
      const isSwitch = label.endsWith(": switch_task");
      const action: RoutingAction = isSwitch ? "switch_task" : to === "exit_transfer" ? "transfer_call" : to === "exit_end_call" ? "end_call" : "next_task";
      const target = isSwitch && to !== "unknown_target" ? { target: names.get(to) ?? "" } : {};
      for (const h of label.replace(/: switch_task$/, "").split(", ")) routes.push({ from: names.get(from) ?? "", handler: handlers.get(h) ?? "initial", action, ...target });
    }
  }
  const graph = graphOf(links, routes);
  return mermaid(graph) === text ? graph : undefined;
}
