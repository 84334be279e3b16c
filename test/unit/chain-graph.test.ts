// The chain's graph: read from the code (ShipStation's handlers and random chains written every way
// a handler returns an action), drawn as Mermaid with safe ids and escaped labels, read back from
// the README by add-link, and kept current by chain, chain --check and the edit commands.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { drawsRoute, graphFromMermaid, graphOf, mermaid, templateRoutes, type ChainGraph } from "../../src/generate/chain-graph.js";
import { readChainGraph } from "../../src/edit/graph.js";
import { drawnGraph } from "../../src/generate/readme-chain.js";
import { commitNewProject } from "../../src/fs/changeset.js";
import { EXAMPLE_FEATURES } from "../../src/generate/features.js";
import { generateProject } from "../../src/generate/project.js";
import { defaultParameters, defaultPrompt, ProjectSpecSchema } from "../../src/spec/spec.js";
import { chainArbitrary, expectedGraph, writeChain } from "../helpers/chain-graphs.js";
import { makeProject, read, runCommand, snapshot, write } from "./edit-helpers.js";

// Under the run's temp folder, which the global setup removes.
const tempDir = () => mkdtempSync(path.join(os.tmpdir(), "taskchain-graph-"));

async function shipstationProject(): Promise<string> {
  const root = path.join(tempDir(), "p");
  const spec = ProjectSpecSchema.parse({
    packageName: "p",
    runtime: "node",
    baseUrl: "https://hooks.example.com",
    trigger: "help",
    example: "shipstation",
    links: [{ name: "pin_vetting", prompt: defaultPrompt("pin_vetting"), parameters: defaultParameters() }],
  });
  await commitNewProject(generateProject(spec, root));
  return root;
}

/** Mermaid's own syntax that must never appear outside a quoted label. */
function unquoted(text: string): string {
  return text.replace(/"[^"]*"/g, '""');
}

describe("the graph read from the code", () => {
  it("ShipStation: handOff's transfer and hang-up in another file, the retry's switch to itself", async () => {
    const root = await shipstationProject();
    const graph = await readChainGraph(root);
    expect(graph.links).toEqual(["pin_vetting", "order_lookup", "order_followup"]);
    expect(graph).toEqual(graphOf(graph.links, [...templateRoutes("pin_vetting"), ...EXAMPLE_FEATURES.shipstation.routes!]));
    const lookup = graph.routes.filter((r) => r.from === "order_lookup");
    expect(lookup).toContainEqual({ from: "order_lookup", handler: "qualified", action: "switch_task", target: "order_lookup" });
    expect(lookup).toContainEqual({ from: "order_lookup", handler: "disqualified", action: "transfer_call" });
    expect(mermaid(graph)).toContain('l_order_lookup -->|"qualified: switch_task"| l_order_lookup');
    expect(mermaid(graph)).toContain('l_order_lookup -->|"qualified"| l_order_followup');
    // create drew the same graph without a parser: chain --check is green from the start.
    expect((await runCommand("chain", { cwd: root, check: true })).code).toBe(0);
    expect(drawnGraph(read(root, "README.md"))).toEqual(graph);
    expect(drawnGraph(read(root, "README.md").replaceAll("\n", "\r\n"))).toEqual(graph);
  });

  it("random chains: the edges equal the ones written, however the handlers return them", async () => {
    await fc.assert(
      fc.asyncProperty(chainArbitrary, async (links) => {
        const root = tempDir();
        writeChain(root, links);
        const graph = await readChainGraph(root);
        expect(graph).toEqual(expectedGraph(links));
        rmSync(root, { recursive: true, force: true });
      }),
      { numRuns: 40 },
    );
  });

  it("a handler's routes through a module's re-export and a default export are followed", async () => {
    const root = await makeProject(["a", "b"]);
    mkdirSync(path.join(root, "src/routes"));
    write(root, "src/routes/hangup.ts", 'import { endCall } from "../taskchain/index.ts";\nexport default function hangUp() {\n  return endCall();\n}\n');
    write(root, "src/routes/index.ts", 'export { default as hangUp } from "./hangup.ts";\nexport * from "./jump.ts";\n');
    write(root, "src/routes/jump.ts", 'import { switchTask } from "../taskchain/index.ts";\nexport const jump = () => switchTask("a");\n');
    write(root, "src/links/b.ts", read(root, "src/links/b.ts").replace("actions: [nextTask()],", "actions: [hangUp(), jump()],").replace('import * as z from "zod";', 'import * as z from "zod";\nimport { hangUp, jump } from "../routes/index.ts";'));
    const graph = await readChainGraph(root);
    expect(graph.routes.filter((r) => r.from === "b" && r.handler === "qualified")).toEqual([
      { from: "b", handler: "qualified", action: "switch_task", target: "a" },
      { from: "b", handler: "qualified", action: "end_call" },
    ]);
  });
});

