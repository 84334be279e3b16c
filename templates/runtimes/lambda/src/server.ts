// The lambda runtime: one handler for API Gateway HTTP API (payload format 2.0) and Lambda function
// URLs, which send the same event shape. `npm run build` bundles this file to dist/index.mjs.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { createApp } from "./app.ts";
import { consoleLogger, MAX_BODY_BYTES, type Taskchain } from "./taskchain/index.ts";
import { sessionStoreFromEnv } from "./sessions.ts";

export type LambdaHandler = (event: APIGatewayProxyEventV2, context?: Pick<Context, "getRemainingTimeInMillis">) => Promise<APIGatewayProxyStructuredResultV2>;

/** Time kept back from the function's timeout for Lambda to send the answer: the call's budget ends before it. */
const SEND_MS = 200;

/** The request path without a named stage's prefix (`/prod/pin_vetting` → `/pin_vetting`). */
function routePath(event: APIGatewayProxyEventV2): string {
  const path = event.rawPath || "/";
  const stage = event.requestContext?.stage;
  if (stage && stage !== "$default") {
    const prefix = `/${stage}`;
    if (path === prefix) return "/";
    if (path.startsWith(`${prefix}/`)) return path.slice(prefix.length);
  }
  return path;
}

/** A header by its lower-case name: API Gateway and function URLs send them so, hand-built events may not. */
function header(headers: APIGatewayProxyEventV2["headers"] | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const exact = headers[name];
  if (exact !== undefined) return exact;
  for (const key in headers) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}

export function createLambdaHandler(app: Taskchain): LambdaHandler {
  return async (event, context) => {
    // A REST API (or an HTTP API set to payload 1.0) sends another event shape: say so, rather than
    // fail on a missing field.
    if (!event.requestContext?.http) throw new Error("Expected an API Gateway HTTP API event in payload format 2.0 or a function URL event");
    const method = event.requestContext.http.method;
    const head = {
      method,
      url: routePath(event) + (event.rawQueryString ? `?${event.rawQueryString}` : ""),
      authorization: header(event.headers, "authorization"),
      contentEncoding: header(event.headers, "content-encoding"),
      caller: header(event.headers, "x-taskchain-caller"),
    };
    let text: string | undefined;
    if (event.body !== undefined && event.body !== null) {
      // Function URLs and HTTP APIs base64-encode bodies they do not take for text.
      const bytes = event.isBase64Encoded ? Buffer.from(event.body, "base64") : Buffer.from(event.body, "utf8");
      // Health, the token and the encoding come first, as on every runtime.
      if (bytes.length > MAX_BODY_BYTES) return toResult((await app.gate(head)) ?? app.error(413, "payload_too_large", "The request body is over 1 MiB"));
      text = bytes.toString("utf8");
    }
    const limits = context && { timeLeftMs: context.getRemainingTimeInMillis() - SEND_MS };
    const answer = await app.handle({ ...head, body: method === "POST" && text !== undefined ? { text } : undefined }, limits);
    return toResult(answer);
  };
}

function toResult(answer: { status: number; headers: Record<string, string>; body: string }): APIGatewayProxyStructuredResultV2 {
  return { statusCode: answer.status, headers: answer.headers, body: answer.body, isBase64Encoded: false };
}

// Built once per Lambda instance, on its first invocation, and reused while it stays warm.
let instance: LambdaHandler | undefined;

/** The Lambda entry point (`index.handler` in dist/index.mjs); src/sessions.ts says where sessions live. */
export const handler: LambdaHandler = (event, context) => {
  instance ??= createLambdaHandler(createApp(process.env, { store: sessionStoreFromEnv(process.env, consoleLogger) }));
  return instance(event, context);
};
