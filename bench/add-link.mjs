// add-link's cost must not grow with the program: time the BUILT CLI adding one link to projects of
// 10 and 200 links (runs interleaved, each project restored between runs), and report the medians
// and their ratio against `--version` (bare start-up) measured in the same run. Each size is timed
// twice: the registry as create writes it and hand-edited (a trailing statement); both go through
// the one TypeScript parser, so they should cost the same.
// Usage: npm run build && node bench/add-link.mjs [runs]
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(REPO, "bin/create-taskchain.js");

// The child reports its own CPU time (user + system) at exit: on a busy machine wall time mostly
// measures the neighbours, CPU time measures the work.
const CPU_HOOK = `data:text/javascript,process.on("exit",()=>{const u=process.cpuUsage();process.stderr.write("\\n@@cpu "+(u.user+u.system)/1000+"\\n")})`;

/** Runs the built CLI; returns { wall, cpu } in ms. */
function cli(args, cwd = REPO) {
  const started = performance.now();
  const r = spawnSync(process.execPath, ["--import", CPU_HOOK, CLI, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", CI: "true" } });
  const wall = performance.now() - started;
  if (r.status !== 0) throw new Error(`create-taskchain ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const cpu = Number(/@@cpu ([\d.]+)/.exec(r.stderr)?.[1] ?? NaN);
  return { wall, cpu };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function makeProject(dir, count) {
  const names = Array.from({ length: count }, (_, i) => `step_${String(i + 1).padStart(3, "0")}`);
  cli([dir, "--link", names.join(","), "--runtime", "node", "--yes", "--no-install", "--no-git"]);
  return names;
}

/**
 * Median add-link wall and CPU time for projects of each size, plus the start-up baseline.
 * @param {{ runs?: number, sizes?: number[], log?: (line: string) => void }} [options]
 * @returns {Promise<{ baseline: { wall: number, cpu: number }, medians: Record<number, { wall: number, cpu: number }>, ratio: { wall: number, cpu: number }, edited: { medians: Record<number, { wall: number, cpu: number }>, ratio: { wall: number, cpu: number } }, runs: number }>}
 */
export async function benchAddLink({ runs = 7, sizes = [10, 200], log = () => {} } = {}) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "taskchain-bench-"));
  try {
    const projects = sizes.flatMap((size) =>
      [false, true].map((edited) => {
        const dir = path.join(tmp, `p${size}${edited ? "-edited" : ""}`);
        const names = makeProject(dir, size);
        if (edited) writeFileSync(path.join(dir, "src/links/index.ts"), `${readFileSync(path.join(dir, "src/links/index.ts"), "utf8")}\n// Added by hand.\nexport const chainLength = chain.length;\n`);
        const keep = ["src/links/index.ts", "chain.json"].map((rel) => [rel, readFileSync(path.join(dir, rel), "utf8")]);
        return { size, edited, dir, names, keep, times: [] };
      }),
    );
    const baseline = [];
    // One warm-up round (file cache), then interleaved timed runs.
    for (let i = -1; i < runs; i++) {
      const version = cli(["--version"]);
      if (i >= 0) baseline.push(version);
      for (const p of projects) {
        // In the middle of the chain: the registry edit has to find its place among all the entries.
        const t = cli(["add-link", "bench_link", "--after", p.names[Math.floor(p.names.length / 2)], "--cwd", p.dir]);
        if (i >= 0) p.times.push(t);
        for (const [rel, text] of p.keep) writeFileSync(path.join(p.dir, rel), text);
        for (const rel of ["src/links/bench_link.ts", "test/bench_link.test.ts"]) rmSync(path.join(p.dir, rel));
      }
    }
    const both = (ts) => ({ wall: median(ts.map((t) => t.wall)), cpu: median(ts.map((t) => t.cpu)) });
    const medians = Object.fromEntries(projects.filter((p) => !p.edited).map((p) => [p.size, both(p.times)]));
    const editedMedians = Object.fromEntries(projects.filter((p) => p.edited).map((p) => [p.size, both(p.times)]));
    const base = both(baseline);
    const [small, large] = sizes;
    const ratio = { wall: medians[large].wall / medians[small].wall, cpu: medians[large].cpu / medians[small].cpu };
    const editedRatio = { wall: editedMedians[large].wall / editedMedians[small].wall, cpu: editedMedians[large].cpu / editedMedians[small].cpu };
    const ms = (x) => `${x.toFixed(0).padStart(5)} ms`;
    log(`median of ${runs} interleaved runs          wall        cpu (user+sys)`);
    log(`--version (start-up baseline)     ${ms(base.wall)}   ${ms(base.cpu)}`);
    for (const p of projects) {
      const m = (p.edited ? editedMedians : medians)[p.size];
      log(`add-link, ${String(p.size).padStart(3)} links${p.edited ? ", hand-edited" : "              "} ${ms(m.wall)}   ${ms(m.cpu)}`);
    }
    log(`ratio ${large}/${small} links                  ${ratio.wall.toFixed(2).padStart(5)}×     ${ratio.cpu.toFixed(2).padStart(5)}×   (target ≤ 1.5×, add-link < 1000 ms)`);
    log(`ratio ${large}/${small} links, hand-edited     ${editedRatio.wall.toFixed(2).padStart(5)}×     ${editedRatio.cpu.toFixed(2).padStart(5)}×`);
    return { baseline: base, medians, ratio, edited: { medians: editedMedians, ratio: editedRatio }, runs };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const runs = Number(process.argv[2] ?? 7);
  await benchAddLink({ runs, log: (line) => console.log(line) });
}
