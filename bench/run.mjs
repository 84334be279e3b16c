// `npm run bench`: every figure against a baseline measured in the same run, interleaved, medians.
// Prints a table and writes bench/results.json. Nothing here asserts: it reports.
//
//   BENCH_ROUNDS=n        rounds of the HTTP sections (default 5)
//   BENCH_RUNS=n          runs of the process sections (default 15)
//   BENCH_DURATION=s      measured seconds per HTTP run (default 5, after a 1 s warm-up)
//   BENCH_ONLY=help,scaffold,addlink,npx,http   run only these sections
//   BENCH_RUNTIMES=node,express              the runtimes of the HTTP section (default: all four)
import { spawn, spawnSync } from "node:child_process";
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(REPO, "bin/create-taskchain.js");
const VITE = path.join(REPO, "node_modules/create-vite/index.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(",")) : undefined;
const CORES = os.availableParallelism?.() ?? os.cpus().length;
const TASKSET = spawnSync("taskset", ["--version"]).status === 0 && CORES >= 2;
const ENV = { ...process.env, NO_COLOR: "1", CI: "true", npm_config_update_notifier: "false" };
delete ENV.FORCE_COLOR;

const rows = [];
const notes = [];
const scratch = mkdtempSync(path.join(os.tmpdir(), "taskchain-bench-"));

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function log(line) {
  process.stderr.write(`${line}\n`);
}

/**
 * One row: `value` against `baseline`. `better` says which direction wins (the ratio is always
 * value / baseline); `target` is the bound the ratio must meet.
 */
function row(section, name, unit, value, baseline, baselineName, target, better = "lower", extra = {}) {
  const ratio = extra.ratio ?? value / baseline;
  const ok = target === undefined ? undefined : better === "lower" ? ratio <= target : ratio >= target;
  rows.push({ section, name, unit, value, baseline, baselineName, ratio, target, better, ok, ...extra });
}

/** Wall time of one synchronous child process, in ms; throws on a non-zero exit. */
function timed(command, args, options = {}) {
  const start = performance.now();
  const r = spawnSync(command, args, { env: ENV, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", ...options });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return ms;
}

// A node child reports its own CPU time (user + system) at exit: on a busy shared machine wall
// time mostly measures the neighbours, CPU time measures the work.
const CPU_HOOK = `data:text/javascript,process.on("exit",()=>{const u=process.cpuUsage();process.stderr.write("\\n@@cpu "+(u.user+u.system)/1000+"\\n")})`;

/** Wall time of a node script, in ms, as `timed`; its CPU time goes into `cpu`. */
function timedNode(script, args, cpu, options = {}) {
  const start = performance.now();
  const r = spawnSync(process.execPath, ["--import", CPU_HOOK, script, ...args], { env: ENV, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", ...options });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${script} ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  cpu.push(Number(/@@cpu ([\d.]+)/.exec(r.stderr)?.[1] ?? NaN));
  return ms;
}

/** Runs every case `runs` times, interleaved (a, b, c, a, b, c, … with the order rotated each round). */
function interleave(cases, runs) {
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  const keys = Object.keys(cases);
  for (let i = 0; i < runs; i++) {
    const order = keys.map((_, j) => keys[(i + j) % keys.length]);
    for (const k of order) times[k].push(cases[k](i));
  }
  return Object.fromEntries(keys.map((k) => [k, { median: median(times[k]), runs: times[k] }]));
}

// ─── 1. --help cold start ──────────────────────────────────────────────────────────────────────
function benchHelp() {
  log("· --help cold start");
  const cpu = { taskchain: [], vite: [] };
  const t = interleave(
    {
      taskchain: () => timedNode(CLI, ["--help"], cpu.taskchain),
      vite: () => timedNode(VITE, ["--help"], cpu.vite),
      node: () => timed(process.execPath, ["-e", "0"]),
    },
    RUNS,
  );
  row("cli", "--help cold start", "ms", t.taskchain.median, t.vite.median, "create-vite --help", 1.0);
  row("cli", "--help CPU (user+sys)", "ms", median(cpu.taskchain), median(cpu.vite), "create-vite --help", undefined, "lower", { informative: true });
  row("cli", "--help vs bare node", "ms", t.taskchain.median, t.node.median, "node -e 0", undefined);
  row("cli", "create-vite --help vs bare node", "ms", t.vite.median, t.node.median, "node -e 0", undefined);
}

// ─── 2. scaffold ───────────────────────────────────────────────────────────────────────────────
const SCAFFOLD_ARGS = ["--link", "pin_vetting,order_lookup,wrap_up", "--runtime", "node", "--no-install", "--no-git", "--yes"];

function scaffoldCase(kind, cpu = []) {
  let n = 0;
  return () => {
    const parent = path.join(scratch, `${kind}-${n++}`);
    const dir = path.join(parent, "app");
    let ms;
    if (kind === "vite") {
      // create-vite joins its argument onto cwd: run it from the parent with a relative name.
      spawnSync("mkdir", ["-p", parent]);
      ms = timedNode(VITE, ["app", "--template", "vanilla-ts", "--no-interactive", "--no-immediate"], cpu, { cwd: parent });
    } else {
      ms = timedNode(CLI, [dir, ...SCAFFOLD_ARGS], cpu, { cwd: scratch });
    }
    if (!existsSync(path.join(dir, "package.json"))) throw new Error(`${kind} wrote no ${dir}/package.json`);
    rmSync(parent, { recursive: true, force: true });
    return ms;
  };
}

function benchScaffold() {
  log("· scaffold (3 links, node runtime) vs create-vite vanilla-ts");
  const cpu = { taskchain: [], vite: [] };
  scaffoldCase("taskchain")(); // surfaces a broken create command before the loop, with its output
  const t = interleave({ taskchain: scaffoldCase("taskchain", cpu.taskchain), vite: scaffoldCase("vite", cpu.vite) }, RUNS);
  row("cli", "scaffold: 3 links, node", "ms", t.taskchain.median, t.vite.median, "create-vite vanilla-ts", 1.5);
  row("cli", "scaffold CPU (user+sys)", "ms", median(cpu.taskchain), median(cpu.vite), "create-vite vanilla-ts", undefined, "lower", { informative: true });
}

// ─── 3. add-link ───────────────────────────────────────────────────────────────────────────────
async function benchAddLink() {
  log("· add-link into 10 and 200 links");
  const own = path.join(REPO, "bench/add-link.mjs");
  if (existsSync(own)) {
    // The add-link engineer's measurement: built CLI, interleaved, projects restored between runs.
    const { benchAddLink: measure } = await import(pathToFileURL(own).href);
    const r = await measure({ runs: Math.max(5, Math.round(RUNS / 2)), sizes: [10, 200], log });
    const small = r.medians[10];
    const large = r.medians[200];
    row("cli", "add-link: 200 links vs 10", "ms", large.wall, small.wall, "add-link into 10 links", 1.5, "lower", { cpu: { 10: small.cpu, 200: large.cpu, ratio: large.cpu / small.cpu } });
    rows.push({ section: "cli", name: "add-link: 200 links", unit: "ms", value: large.wall, target: 1000, ok: large.wall < 1000, absolute: true });
    return;
  }
  // Fallback when bench/add-link.mjs is absent: the same measurement, simpler.
  const { generate } = await import("./lib/projects.mjs");
  const sources = { 10: await generate("node", 10, scratch), 200: await generate("node", 200, scratch) };
  const runs = Math.max(5, Math.round(RUNS / 2));
  let n = 0;
  const addTo = (size) => () => {
    const dir = path.join(scratch, `add-${size}-${n++}`);
    cpSync(sources[size], dir, { recursive: true });
    const ms = timed(process.execPath, [CLI, "add-link", "new_step", "--cwd", dir, "--after", "pin_vetting", "--yes"]);
    const registry = readFileSync(path.join(dir, "src/links/index.ts"), "utf8");
    if (!registry.includes("new_step")) throw new Error(`add-link did not register new_step in ${dir}`);
    rmSync(dir, { recursive: true, force: true });
    return ms;
  };
  const t = interleave({ 10: addTo(10), 200: addTo(200) }, runs);
  row("cli", "add-link: 200 links vs 10", "ms", t[200].median, t[10].median, "add-link into 10 links", 1.5);
  rows.push({ section: "cli", name: "add-link: 200 links", unit: "ms", value: t[200].median, target: 1000, ok: t[200].median < 1000, absolute: true });
}

// ─── 4. cold npx ───────────────────────────────────────────────────────────────────────────────
// What a first `npx create-taskchain` costs: each run with an empty npm cache, against a local
// registry (verdaccio) that holds the packed CLI and, through its uplink, create-vite; the
// registry's own copy is warmed first, so the rows time npm's fetch and install, not the uplink.
async function benchColdNpx() {
  log("· cold npm exec: --help and a create with no install, vs create-vite");
  const { tsImport } = await import("tsx/esm/api");
  const { startRegistry } = await tsImport("../test/helpers/registry.ts", import.meta.url);
  const registry = await startRegistry();
  try {
    const vite = JSON.parse(readFileSync(path.join(REPO, "node_modules/create-vite/package.json"), "utf8")).version;
    const env = { ...ENV, ...registry.env, npm_config_yes: "true", npm_config_audit: "false", npm_config_fund: "false" };
    let n = 0;
    const cold = (spec, args) => () => {
      const dir = path.join(scratch, `npx-${n++}`);
      spawnSync("mkdir", ["-p", dir]);
      const ms = timed("npm", ["exec", "--package", spec, "--", ...args], { cwd: dir, env: { ...env, npm_config_cache: path.join(dir, ".npm") } });
      rmSync(dir, { recursive: true, force: true });
      return ms;
    };
    const cases = {
      help: cold(`create-taskchain@${registry.version}`, ["create-taskchain", "--help"]),
      viteHelp: cold(`create-vite@${vite}`, ["create-vite", "--help"]),
      create: cold(`create-taskchain@${registry.version}`, ["create-taskchain", "app", ...SCAFFOLD_ARGS]),
      viteCreate: cold(`create-vite@${vite}`, ["create-vite", "app", "--template", "vanilla-ts", "--no-interactive", "--no-immediate"]),
    };
    for (const run of Object.values(cases)) run(); // fills the registry's own storage from its uplink
    const t = interleave(cases, Math.max(3, Math.round(RUNS / 3)));
    row("cli", "cold npx --help", "ms", t.help.median, t.viteHelp.median, "cold npx create-vite --help", 1.5);
    row("cli", "cold npx create, no install", "ms", t.create.median, t.viteCreate.median, "cold npx create-vite vanilla-ts", 1.5);
  } finally {
    await registry.stop();
  }
}

// ─── 5. HTTP ───────────────────────────────────────────────────────────────────────────────────
const CALLERS = 500;
/** Realistic `initial` payloads from many distinct callers (Agent4 sends these four fields). */
function bodies(link) {
  const out = [];
  for (let i = 0; i < CALLERS; i++) {
    out.push(JSON.stringify({ name: link, action: "initial", call_from: `+1512${String(5550000 + i).padStart(7, "0")}`, call_forwarded_by: "+15128888888" }));
  }
  return out;
}

/** A port the kernel just handed out (other suites on this machine take ports too). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function waitForPort(port, child, output, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`server exited early:\n${output()}`));
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve();
      });
      socket.once("error", () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on ${port}:\n${output()}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

const running = new Set();
/** Starts a server on core 0 (its own process group), waits until it accepts connections. */
async function startServer(command, args, cwd, env) {
  const port = await freePort();
  const pinned = TASKSET ? ["taskset", ["-c", "0", command, ...args]] : [command, args];
  // The server logs to a file, as to a log collector: the load generator runs with spawnSync, so
  // a pipe read by this process would fill up and stall the server's writes mid-measurement.
  const logFile = path.join(scratch, `server-${port}.log`);
  const fd = openSync(logFile, "w");
  const child = spawn(pinned[0], pinned[1], { cwd, env: { ...ENV, ...env, PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "production" }, stdio: ["ignore", fd, fd], detached: true });
  closeSync(fd);
  running.add(child);
  const server = {
    url: `http://127.0.0.1:${port}`,
    pgid: child.pid,
    output: () => readFileSync(logFile, "utf8").slice(-20_000),
    stop: () => {
      running.delete(child);
      if (child.exitCode !== null) return Promise.resolve();
      const exited = new Promise((r) => child.once("exit", r));
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone
      }
      return exited;
    },
  };
  try {
    await waitForPort(port, child, server.output);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

function stopAll() {
  for (const child of running) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}
process.on("exit", stopAll);
process.on("SIGINT", () => process.exit(130));

/**
 * CPU time (user + system, ms) used so far by every process of a process group, from /proc: what
 * a server spends per request, which a busy machine does not distort the way it distorts req/s.
 */
function groupCpuMs(pgid) {
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state): pgrp is field 5, utime 14, stime 15.
    if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
const HAS_PROC = existsSync("/proc/self/stat");

/** One autocannon run from core 1 against `server`; adds the server's CPU time per request. */
function load(server, link) {
  const before = HAS_PROC ? groupCpuMs(server.pgid) : NaN;
  const r = loadRun(server.url, link);
  const after = HAS_PROC ? groupCpuMs(server.pgid) : NaN;
  r.cpuUsPerRequest = ((after - before) * 1000) / (r.total + r.warmupTotal);
  return r;
}

function loadRun(url, link) {
  const args = [path.join(REPO, "bench/lib/load.mjs"), JSON.stringify({ url: `${url}/${link}`, bodies: bodies(link), duration: DURATION, warmup: 1 })];
  const r = TASKSET ? spawnSync("taskset", ["-c", "1", process.execPath, ...args], { encoding: "utf8", env: ENV }) : spawnSync(process.execPath, args, { encoding: "utf8", env: ENV });
  if (r.status !== 0) throw new Error(`load generator failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

/** What `npm start` runs, without npm in between: `node …` on the projects' Node, another bin from node_modules/.bin. */
function startCommand(dir, node) {
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
  const start = pkg.scripts?.start;
  if (!start) throw new Error(`${dir}/package.json has no start script`);
  const [bin, ...args] = start.split(/\s+/);
  if (bin === "node") return [node, args];
  const local = path.join(dir, "node_modules/.bin", bin);
  return [existsSync(local) ? local : bin, args];
}

async function benchRuntime(runtime) {
  if (!existsSync(path.join(REPO, "templates/runtimes", runtime))) {
    notes.push(`${runtime}: templates/runtimes/${runtime} does not exist yet; not measured`);
    return;
  }
  log(`· ${runtime} runtime: generate, install (cached), serve`);
  const { generate, install } = await import("./lib/projects.mjs");
  const dir = await generate(runtime, 3, scratch);
  await install(dir);
  const link = "pin_vetting";
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
  if (pkg.scripts?.build) {
    const r = spawnSync("npm", ["run", "build", "--silent"], { cwd: dir, env: ENV, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`npm run build failed in ${dir}:\n${r.stdout}\n${r.stderr}`);
  }
  const { projectNode } = await import("./lib/projects.mjs");
  const node = await projectNode();
  const [command, args] = startCommand(dir, node);
  const generated = await startServer(command, args, dir, {});
  let baseline;
  try {
    // The baseline answers exactly what the generated server answers to this payload.
    const res = await fetch(`${generated.url}/${link}`, { method: "POST", headers: { "content-type": "application/json" }, body: bodies(link)[0] });
    const answer = await res.json();
    if (res.status !== 200 || typeof answer.key !== "string" || !answer.qualified_parameters) {
      throw new Error(`${runtime} answered ${res.status} ${JSON.stringify(answer)}`);
    }
    delete answer.key;
    const file = runtime === "node" ? "bare-node.mjs" : `bare-${runtime}.mjs`;
    // Inside the project, so a framework baseline imports the same framework version.
    cpSync(path.join(REPO, "bench/servers", file), path.join(dir, `bench-${file}`));
    // On the same Node as the generated server, so the ratio compares the code, not two Nodes.
    baseline = await startServer(node, [`bench-${file}`], dir, { BENCH_RESPONSE: JSON.stringify(answer) });

    const { m, paired, results } = measureRounds(runtime, { generated, baseline }, link);
    const baseName = runtime === "node" ? "bare node:http" : `bare ${runtime}`;
    row("http", `${runtime}: requests/s`, "req/s", m("generated", "rps"), m("baseline", "rps"), baseName, 0.85, "higher", { ratio: paired("rps") });
    row("http", `${runtime}: p99 latency`, "ms", m("generated", "p99"), m("baseline", "p99"), baseName, runtime === "node" ? 1.5 : undefined, "lower", { ratio: paired("p99") });
    // The same comparison as server CPU per request (baseline / generated, so ≥ 0.85 reads like
    // req/s): the figure a busy shared machine distorts least.
    if (HAS_PROC) {
      const g = m("generated", "cpuUsPerRequest");
      const b = m("baseline", "cpuUsPerRequest");
      rows.push({ section: "http", name: `${runtime}: req per server CPU-s`, unit: "req/s", value: 1e6 / g, baseline: 1e6 / b, baselineName: baseName, ratio: paired("cpuUsPerRequest", true), better: "higher", informative: true });
    }
    rows.at(-1).runs = results;
  } finally {
    await generated.stop();
    await baseline?.stop();
  }
}

/**
 * Loads each of two servers (`[value, baseline]` in that order of keys) once per round, order
 * alternating. Ratios are medians of per-round ratios: a round runs both servers back to back, so a
 * slow spell of this shared machine hits both sides of a ratio rather than one side of the medians.
 */
function measureRounds(label, servers, link) {
  const [a, b] = Object.keys(servers);
  const results = { [a]: [], [b]: [] };
  for (let i = 0; i < ROUNDS; i++) {
    for (const which of i % 2 ? [b, a] : [a, b]) {
      const r = load(servers[which], link);
      if (r.errors || r.timeouts || r.non2xx) throw new Error(`${label} ${which}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx\n${servers[which].output()}`);
      results[which].push(r);
      log(`  ${label} ${which}: ${Math.round(r.rps)} req/s, p99 ${r.p99} ms, ${r.cpuUsPerRequest.toFixed(1)} µs CPU/request`);
    }
  }
  const m = (which, key) => median(results[which].map((r) => r[key]));
  const paired = (key, invert = false) => median(results[a].map((g, i) => (invert ? results[b][i][key] / g[key] : g[key] / results[b][i][key])));
  return { m, paired, results };
}

/**
 * What the time budget costs: a generated project served twice on the same Node, with the default
 * budget and with WEBHOOK_BUDGET_MS=0 (none). Once as generated (its initial handlers answer
 * synchronously, so no timer is armed), once with the first link's initial handler made async (as
 * one calling an API is: the budget's timer and race run on every call).
 */
async function benchBudget(runtime, asyncHandler) {
  const variant = asyncHandler ? "async handler" : "handlers as generated";
  log(`· ${runtime} runtime: the time budget's cost, ${variant}`);
  const { generate, install, projectNode } = await import("./lib/projects.mjs");
  const dir = await generate(runtime, 3, scratch);
  if (asyncHandler) {
    const file = path.join(dir, "src/links/pin_vetting.ts");
    const source = readFileSync(file, "utf8");
    if (!source.includes("initial: () => (")) throw new Error(`${file} has no generated initial handler to make async`);
    writeFileSync(file, source.replace("initial: () => (", "initial: async () => ("));
  }
  await install(dir);
  const [command, args] = startCommand(dir, await projectNode());
  const servers = { budget: await startServer(command, args, dir, {}), none: await startServer(command, args, dir, { WEBHOOK_BUDGET_MS: "0" }) };
  try {
    const { m, paired } = measureRounds(`${runtime} ${variant}`, servers, "pin_vetting");
    const same = "same server, no budget";
    row("http", `${runtime}: time budget (${variant}), req/s`, "req/s", m("budget", "rps"), m("none", "rps"), same, 0.97, "higher", { ratio: paired("rps") });
    if (HAS_PROC) {
      const ratio = paired("cpuUsPerRequest", true);
      rows.push({ section: "http", name: `${runtime}: time budget (${variant}), req per server CPU-s`, unit: "req/s", value: 1e6 / m("budget", "cpuUsPerRequest"), baseline: 1e6 / m("none", "cpuUsPerRequest"), baselineName: same, ratio, better: "higher", informative: true });
    }
  } finally {
    await servers.budget.stop();
    await servers.none.stop();
  }
}

// ─── report ────────────────────────────────────────────────────────────────────────────────────
function fmt(v, unit) {
  if (v === undefined) return "";
  if (unit === "req/s") return `${Math.round(v)}`;
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

function print() {
  const header = ["measurement", "value", "baseline", "ratio", "target", "", "baseline is"];
  const lines = rows.map((r) =>
    r.absolute
      ? [r.name, `${fmt(r.value, r.unit)} ${r.unit}`, "", "", `< ${r.target} ms`, r.ok ? "ok" : "MISS", ""]
      : [
          r.name,
          `${fmt(r.value, r.unit)} ${r.unit}`,
          `${fmt(r.baseline, r.unit)} ${r.unit}`,
          `${r.ratio.toFixed(2)}×`,
          r.target === undefined ? "" : `${r.better === "lower" ? "≤" : "≥"} ${r.target}×`,
          r.ok === undefined ? "" : r.ok ? "ok" : "MISS",
          r.baselineName,
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const out = [header, widths.map((w) => "─".repeat(w)), ...lines].map((l) => l.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
  console.log(out.join("\n"));
  for (const n of notes) console.log(`note: ${n}`);
}

const sections = [
  ["help", benchHelp],
  ["scaffold", benchScaffold],
  ["addlink", benchAddLink],
  ["npx", benchColdNpx],
  ["http", async () => {
    for (const rt of (process.env.BENCH_RUNTIMES ?? "node,express,fastify,hono").split(",")) {
      try {
        await benchRuntime(rt);
        if (rt === "node") for (const asyncHandler of [false, true]) await benchBudget(rt, asyncHandler);
      } catch (error) {
        notes.push(`${rt}: ${error.message.split("\n").slice(0, 6).join(" | ")}`);
        log(`  ${rt} failed: ${error.message}`);
      }
    }
  }],
];

notes.push(
  "HTTP: generated servers run as `npm start` runs them (their start script, run without npm), pinned to core 0; " +
    `baselines on the same Node; autocannon on core 1, ${process.env.BENCH_CONNECTIONS ?? 50} connections, ` +
    `1 s warm-up + ${DURATION} s, ${ROUNDS} rounds (each runs both servers, order alternating), ${CALLERS} distinct callers sending Agent4's initial payload; ` +
    `values are medians, ratios the median of the rounds' ratios; "req per server CPU-s" = requests / server CPU time (from /proc).`,
);
const started = Date.now();
for (const [name, fn] of sections) {
  if (ONLY && !ONLY.has(name)) continue;
  try {
    await fn();
  } catch (error) {
    notes.push(`${name}: ${error.message.split("\n").slice(0, 6).join(" | ")}`);
    log(`  ${name} failed: ${error.message}`);
  }
}
stopAll();
rmSync(scratch, { recursive: true, force: true });

const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: CORES,
  loadavg: os.loadavg(),
  pinned: TASKSET,
  runs: RUNS,
  rounds: ROUNDS,
  durationSeconds: DURATION,
  seconds: Math.round((Date.now() - started) / 1000),
  rows,
  notes,
};
writeFileSync(path.join(REPO, "bench/results.json"), `${JSON.stringify(report, null, 2)}\n`);
console.log(`create-taskchain bench · node ${process.version} · ${CORES} cores · load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} · ${report.seconds} s`);
print();
console.log("written: bench/results.json");
