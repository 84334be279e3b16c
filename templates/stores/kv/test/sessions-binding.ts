// How the tests' workerd binds SESSIONS, as wrangler.jsonc does: a local KV namespace.
export const sessionsBinding = { kvNamespaces: ["SESSIONS"] };
