// `chain --graph` parses and renders as Mermaid: the built CLI's graph of a ShipStation project and
// of random chains (names of any text) rendered by the mermaid package from node_modules in real
// headless Chromium, each node's text read back from the drawing. A broken graph in the same page
// must come back as a parse error, so the page cannot pass what Mermaid refuses.
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { mermaid } from "../../src/generate/chain-graph.js";
import { runs } from "../helpers/deep.js";
import { chainArbitrary, expectedGraph, writeChain } from "../helpers/chain-graphs.js";
import { inlineJson, runPage } from "../helpers/chromium.js";
import { REPO, runCli, tempDir } from "../helpers/project.js";

const MERMAID = pathToFileURL(path.join(REPO, "node_modules/mermaid/dist/mermaid.min.js")).href;

interface Rendered {
  ok: boolean;
  error?: string;
  nodes?: string[];
  edges?: number;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Renders each text with Mermaid in one Chromium page: node texts and edge count, or the error. */
function render(texts: string[]): Rendered[] {
  const script = `
<script src="${MERMAID}"></script>
<script>
  const texts = ${inlineJson(texts)};
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  (async () => {
    const out = [];
    for (const [i, text] of texts.entries()) {
      try {
        const { svg } = await mermaid.render("graph" + i, text);
        const holder = document.createElement("div");
        holder.innerHTML = svg;
        const nodes = [...holder.querySelectorAll("g.node")].map((n) => n.textContent);
        out.push({ ok: true, nodes, edges: holder.querySelectorAll("path.flowchart-link").length });
      } catch (error) {
        out.push({ ok: false, error: String(error && error.message || error) });
      }
    }
    report(out);
  })();
</script>`;
  return runPage(script) as Rendered[];
}

/** Edges in our text: every line with an arrow. */
const edgeCount = (text: string) => text.split("\n").filter((l) => / -\.?-> /.test(l) || / -\.?->\|/.test(l)).length;
/** The node texts the graph declares, as a reader sees them (Mermaid collapses spaces). */
const shown = (s: string) => s.replace(/\s+/g, " ").trim();

describe("the graph renders in Chromium", () => {
  it("ShipStation and random chains render, node for node; a broken graph is refused", () => {
    const root = tempDir("taskchain-graph-render-");
    dirs.push(root);
    const created = runCli(["shop", "--example", "shipstation", "--link", "pin_vetting", "--yes", "--no-install", "--no-git"], { cwd: root });
    expect(created.code, created.stderr).toBe(0);
    const ship = runCli(["chain", "--graph", "--cwd", path.join(root, "shop")]);
    expect(ship.code, ship.stderr).toBe(0);
    expect(ship.stdout).toContain("l_order_lookup");

    const chains = fc.sample(chainArbitrary, runs(8, 30));
    const texts = chains.map((links, i) => {
      const dir = path.join(root, `chain${i}`);
      mkdirSync(dir);
      writeChain(dir, links);
      const printed = runCli(["chain", "--graph", "--cwd", dir]);
      expect(printed.code, printed.stderr).toBe(0);
      // What the CLI printed is what the chain's code draws.
      expect(printed.stdout).toBe(mermaid(expectedGraph(links)));
      return printed.stdout;
    });
    const broken = ship.stdout.replace('l_order_lookup -->|"qualified"|', 'l_order_lookup -->|"qualified"');

    const [shipRendered, brokenRendered, ...rendered] = render([ship.stdout, broken, ...texts]);
    expect(shipRendered, shipRendered?.error).toMatchObject({ ok: true, edges: edgeCount(ship.stdout) });
    expect(shipRendered!.nodes).toEqual(expect.arrayContaining(["pin_vetting", "order_lookup", "order_followup", "transfer_call", "end_call", "call"]));
    expect(brokenRendered).toMatchObject({ ok: false, error: expect.stringMatching(/Parse error/) });
    rendered.forEach((r, i) => {
      expect(r, `${texts[i]}\n${r.error}`).toMatchObject({ ok: true, edges: edgeCount(texts[i]!) });
      for (const name of chains[i]!.map((l) => l.name)) expect(r.nodes!.map(shown), texts[i]).toContain(shown(name));
    });
  });
});