describe("the Mermaid text", () => {
  const sample: ChainGraph = graphOf(
    ["end", 'say "hi" | bye', "ok"],
    [
      { from: "end", handler: "qualified", action: "next_task" },
      { from: "end", handler: "disqualified", action: "switch_task", target: "gone" },
      { from: 'say "hi" | bye', handler: "interrupt", action: "switch_task" },
      { from: 'say "hi" | bye', handler: "invalidContext", action: "transfer_call" },
      { from: "ok", handler: "qualified", action: "next_task" },
      { from: "ok", handler: "disqualified", action: "next_task" },
    ],
  );

  it("draws links in order, exits, and a dashed edge to a target that is no link or is computed", () => {
    expect(mermaid(sample)).toBe(
      [
        "flowchart TD",
        '  caller(["call"])',
        '  l_end["end"]',
        '  l1["say #34;hi#34; #124; bye"]',
        '  l_ok["ok"]',
        '  exit_done(["chain complete"])',
        '  exit_transfer(["transfer_call"])',
        '  unknown_target(["? (computed at run time)"])',
        '  missing_1["gone (not a link)"]',
        "  caller --> l_end",
        '  l_end -->|"qualified"| l1',
        '  l_end -.->|"disqualified: switch_task"| missing_1',
        '  l1 -.->|"interrupt: switch_task"| unknown_target',
        '  l1 -->|"invalid context"| exit_transfer',
        '  l_ok -->|"qualified, disqualified"| exit_done',
        "",
      ].join("\n"),
    );
  });

  it("ids are safe and labels escaped for any names; the text reads back as the same graph", () => {
    fc.assert(
      fc.property(chainArbitrary, (links) => {
        const graph = expectedGraph(links);
        const text = mermaid(graph);
        for (const line of text.trimEnd().split("\n").slice(1)) {
          expect(unquoted(line)).toMatch(/^ {2}(?:\w+\(?\[""\]\)?|\w+ -\.?->(?:\|""\|)? \w+)$/);
          for (const [, label] of line.matchAll(/"([^"]*)"/g)) expect(label).toMatch(/^(?:[A-Za-z0-9 _.,:()?-]|#\d+;)*$/);
        }
        for (const id of text.matchAll(/^ {2}(\w+)/gm)) expect(["end", "graph", "subgraph", "click", "style", "class", "call"]).not.toContain(id[1]);
        expect(graphFromMermaid(text)).toEqual(graph);
      }),
    );
  });

  it("draws a call's steps thick, counting the caller's edge first; a step the code does not show is no edge", () => {
    const taken = [
      { from: "end", handler: "qualified", action: "next_task" },
      { from: 'say "hi" | bye', handler: "invalidContext", action: "transfer_call" },
      { from: "ok", handler: "qualified", action: "switch_task", target: "ok" },
    ] as const;
    const text = mermaid(sample, taken);
    expect(text).toBe(`${mermaid(sample)}  linkStyle 0,1,4 stroke:#d1242f,stroke-width:4px\n`);
    expect(taken.map((r) => drawsRoute(sample, r))).toEqual([true, true, false]);
    expect(mermaid(sample, [taken[2]])).toBe(mermaid(sample));
  });

  it("reads back nothing but its own text", () => {
    const text = mermaid(sample);
    expect(graphFromMermaid(text.replace("l_end -->", "l_end ==>"))).toBeUndefined();
    expect(graphFromMermaid(text.replace('"qualified"', '"qualified, sometimes"'))).toBeUndefined();
    expect(graphFromMermaid(`${text}  l_ok --> l_end\n`)).toBeUndefined();
  });
});

