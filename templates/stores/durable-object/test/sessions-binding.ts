// How the tests' workerd binds SESSIONS, as wrangler.jsonc does: to the worker's own CallSession class.
export const sessionsBinding = { durableObjects: { SESSIONS: "CallSession" } };
