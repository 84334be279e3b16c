// A modest run of the soak script, in `npm run test:deep` only (its load lasts seconds): the
// generated node server under 5 s of sustained load from many distinct callers holds zero errors,
// evicts old sessions by the cap (mid-run) and by the idle TTL (after it), keeps its live heap
// flat, and prints its figures.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, run } from "../helpers/project.js";

describe("soak (bench/soak.mjs --seconds 5)", () => {
  it("serves full calls from many callers with zero errors and prints the figures", () => {
    // A small cap, so the run goes well past it and eviction has to keep memory flat.
    const r = run(process.execPath, [path.join(REPO, "bench/soak.mjs"), "--seconds", "5", "--connections", "16", "--max-sessions", "100", "--ttl", "3"], REPO, {}, 600_000);
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.code, output).toBe(0);
    for (const figure of [/^requests served: \d+/m, /^errors seen: 0$/m, /^non-2xx: 0$/m, /^peak RSS: [\d.]+ MiB/m, /^peak heap: [\d.]+ MiB/m, /evicted by the cap: yes/m, /by the TTL: yes/m]) {
      expect(r.stdout, output).toMatch(figure);
    }
    const result = JSON.parse(/^SOAK_RESULT (.*)$/m.exec(r.stdout)![1]!) as { requestsServed: number; errors: number; non2xx: number; calls: number; distinctCallers: number; peakRssBytes: number; peakHeapBytes: number };
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result.requestsServed).toBeGreaterThan(0);
    expect(result.calls).toBeGreaterThan(0);
    expect(result.peakRssBytes).toBeGreaterThan(0);
    expect(result.peakHeapBytes).toBeGreaterThan(0);
    console.log(`soak figures: ${JSON.stringify(result)}`);
  });
});
