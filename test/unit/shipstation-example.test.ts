// What `--example shipstation` adds to a generated project, read from the change set (no install).
import { describe, expect, it } from "vitest";
import { EXAMPLE_FEATURES } from "../../src/generate/features.js";
import { generateProject } from "../../src/generate/project.js";
import { defaultParameters, type ProjectSpec, type Runtime } from "../../src/spec/spec.js";

function files(runtime: Runtime, withUserLink = true): Map<string, string> {
  const spec: ProjectSpec = {
    packageName: "orders",
    runtime,
    baseUrl: "https://hooks.example.com/",
    trigger: "where is my order",
    example: "shipstation",
    links: withUserLink ? [{ name: "greeting", prompt: "Hi", parameters: defaultParameters() }] : [],
  };
  const out = new Map<string, string>();
  for (const change of generateProject(spec, "/tmp/unused").changes) if (change.kind === "create") out.set(change.path, change.content);
  return out;
}

describe("the shipstation example", () => {
  it("declares its two links and the fake-server script, and needs no new dependency", () => {
    expect(EXAMPLE_FEATURES.shipstation.links).toEqual(["order_lookup", "order_followup"]);
    expect(EXAMPLE_FEATURES.shipstation.dependencies).toBeUndefined();
    expect(EXAMPLE_FEATURES.shipstation.scripts).toEqual({ "shipstation:fake": "node test/shipstation/serve.ts" });
  });

  it("appends order_lookup → order_followup to the chain, the registry and LinkName", () => {
    const out = files("node");
    expect(JSON.parse(out.get("chain.json")!)).toEqual([
      { name: "greeting", endpoint: "https://hooks.example.com/greeting" },
      { name: "order_lookup", endpoint: "https://hooks.example.com/order_lookup" },
      { name: "order_followup", endpoint: "https://hooks.example.com/order_followup" },
    ]);
    const registry = out.get("src/links/index.ts")!;
    expect(registry).toMatch(/chain = \[\s*greetingLink,\s*orderLookupLink,\s*orderFollowupLink,\s*\]/);
    expect(registry).toContain('"order_lookup"');
    expect(registry).toContain('"order_followup"');
    expect(JSON.parse(out.get("package.json")!).scripts["shipstation:fake"]).toBe("node test/shipstation/serve.ts");
  });

  it("writes the links, their contract tests, the client, the fake server and the scenarios", () => {
    const out = files("node", false);
    for (const file of [
      "src/links/order_lookup.ts",
      "src/links/order_followup.ts",
      "test/order_lookup.test.ts",
      "test/order_followup.test.ts",
      "src/shipstation/index.ts",
      "src/shipstation/v1.ts",
      "src/shipstation/v2.ts",
      "test/shipstation-scenarios.test.ts",
      "test/shipstation/fake-server.ts",
      "test/shipstation/fixtures.ts",
    ]) {
      expect(out.has(file), file).toBe(true);
    }
    // Links read their settings from the `env` every handler receives: createApp hands its record over.
    expect(out.get("src/app.ts")).toMatch(/createTaskchain\(\{[^}]*\benv,/);
    expect(JSON.parse(out.get("chain.json")!).map((l: { name: string }) => l.name)).toEqual(["order_lookup", "order_followup"]);
    // Partials are fragments, never files of their own.
    expect([...out.keys()].some((p) => p.includes("_partial"))).toBe(false);
  });

  it("explains every key, the transfer number and simulate in .env.example and the README", () => {
    const out = files("node");
    const env = out.get(".env.example")!;
    for (const key of ["SHIPSTATION_V2_API_KEY=", "SHIPSTATION_API_KEY=", "SHIPSTATION_API_SECRET=", "SHIPSTATION_V1_BASE_URL=", "SHIPSTATION_V2_BASE_URL=", "TRANSFER_NUMBER="]) {
      expect(env).toContain(key);
    }
    const readme = out.get("README.md")!;
    expect(readme).toContain("## The ShipStation example");
    expect(readme).toContain("TRANSFER_NUMBER");
    expect(readme).toContain("npx create-taskchain simulate --url http://localhost:3000");
    expect(readme).not.toContain(".dev.vars");
  });

  it("tells Workers users about .dev.vars and wrangler's port", () => {
    const readme = files("cloudflare").get("README.md")!;
    expect(readme).toContain(".dev.vars");
    expect(readme).toContain("npx create-taskchain simulate --url http://localhost:8787");
  });

  it("keeps its scenario tests beside a user's link named shipstation", () => {
    const spec: ProjectSpec = { packageName: "orders", runtime: "node", baseUrl: "https://h.example.com", trigger: "t", example: "shipstation", links: [{ name: "shipstation", prompt: "p", parameters: defaultParameters() }] };
    const paths = generateProject(spec, "/tmp/unused").changes.map((c) => c.path);
    expect(paths).toContain("test/shipstation.test.ts");
    expect(paths).toContain("test/shipstation-scenarios.test.ts");
  });

  it("a link whose files a template writes too is refused, not written over the template's", () => {
    // "server" is reserved by name validation; generateProject guards on its own whatever the name.
    const spec: ProjectSpec = { packageName: "p", runtime: "node", baseUrl: "https://h.example.com", trigger: "t", links: [{ name: "server", prompt: "p", parameters: defaultParameters() }] };
    expect(() => generateProject(spec, "/tmp/unused")).toThrow(`link name "server" would replace the project's own test/server.test.ts; pick another name`);
  });

  it("adds nothing without --example", () => {
    const spec: ProjectSpec = { packageName: "plain", runtime: "node", baseUrl: "https://h.example.com", trigger: "t", links: [{ name: "a", prompt: "p", parameters: defaultParameters() }] };
    const paths = generateProject(spec, "/tmp/unused").changes.map((c) => c.path);
    expect(paths.some((p) => p.includes("shipstation") || p.includes("order_"))).toBe(false);
  });
});
