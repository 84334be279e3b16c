// A throwaway DynamoDB for tests: dynalite (DynamoDB's API on LevelDB, in memory) in its own
// process on 127.0.0.1 (a test blocked in spawnSync must not stall it), with the sessions table
// (partition key `id`) created. Restartable on its port for outage tests.
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { REPO } from "./project.js";

export interface Dynalite {
  endpoint: string;
  port: number;
  table: string;
  /** What the AWS SDK needs besides the endpoint: a region and (any) credentials. */
  env: Record<string, string>;
  /** A DynamoDBClient's options for this endpoint. */
  client: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  stop(): Promise<void>;
}

const SERVE = `
import dynalite from "dynalite";
const server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
server.listen(Number(process.argv[1]), "127.0.0.1", () => console.log(server.address().port));
`;

export async function startDynalite(on = 0, table = "taskchain-sessions"): Promise<Dynalite> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", SERVE, String(on)], { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] });
  const exited = once(child, "exit");
  const [line] = (await Promise.race([once(child.stdout, "data"), exited.then(() => Promise.reject(new Error("dynalite exited before listening")))])) as [Buffer];
  const port = Number(line.toString().trim());
  const endpoint = `http://127.0.0.1:${port}`;
  const env = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };
  const options = { endpoint, region: env.AWS_REGION, credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  const client = new DynamoDBClient(options);
  await client.send(
    new CreateTableCommand({ TableName: table, AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }),
  );
  client.destroy();
  return {
    endpoint,
    port,
    table,
    env,
    client: options,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
