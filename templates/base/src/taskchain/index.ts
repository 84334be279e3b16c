// The typed Agent4 Task Chain runtime. Written by create-taskchain; yours to read and change.
export * from "./protocol.js";
export * from "./actions.js";
export * from "./link.js";
export * from "./parameters.js";
export * from "./session.js";
export * from "./log.js";
export * from "./http.js";
export * from "./dispatch.js";
