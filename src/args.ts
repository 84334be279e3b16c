// The first argument, before commander reads argv: create-taskchain runs `create` when no command
// is named, so its directory argument shares a slot with the command names. An explicit `create`
// and a near-miss of a command name are settled here. cli.ts loads this on every start, `--help`
// included, so it imports nothing heavier than the error line.
import { UserError } from "./errors.js";
import { oneLine } from "./report.js";

/** The subcommand that runs when none is named; given explicitly it is taken out. */
export const CREATE = "create";
/**
 * `help [command]`: commander offers no help command when the program has an action of its own
 * (create), so without this `create-taskchain help` would make a folder called help.
 */
export const HELP = "help";

/**
 * Edit distance with adjacent transpositions counted as one edit (optimal string alignment):
 * `chian` is one slip from `chain`, not two.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The command `arg` most likely meant, when it looks like a slip rather than a folder name: within
 * two edits of a command (case aside), starting with the same letter (a slip rarely hits the first
 * one, and `main` or `brain` stay folder names), and not a path (`./chains` is always a folder).
 */
export function nearCommand(arg: string, commands: readonly string[]): string | undefined {
  if (arg === "" || arg.startsWith("-") || /[/\\.]/.test(arg) || commands.includes(arg)) return undefined;
  const typed = arg.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of commands) {
    if (name[0] !== typed[0]) continue;
    const distance = editDistance(typed, name);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/**
 * argv (as process.argv: node, script, args…) with the first argument settled:
 * - `create [dir] …` runs create; a directory that is itself a command name (`create chain`) is
 *   passed as `./chain`, so commander does not run that command instead;
 * - `help` prints the help, `help <command>` that command's;
 * - a near-miss of a command (`simlate`, `add-lnk`, `verfy`, `hlep`) is refused with a UserError
 *   naming the command, rather than becoming the new project's folder.
 * `commands` are the subcommand names commander knows.
 */
export function settleFirstArgument(argv: readonly string[], commands: readonly string[]): string[] {
  const [node = "node", script = "cli", first, ...rest] = argv;
  if (first === undefined) return [...argv];
  if (first === CREATE) {
    const [dir, ...after] = rest;
    if (dir !== undefined && (commands.includes(dir) || dir === CREATE || dir === HELP)) return [node, script, `./${dir}`, ...after];
    return [node, script, ...rest];
  }
  if (first === HELP) {
    const [command] = rest;
    return command !== undefined && commands.includes(command) ? [node, script, command, "--help"] : [node, script, "--help"];
  }
  const meant = nearCommand(first, [...commands, CREATE, HELP]);
  if (meant !== undefined) {
    throw new UserError(`unknown command '${first}'; did you mean ${meant}? (to create a project in a folder of that name: create-taskchain ${CREATE} ${first})`);
  }
  return [...argv];
}

/**
 * Commander's error text as one line. Its suggestions come on a line of their own
 * (`unknown option '--links'\n(Did you mean --link?)`): that break is commander's layout, and
 * becomes "; did you mean --link?". Any other control character is part of what the user typed
 * and is escaped.
 */
export function commanderLine(text: string): string {
  const trimmed = text.trim().replace(/^error: /, "");
  const suggestion = /\n\(Did you mean (one of )?([^\n]*)\?\)$/.exec(trimmed);
  const message = oneLine(suggestion ? trimmed.slice(0, suggestion.index) : trimmed);
  // Only the create command's: flags `npm create` took for its own leave their values behind.
  if (/^too many arguments\. /.test(message)) {
    return "too many arguments: one directory is expected (quote a name with spaces; with npm create or npm exec, flags go after --: npm create taskchain@latest my-chain -- --link a,b)";
  }
  return suggestion ? `${message}; did you mean ${suggestion[1] ?? ""}${oneLine(suggestion[2] ?? "")}?` : message;
}
