// The typed Agent4 Task Chain runtime: everything a link file imports comes from here.
export * from "./protocol.ts";
export * from "./actions.ts";
export * from "./link.ts";
export * from "./parameters.ts";
export * from "./session.ts";
export * from "./log.ts";
export * from "./http.ts";
export * from "./dispatch.ts";
export * from "./reply.ts";
export * from "./record.ts";
export * from "./budget.ts";
