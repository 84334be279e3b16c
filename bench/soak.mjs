// `npm run soak`: the generated node server (its real src/main.ts, run as `npm start` runs it) under sustained
// loopback load from many distinct callers, each placing a full call (initial → qualified → next
// link … → end), for a bounded time. Prints requests served, errors seen, non-2xx answers and the
// server's peak RSS (from /proc/<pid>/status) and heap; with a small MAX_SESSIONS and a short
// SESSION_TTL_SECONDS it also shows each bound at work, so memory stays flat: mid-run, an
// abandoned call's session (no webhook ended it) is gone once MAX_SESSIONS newer ones are, well
// within its TTL (the cap); after the run, the last abandoned call's session outlives the run and
// is gone once the TTL has passed with no traffic (the TTL). Exits non-zero on any error.
//
//   --seconds N        load duration (default 20)
//   --connections N    concurrent callers (default 32)
//   --links N          links in the chain (default 3)
//   --max-sessions N   the server's MAX_SESSIONS (default 1000)
//   --ttl N            the server's SESSION_TTL_SECONDS (default 3)
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { createServer } from "node:net";
import path from "node:path";
import { generate, install, projectNode } from "./lib/projects.mjs";

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`--${name} needs a positive number`);
    process.exit(2);
  }
  return value;
}

const SECONDS = option("seconds", 20);
const CONNECTIONS = Math.round(option("connections", 32));
const LINKS = Math.round(option("links", 3));
const MAX_SESSIONS = Math.round(option("max-sessions", 1000));
const TTL = option("ttl", 3);
const TOKEN = "soak-token";
const MiB = 1024 * 1024;

const log = (line) => process.stderr.write(`${line}\n`);

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

// ---------------------------------------------------------------------------------------------
// The server: a generated node project with LINKS links, installed through the e2e cache.

log(`soak: generating and installing a ${LINKS}-link node project…`);
const dir = await generate("node", LINKS);
await install(dir);
const chain = JSON.parse(readFileSync(path.join(dir, "chain.json"), "utf8")).map((e) => e.name);
// The heap is only visible from inside: a preloaded probe reports process.memoryUsage() over IPC,
// every 100 ms as it is (the peak) and every second after a full GC (the live heap: what a leak
// would grow).
const probe = path.join(dir, "soak-probe.mjs");
writeFileSync(
  probe,
  `if (process.send) {
  setInterval(() => process.send({ ...process.memoryUsage(), live: false }), 100).unref();
  setInterval(() => { globalThis.gc?.(); process.send({ ...process.memoryUsage(), live: true }); }, 1000).unref();
}
`,
);

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(await projectNode(), ["--expose-gc", "--import", probe, "src/main.ts"], {
  cwd: dir,
  env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", TASKCHAIN_TOKEN: TOKEN, MAX_SESSIONS: String(MAX_SESSIONS), SESSION_TTL_SECONDS: String(TTL), REDIS_URL: "" },
  stdio: ["ignore", "pipe", "pipe", "ipc"],
});
let serverOutput = "";
server.stdout.on("data", (d) => (serverOutput += d));
server.stderr.on("data", (d) => (serverOutput += d));
const serverExit = new Promise((resolve) => server.once("exit", (code, signal) => resolve({ code, signal })));

