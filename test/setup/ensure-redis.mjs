// The Redis suites run a real redis-server. `npm test` brings it where it can (apt-get as root,
// Homebrew on macOS) and otherwise stops at once with the one command to run, rather than failing
// minutes in.
import { spawnSync } from "node:child_process";

const has = (command, args = ["--version"]) => spawnSync(command, args, { stdio: "ignore" }).status === 0;
const run = (command, args, env = {}) => spawnSync(command, args, { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...env } }).status === 0;

if (!has("redis-server")) {
  if (process.platform === "linux" && process.getuid?.() === 0 && has("apt-get", ["--version"])) {
    console.log("redis-server is not installed: installing it with apt-get");
    run("apt-get", ["update", "-qq"]);
    run("apt-get", ["install", "-y", "-qq", "redis-server"], { DEBIAN_FRONTEND: "noninteractive" });
  } else if (process.platform === "darwin" && has("brew")) {
    console.log("redis-server is not installed: installing it with Homebrew");
    run("brew", ["install", "redis"]);
  }
  if (!has("redis-server")) {
    console.error("redis-server is needed by the tests: run `sudo apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS), then npm test again");
    process.exit(1);
  }
}
