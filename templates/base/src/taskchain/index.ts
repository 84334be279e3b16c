// The typed Agent4 Task Chain runtime. Written by create-taskchain; yours to read and change.
export * from "./protocol.ts";
export * from "./actions.ts";
export * from "./link.ts";
export * from "./parameters.ts";
export * from "./session.ts";
export * from "./log.ts";
export * from "./http.ts";
export * from "./dispatch.ts";
export * from "./record.ts";