const memory = { rss: 0, heapUsed: 0, samples: [] };
server.on("message", (m) => {
  memory.heapUsed = Math.max(memory.heapUsed, m.heapUsed);
  if (m.live) memory.lastLive = m.heapUsed;
});
function sampleRss() {
  try {
    const status = readFileSync(`/proc/${server.pid}/status`, "utf8");
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    memory.rss = Math.max(memory.rss, kb("VmRSS"));
    memory.hwm = kb("VmHWM"); // the kernel's own peak
    return kb("VmRSS");
  } catch {
    return 0; // not on Linux, or the server is gone
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
function post(link, payload) {
  const body = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/${link}`,
      { method: "POST", agent, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        const chunks = [];
        res.on("data", (d) => chunks.push(d));
        res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function waitForHealth() {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the server exited early:\n${serverOutput}`);
    try {
      const res = await fetch(`${base}/health`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the server did not answer /health within 60 s:\n${serverOutput}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------------------------------------
// The callers

const stats = { requests: 0, calls: 0, errors: 0, non2xx: 0, byOutcome: { completed: 0, abandoned: 0, disqualified: 0, interrupted: 0 } };
const problems = [];
function problem(message) {
  stats.errors++;
  if (problems.length < 10) problems.push(message);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const callerNumber = (n) => `+1555${String(n).padStart(7, "0")}`;
const FORWARDED_BY = "+15125550199";
let nextCaller = 0;
/**
 * Calls that finished with their session kept (abandoned: the line dropped after the last link's
 * initial, so no webhook ended the call and only the cap or the TTL can), in the order they
 * finished: `sent` is when their last request went out, so the server touched the session no earlier.
 */
const finished = [];
/** The cap, shown mid-run: a finished call probed once MAX_SESSIONS newer ones have finished. */
const cap = { probed: 0, evicted: 0, inconclusive: 0 };
let capWatch;

/** One webhook call; undefined after recording a problem. */
async function webhook(link, action, from, context) {
  let res;
  try {
    res = await post(link, { name: link, action, call_from: from, call_forwarded_by: FORWARDED_BY, ...(context ? { context } : {}) });
  } catch (error) {
    problem(`${action} ${link}: ${error.message}`);
    return undefined;
  }
  stats.requests++;
  if (res.status < 200 || res.status > 299) {
    stats.non2xx++;
    problem(`${action} ${link}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
    return undefined;
  }
  try {
    const json = JSON.parse(res.text);
    if (!UUID.test(json.key) || typeof json.content !== "string") throw new Error("not a protocol response");
    return json;
  } catch (error) {
    problem(`${action} ${link}: ${error.message}: ${res.text.slice(0, 200)}`);
    return undefined;
  }
}

const has = (response, action) => (response.actions ?? []).some((a) => a.name === action);

/**
 * One phone call through the chain. A deterministic mix of ten: 4 complete the chain (its session
 * ends with it), 4 are abandoned at the last link, 1 is disqualified and 1 interrupted.
 */
async function placeCall() {
  const n = nextCaller++;
  const from = callerNumber(n);
  const roll = n % 10;
  const stopAt = roll >= 8 ? n % chain.length : -1;
  const abandoned = roll < 4;
  let key;
  let lastSent = 0;
  for (let i = 0; i < chain.length; i++) {
    const link = chain[i];
    lastSent = Date.now();
    const initial = await webhook(link, "initial", from);
    if (!initial) return;
    if (key === undefined) key = initial.key;
    else if (initial.key !== key) return problem(`${link}: the call's key changed mid-call (${key} → ${initial.key})`);
    if (!initial.qualified_parameters) return problem(`${link}: initial carried no qualified_parameters`);
    if (i === stopAt) {
      const end = await webhook(link, roll === 8 ? "disqualified" : "interrupt", from, { reason: "soak" });
      if (!end) return;
      if (end.key !== key) return problem(`${link}: the key changed at the end of the call`);
      if (roll === 8 && !has(end, "end_call")) return problem(`${link}: disqualified did not end the call`);
      stats.byOutcome[roll === 8 ? "disqualified" : "interrupted"]++;
      stats.calls++;
      return;
    }
    if (abandoned && i === chain.length - 1) {
      stats.byOutcome.abandoned++;
      stats.calls++;
      finished.push({ from, key, sent: lastSent });
      return checkCap();
    }
    const context = { account_number: `A${n}`, pin: n % 10_000, preferred_contact: "sms" };
    const qualified = await webhook(link, "qualified", from, context);
    if (!qualified) return;
    if (qualified.key !== key) return problem(`${link}: the key changed on qualified`);
    if (!has(qualified, "next_task")) return problem(`${link}: qualified did not move on`);
    if (JSON.stringify(qualified.state?.[link]) !== JSON.stringify(context)) return problem(`${link}: state does not carry the context`);
  }
  stats.byOutcome.completed++;
  stats.calls++;
}

/**
 * Once MAX_SESSIONS calls (plus one per connection, for calls whose last request crossed the
 * watched one's) have finished after the watched one, its session is older than MAX_SESSIONS kept
 * ones and must be gone: evicted by the cap if its TTL cannot have run out yet, which is when the
 * probe goes out within TTL - 1 s of its last request. Then a newer one is watched.
 */
/**
 * Whether a call's session is still held shows in the key that the link it last asked for gets on
 * asking again (the same delivery: answered from the session while it lives). The first link's
 * initial would not show it: that starts a new call whatever the session holds.
 */
const askAgain = (from) => webhook(chain.at(-1), "initial", from);

async function checkCap() {
  capWatch ??= finished.length - 1;
  if (finished.length - 1 - capWatch <= MAX_SESSIONS + CONNECTIONS) return;
  const watched = finished[capWatch];
  capWatch = finished.length - 1;
  if (Date.now() - watched.sent > (TTL - 1) * 1000) {
    cap.inconclusive++; // too slow to tell the cap from the TTL: watch the newest one instead
    return;
  }
  cap.probed++;
  const again = await askAgain(watched.from);
  if (!again) return;
  if (again.key === watched.key) problem(`the session of ${watched.from} outlived ${MAX_SESSIONS} newer finished calls (MAX_SESSIONS=${MAX_SESSIONS})`);
  else cap.evicted++;
}

// ---------------------------------------------------------------------------------------------

let exitCode = 0;
try {
  await waitForHealth();
  log(`soak: ${SECONDS} s, ${CONNECTIONS} concurrent callers, ${chain.length} links, MAX_SESSIONS=${MAX_SESSIONS}, SESSION_TTL_SECONDS=${TTL}`);
  const timeline = [];
  const start = Date.now();
  const end = start + SECONDS * 1000;
  const sampler = setInterval(() => {
    const rss = sampleRss();
    timeline.push({ t: (Date.now() - start) / 1000, rss, live: memory.lastLive ?? 0, requests: stats.requests });
  }, 250);
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < end && server.exitCode === null) await placeCall();
    }),
  );
  const elapsed = (Date.now() - start) / 1000;
  clearInterval(sampler);
  sampleRss();

  // The TTL: the last abandoned call is among the newest sessions (fewer than MAX_SESSIONS calls
  // can finish after it), so the cap leaves it alone. Right after the run it is still there (its
  // key comes back); once the TTL has passed with no traffic it is gone (a new key).
  let ttl = "not shown (no call finished)";
  const last = finished.at(-1);
  if (last && CONNECTIONS >= MAX_SESSIONS) ttl = "not shown (--connections must be below --max-sessions)";
  else if (last) {
    const kept = await askAgain(last.from);
    if (kept && kept.key !== last.key) problem(`the session of ${last.from} (the last abandoned call) was gone right after the run`);
    await new Promise((r) => setTimeout(r, TTL * 1000 + 500));
    const again = await askAgain(last.from);
    if (again && again.key === last.key) problem(`the session of ${last.from} outlived its idle TTL (${TTL} s)`);
    ttl = kept?.key === last.key && again && again.key !== last.key ? `yes (kept right after the run, gone ${TTL} s later)` : "no";
  }
  const capShown = cap.probed > 0 && cap.evicted === cap.probed ? `yes (${cap.evicted} of ${cap.probed} probed calls gone after ${MAX_SESSIONS} newer ones, within their TTL)` : cap.probed === 0 ? `not shown (${cap.inconclusive} probes too late to tell it from the TTL)` : "no";
  if (cap.probed === 0) problem(`the cap was never shown: fewer than ${MAX_SESSIONS + 1} calls finished within ${TTL - 1} s of each other (raise --ttl or lower --max-sessions)`);

  if (server.exitCode !== null) problem(`the server died:\n${serverOutput}`);
  // The live heap (after a full GC) at the end of each quarter of the run: flat when bounded.
  const quarter = (q) => {
    const part = timeline.filter((s) => s.t <= ((q + 1) * elapsed) / 4 && s.live > 0);
    return part.length ? part[part.length - 1].live : 0;
  };
  const mib = (b) => `${(b / MiB).toFixed(1)} MiB`;
  const result = {
    seconds: Number(elapsed.toFixed(1)),
    connections: CONNECTIONS,
    links: chain.length,
    requestsServed: stats.requests,
    requestsPerSecond: Math.round(stats.requests / elapsed),
    calls: stats.calls,
    distinctCallers: nextCaller,
    outcomes: stats.byOutcome,
    errors: stats.errors,
    non2xx: stats.non2xx,
    peakRssBytes: Math.max(memory.rss, memory.hwm ?? 0),
    peakHeapBytes: memory.heapUsed,
    liveHeapByQuarterBytes: [0, 1, 2, 3].map(quarter),
    maxSessions: MAX_SESSIONS,
    sessionTtlSeconds: TTL,
    evictedByCap: capShown,
    evictedByTtl: ttl,
  };
  console.log(`requests served: ${result.requestsServed} (${result.requestsPerSecond}/s over ${result.seconds} s)`);
  console.log(`calls completed: ${result.calls} from ${result.distinctCallers} distinct callers (${JSON.stringify(result.outcomes)})`);
  console.log(`non-2xx: ${result.non2xx}`);
  console.log(`peak RSS: ${mib(result.peakRssBytes)}`);
  console.log(`peak heap: ${mib(result.peakHeapBytes)}; live heap after GC at each quarter of the run: ${result.liveHeapByQuarterBytes.map(mib).join(", ")}`);
  console.log(`sessions: MAX_SESSIONS=${MAX_SESSIONS}, SESSION_TTL_SECONDS=${TTL}; evicted by the cap: ${capShown}; by the TTL: ${ttl}`);
  // Bounded memory: the live heap may not keep growing (generous: twice the first quarter's + 16 MiB).
  const [firstLive, , , lastLive] = result.liveHeapByQuarterBytes;
  if (firstLive > 0 && lastLive > 2 * firstLive + 16 * MiB) problem(`the live heap grew from ${mib(firstLive)} to ${mib(lastLive)}`);
  result.errors = stats.errors;
  console.log(`errors seen: ${result.errors}`);
  for (const p of problems) console.log(`error: ${p}`);
  console.log(`SOAK_RESULT ${JSON.stringify(result)}`);
  if (stats.errors > 0) exitCode = 1;
} catch (error) {
  console.error(`soak failed: ${error.stack ?? error}`);
  exitCode = 1;
} finally {
  agent.destroy();
  if (server.exitCode === null) server.kill("SIGTERM");
  const timer = setTimeout(() => server.kill("SIGKILL"), 10_000);
  const { code, signal } = await serverExit;
  clearTimeout(timer);
  if (code !== 0 && exitCode === 0) {
    console.error(`the server exited with ${code ?? signal} on SIGTERM:\n${serverOutput}`);
    exitCode = 1;
  }
  rmSync(path.dirname(dir), { recursive: true, force: true });
}
process.exit(exitCode);
