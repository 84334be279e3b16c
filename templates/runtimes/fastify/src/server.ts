// The fastify runtime: Fastify 5 parses JSON and enforces the body limit; the core answers.
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { createApp } from "./app.ts";
import { consoleLogger, describeThrown, MAX_BODY_BYTES, type HttpAnswer, type Taskchain } from "./taskchain/index.ts";

function send(reply: FastifyReply, answer: HttpAnswer): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/** A body read as text, for the core to parse: told apart from JSON that parsed to a string. */
class TextBody {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/**
 * The 413, with the connection kept open while node drains the rest of the body: fastify would close
 * it with bytes unread, which resets it under a caller still sending, who then never sees the answer.
 */
function refuseTooLarge(app: Taskchain, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  request.raw.resume();
  return send(reply.removeHeader("connection"), app.error(413, "payload_too_large", "The request body is over 1 MiB"));
}

export function createFastifyApp(app: Taskchain = createApp(process.env)): FastifyInstance {
  const server = Fastify({ bodyLimit: MAX_BODY_BYTES, logger: false });

  // application/json goes through fastify's own parser; any other content type (text/plain too) is
  // read as text and parsed by the core, so a webhook sent without the header still works.
  server.removeContentTypeParser("text/plain");
  server.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, new TextBody(body as string)));

  // Health, the token and the encoding are answered before fastify parses the body.
  server.addHook("onRequest", async (request, reply) => {
    const { authorization, "content-encoding": contentEncoding, "x-taskchain-caller": caller } = request.headers;
    const early = app.gate({ method: request.method, url: request.url, authorization, contentEncoding, caller: caller?.toString() });
    if (early) return send(reply, await early);
  });

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const body: unknown = request.body;
    const answer = await app.handle({
      method: request.method,
      url: request.url,
      authorization: request.headers.authorization,
      contentEncoding: request.headers["content-encoding"],
      body: body === undefined ? undefined : body instanceof TextBody ? body : { json: body },
    });
    return send(reply, answer);
  };
  server.all("/*", handler);
  // all() covers fastify's own list of methods; the rest (PROPFIND, MKCOL, …) reach the core too,
  // which answers 405 like every runtime, not fastify's 404 naming the URL, ?token= included.
  server.setNotFoundHandler(handler);

  // Fastify's parser errors become the core's JSON error bodies.
  server.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE" || error.statusCode === 413) return refuseTooLarge(app, request, reply);
    if (error.code === "FST_ERR_CTP_EMPTY_JSON_BODY") return send(reply, app.error(400, "invalid_json", "The request body is empty; expected a JSON payload"));
    if (error instanceof SyntaxError || error.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
      return send(reply, app.error(400, "invalid_json", "The request body is not valid JSON"));
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return send(reply, app.error(error.statusCode, "bad_request", error.message));
    }
    consoleLogger.error("request failed", { error: describeThrown(error) });
    return send(reply, app.error(500, "internal_error", "The webhook failed to answer"));
  });
  return server;
}
