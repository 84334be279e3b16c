// The handler invoked directly with events shaped as API Gateway HTTP API (payload 2.0) and Lambda
// function URLs send them: base64 bodies, named stages, query-string tokens.
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { chain } from "../src/links/index.ts";
import { createLambdaHandler } from "../src/server.ts";

const token = "lambda-test-token";
const handler = createLambdaHandler(createApp({ TASKCHAIN_TOKEN: token }));
const name = chain[0].name;

function event(init: { method?: string; path: string; query?: string; body?: string; base64?: boolean; stage?: string; domain?: string; headers?: Record<string, string> }): APIGatewayProxyEventV2 {
  const domain = init.domain ?? "abc123.execute-api.us-east-1.amazonaws.com";
  const method = init.method ?? "POST";
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: init.path,
    rawQueryString: init.query ?? "",
    headers: { "content-type": "application/json", host: domain, ...init.headers },
    ...(init.query ? { queryStringParameters: Object.fromEntries(new URLSearchParams(init.query)) } : {}),
    requestContext: {
      accountId: "123456789012",
      apiId: domain.split(".")[0]!,
      domainName: domain,
      domainPrefix: domain.split(".")[0]!,
      http: { method, path: init.path, protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "Agent4" },
      requestId: "JKJaXmPLvHcESHA=",
      routeKey: "$default",
      stage: init.stage ?? "$default",
      time: "25/Nov/2026:05:00:00 +0000",
      timeEpoch: 1795582800000,
    },
    ...(init.body === undefined ? {} : { body: init.base64 ? Buffer.from(init.body).toString("base64") : init.body }),
    isBase64Encoded: init.base64 ?? false,
  };
}

const payload = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name, action: "initial", call_from: "+15125550101", call_forwarded_by: "+15128888888", ...extra });
const auth = { authorization: `Bearer ${token}` };

describe("lambda handler", () => {
  it("answers an HTTP API event", async () => {
    const result = await handler(event({ path: `/${name}`, body: payload(), headers: auth }));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body!)).toHaveProperty("key");
  });

  it("decodes a base64-encoded body", async () => {
    const result = await handler(event({ path: `/${name}`, body: payload(), base64: true, headers: auth }));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body!).content).toEqual(expect.any(String));
  });

  it("answers a function URL event with the token in the query string", async () => {
    const domain = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws";
    const result = await handler(event({ path: `/${name}`, query: `token=${token}`, body: payload(), domain }));
    expect(result.statusCode).toBe(200);
  });

  it("routes under a named stage", async () => {
    const result = await handler(event({ path: `/prod/${name}`, stage: "prod", body: payload(), headers: auth }));
    expect(result.statusCode).toBe(200);
    const health = await handler(event({ method: "GET", path: "/prod/health", stage: "prod" }));
    expect(health.statusCode).toBe(200);
  });

  it("names the event shape it takes when given a REST API (payload 1.0) event", async () => {
    const v1 = { resource: "/{proxy+}", path: `/${name}`, httpMethod: "POST", headers: auth, body: payload(), requestContext: { stage: "prod" } };
    await expect(handler(v1 as unknown as APIGatewayProxyEventV2)).rejects.toThrow(/payload format 2\.0/);
  });

  it("reads headers whatever their case, as a hand-built or proxied event may send them", async () => {
    const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    const result = await handler({ ...event({ path: `/${name}`, body: payload() }), headers });
    expect(result.statusCode).toBe(200);
    const gzip = await handler({ ...event({ path: `/${name}`, body: payload(), base64: true }), headers: { ...headers, "Content-Encoding": "gzip" } });
    expect(gzip.statusCode).toBe(415);
  });

  it("refuses a missing token, a base64 body over 1 MiB, and bad JSON", async () => {
    expect((await handler(event({ path: `/${name}`, body: payload() }))).statusCode).toBe(401);
    const big = payload({ context: { pad: "x".repeat(1024 * 1024) } });
    const tooLarge = await handler(event({ path: `/${name}`, body: big, base64: true, headers: auth }));
    expect(tooLarge.statusCode).toBe(413);
    expect((await handler(event({ path: `/${name}`, body: big, base64: true }))).statusCode).toBe(401);
    expect(JSON.parse(tooLarge.body!)).toMatchObject({ error: "payload_too_large" });
    const bad = await handler(event({ path: `/${name}`, body: "{nope", base64: true, headers: auth }));
    expect(JSON.parse(bad.body!)).toMatchObject({ error: "invalid_json" });
  });
});
