// verify --latency's figures: nearest-rank percentiles, the over-budget flag, and how they read.
import { describe, expect, it } from "vitest";
import { percentile, projectBudget, renderLatency, summarise } from "../../src/sim/latency.js";

describe("latency figures", () => {
  it("percentiles are nearest-rank over the sorted times", () => {
    const times = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(times, 50), percentile(times, 95), percentile(times, 99)]).toEqual([50, 95, 99]);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it("a link is over budget when its p99 is, and only then", () => {
    const fast = Array.from({ length: 99 }, () => 10);
    expect(summarise("a", [...fast, 5000], 4000)).toMatchObject({ samples: 100, p50: 10, p99: 10, over: false });
    expect(summarise("b", [...fast.slice(0, 97), 4001, 4001, 4001], 4000)).toMatchObject({ p95: 10, p99: 4001, over: true });
  });

  it("prints one row per link and names the links over budget", () => {
    const links = [summarise("pin_vetting", [3, 4, 5], 200), summarise("plan", [3, 4, 310], 200)];
    const lines = renderLatency({ budgetMs: 200, rounds: 1, links, ok: false });
    expect(lines.slice(1, 5)).toEqual([
      "latency per link (1 round; budget 200 ms)",
      "  link              p50       p95       p99  calls",
      "✓ pin_vetting      4 ms      5 ms      5 ms  3",
      "✗ plan             4 ms    310 ms    310 ms  3  ✗ over budget: p99 310 ms > 200 ms",
    ]);
    expect(lines.at(-1)).toBe("LATENCY FAIL: 1 link(s) over budget: plan");
  });

  it("reads WEBHOOK_BUDGET_MS as the generated app does: 0 or junk is the default", () => {
    expect([projectBudget("2500"), projectBudget(undefined), projectBudget("0"), projectBudget("soon")]).toEqual([2500, 4000, 4000, 4000]);
  });
});
