// `npm run dev` / `npm start`: the Lambda handler behind a local API Gateway stand-in.
// `node src/local.ts dist/index.mjs` serves the built bundle instead of the source.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { listenAddress, loadDotEnv } from "./dotenv.ts";
import { createGateway } from "./gateway.ts";
import { closeServer, exitGracefully, listen, orExit } from "./shutdown.ts";
import type { LambdaHandler } from "./server.ts";

loadDotEnv(); // before the handler reads process.env on its first call
const bundle = process.argv[2];
const { handler } = (await import(bundle ? pathToFileURL(path.resolve(bundle)).href : "./server.ts")) as { handler: LambdaHandler };

const { port, host } = orExit(() => listenAddress(process.env));
const server = createGateway(handler);
listen(server, port, host, `taskchain webhook (lambda${bundle ? ` ${bundle}` : ""}, local gateway)`);

exitGracefully(() => closeServer(server));
