// Runs a local page in real headless Chromium (Debian's chromium; CHROMIUM names another binary) and
// returns what the page reported: the page puts its result, base64 JSON, into <pre id="result">
// when its scripts are done; Chromium prints the DOM once the page is idle (virtual time).
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { tempDir } from "./project.js";

export const CHROMIUM = process.env.CHROMIUM || "chromium";

/** Serialised into the page: `</script>` cannot end the script it sits in. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/** The script line a page calls with its result. */
const REPORT = `function report(value) {
  let binary = "";
  for (const byte of new TextEncoder().encode(JSON.stringify(value))) binary += String.fromCharCode(byte);
  document.getElementById("result").textContent = btoa(binary);
}`;

/**
 * Loads `body` (HTML; its scripts call report(value) once) from a file in a fresh folder, with the
 * network and every background service off, and returns the reported value.
 */
export function runPage(body: string, budgetMs = 60_000): unknown {
  const dir = tempDir("taskchain-chromium-");
  const page = path.join(dir, "page.html");
  writeFileSync(page, `<!doctype html><html><head><meta charset="utf-8"></head><body><pre id="result"></pre><script>${REPORT}</script>${body}</body></html>`);
  const flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
  const r = spawnSync(CHROMIUM, [...flags, `--user-data-dir=${path.join(dir, "profile")}`, "--allow-file-access-from-files", `--virtual-time-budget=${budgetMs}`, "--dump-dom", pathToFileURL(page).href], {
    encoding: "utf8",
    timeout: budgetMs + 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw new Error(`${CHROMIUM} did not run (${r.error.message}): npm test installs it, or run \`sudo apt-get install chromium\``);
  const result = /<pre id="result">([A-Za-z0-9+/=]*)<\/pre>/.exec(r.stdout)?.[1];
  if (!result) throw new Error(`the page reported nothing (exit ${r.status}):\n${r.stderr.slice(-2000)}`);
  return JSON.parse(Buffer.from(result, "base64").toString("utf8"));
}
