// How the tests' workerd binds SESSIONS, as wrangler.jsonc does: to the worker's own CallSession
// class, with SQLite storage as its migration declares.
export const sessionsBinding = { durableObjects: { SESSIONS: { className: "CallSession", useSQLite: true } } };
