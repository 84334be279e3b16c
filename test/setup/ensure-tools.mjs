// The suites run real programs: redis-server for the Redis suites, Debian's chromium to render the
// chain's graph with Mermaid. `npm test` brings what is missing where it can (apt-get as root,
// Homebrew on macOS) and otherwise stops at once with the one command to run, rather than failing
// minutes in.
import { spawnSync } from "node:child_process";

// CHROMIUM names another Chromium binary (on macOS, the one inside Chromium.app).
const TOOLS = [
  { command: "redis-server", apt: "redis-server", brew: "redis" },
  { command: process.env.CHROMIUM || "chromium", apt: "chromium", brew: "--cask chromium" },
];

const has = (command, args = ["--version"]) => spawnSync(command, args, { stdio: "ignore" }).status === 0;
const run = (command, args, env = {}) => spawnSync(command, args, { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...env } }).status === 0;

const missing = () => TOOLS.filter((t) => !has(t.command));
const wanted = missing();
if (wanted.length) {
  const names = wanted.map((t) => t.command).join(" and ");
  if (process.platform === "linux" && process.getuid?.() === 0 && has("apt-get")) {
    console.log(`${names} not installed: installing with apt-get`);
    run("apt-get", ["update", "-qq"]);
    run("apt-get", ["install", "-y", "-qq", ...wanted.map((t) => t.apt)], { DEBIAN_FRONTEND: "noninteractive" });
  } else if (process.platform === "darwin" && has("brew")) {
    console.log(`${names} not installed: installing with Homebrew`);
    for (const t of wanted) run("brew", ["install", ...t.brew.split(" ")]);
  }
  const still = missing();
  if (still.length) {
    const apt = `sudo apt-get install ${still.map((t) => t.apt).join(" ")}`;
    const brew = still.map((t) => `brew install ${t.brew}`).join(" && ");
    console.error(`${still.map((t) => t.command).join(" and ")} needed by the tests: run \`${apt}\` (Debian/Ubuntu) or \`${brew}\` (macOS), then npm test again`);
    process.exit(1);
  }
}