describe("the README's graph", () => {
  it("chain --check reports a graph the code no longer draws; chain redraws it", async () => {
    const root = await makeProject(["pin_vetting", "schedule"]);
    write(root, "src/links/schedule.ts", read(root, "src/links/schedule.ts").replace("nextTask } from", "nextTask, switchTask } from").replace("actions: [endCall()],", 'actions: [switchTask("pin_vetting")],'));
    const stale = await runCommand("chain", { cwd: root, check: true });
    expect(stale.code).toBe(1);
    expect(stale.err).toContain("README.md's chain section is stale:");
    expect(stale.err).toContain('-  l_schedule -->|"disqualified"| exit_end_call');
    expect(stale.err).toContain('+  l_schedule -->|"disqualified: switch_task"| l_pin_vetting');
    expect((await runCommand("chain", { cwd: root })).code).toBe(0);
    expect((await runCommand("chain", { cwd: root, check: true })).code).toBe(0);
    expect(drawnGraph(read(root, "README.md"))!.routes).toContainEqual({ from: "schedule", handler: "disqualified", action: "switch_task", target: "pin_vetting" });
  });

  it("add-link, remove-link and rename-link keep it what the code draws", async () => {
    const root = await makeProject(["pin_vetting", "schedule"]);
    write(root, "src/links/schedule.ts", read(root, "src/links/schedule.ts").replace("nextTask } from", "nextTask, switchTask } from").replace("actions: [endCall()],", 'actions: [switchTask("pin_vetting")],'));
    expect((await runCommand("chain", { cwd: root })).code).toBe(0);
    const steps: Array<[Parameters<typeof runCommand>[0], Record<string, unknown>]> = [
      ["add-link", { name: "book_slot", after: "pin_vetting" }],
      ["add-link", { name: "wrap_up" }],
      ["rename-link", { from: "pin_vetting", to: "pin_check" }],
      ["remove-link", { name: "book_slot" }],
      ["remove-link", { name: "pin_check", force: true }],
    ];
    for (const [command, options] of steps) {
      expect((await runCommand(command, { cwd: root, yes: true, ...options })).code, command).toBe(0);
      // (The forced removal leaves a switchTask() to a removed link, which --check reports.)
      const check = await runCommand("chain", { cwd: root, check: true });
      expect(check.err, command).not.toContain("stale");
      expect(drawnGraph(read(root, "README.md"))).toEqual(await readChainGraph(root));
    }
    // The switch to the removed link stays, dashed, to a name that is no link.
    expect(read(root, "README.md")).toContain('l_schedule -.->|"disqualified: switch_task"| missing_1');
  });

  it("add-link redraws from the code when the README's graph was edited by hand", async () => {
    const root = await makeProject(["pin_vetting", "schedule"]);
    write(root, "README.md", read(root, "README.md").replace('l_schedule -->|"disqualified"| exit_end_call', 'l_schedule -->|"disqualified"| exit_end_call\n  %% a comment'));
    expect((await runCommand("add-link", { cwd: root, name: "book_slot", yes: true })).code).toBe(0);
    expect((await runCommand("chain", { cwd: root, check: true })).code).toBe(0);
  });
});

describe("chain --graph", () => {
  it("prints the code's graph and writes nothing", async () => {
    const root = await shipstationProject();
    const before = snapshot(root);
    const ran = await runCommand("chain", { cwd: root, graph: true });
    expect(ran.code).toBe(0);
    expect(ran.out).toBe(mermaid(await readChainGraph(root)));
    expect(snapshot(root)).toEqual(before);
  });

  it("goes alone", async () => {
    const root = await makeProject(["a"]);
    for (const [flag, option] of [["print", { print: true }], ["check", { check: true }], ["base-url", { baseUrl: "https://x.example.com" }]] as const) {
      const ran = await runCommand("chain", { cwd: root, graph: true, ...option });
      expect(ran.error?.message).toBe(`--graph prints the graph alone: run it without --${flag}`);
    }
  });
});
