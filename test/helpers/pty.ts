// The CLI on a real pseudo-terminal (node-pty): wait for text on screen, then type, as a person would.
import pty from "node-pty";
import { CLI, testEnv } from "./project.js";

// CSI sequences, cursor save/restore, and OSC strings (window titles, hyperlinks).
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]|\x1b\][^\x07]*\x07/g;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PtyOptions {
  /** Extra environment on top of testEnv(); undefined removes a variable. */
  env?: Record<string, string | undefined>;
  cols?: number;
  /** The terminal type (node-pty's default unless given). */
  name?: string;
  /** How long to let clack finish drawing a prompt after its text appears, before keys arrive. */
  settleMs?: number;
  /** Run this program with `args` instead of the CLI (e.g. "npm" for a project's script). */
  command?: string;
}

export class PtySession {
  #raw = "";
  #cursor = 0;
  readonly exited: Promise<number>;
  readonly #term: pty.IPty;
  readonly #settleMs: number;

  constructor(args: string[], cwd: string, options: PtyOptions = {}) {
    const { env = {}, cols = 120, name, settleMs = 60, command } = options;
    this.#settleMs = settleMs;
    const [file, argv] = command ? [command, args] : [process.execPath, [CLI, ...args]];
    this.#term = pty.spawn(file, argv, { ...(name ? { name } : {}), cols, rows: 50, cwd, env: testEnv(env) as Record<string, string> });
    this.#term.onData((d) => (this.#raw += d));
    this.exited = new Promise((resolve) => this.#term.onExit((e) => resolve(e.exitCode)));
  }

  /** The screen so far as plain text: no escape sequences, "\n" line ends. */
  get text(): string {
    return this.#raw.replace(ANSI, "").replace(/\r\n/g, "\n");
  }

  /** Waits until `needle` appears after the previous match, then moves past it. */
  async waitFor(needle: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.text.indexOf(needle, this.#cursor);
      if (at >= 0) {
        this.#cursor = at + needle.length;
        await sleep(this.#settleMs);
        return;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(needle)}; screen so far:\n${this.text}`);
      await sleep(25);
    }
  }

  type(keys: string): void {
    this.#term.write(keys);
  }

  /** Waits for `needle`, then types each of `keys` as its own chunk (clack reads keypresses one by one). */
  async answer(needle: string, ...keys: string[]): Promise<void> {
    await this.waitFor(needle);
    for (const [i, key] of keys.entries()) {
      if (i > 0) await sleep(60);
      this.type(key);
    }
  }

  kill(): void {
    this.#term.kill();
  }
}
