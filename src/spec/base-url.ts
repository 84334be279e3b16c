// The project's base URL (chain.json endpoints are `<base>/<link>`): checked by create and by the
// commands that edit a project, so it lives apart from the zod schemas they do not load.

/** chain.json's base until the user gives theirs. */
export const DEFAULT_BASE_URL = "https://your-webhook.example.com";

/** Why `url` cannot be the base URL, or undefined when it can. */
export function baseUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `is not a URL: ${JSON.stringify(url)} (like ${DEFAULT_BASE_URL})`;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `must start with http:// or https:// (got ${JSON.stringify(url)})`;
  if (parsed.search || parsed.hash || url.includes("?") || url.includes("#")) {
    return "must not carry a query or #fragment: chain.json never holds the token (append ?token=… in Agent4)";
  }
  if (parsed.username || parsed.password) return "must not carry a user name or password";
  return undefined;
}

/**
 * The base URL as chain.json writes it: in the form HTTP clients send (spaces and quotes
 * percent-encoded, host lowercased, IDN in punycode), without trailing slashes.
 */
export function normalizeBaseUrl(url: string): string {
  return trimTrailingSlashes(new URL(url.trim()).href);
}

/** `https://x/a//` → `https://x/a`. A loop, not `/\/+$/`: that regex is quadratic in a run of slashes not at the end. */
export function trimTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x2f) end--;
  return text.slice(0, end);
}
