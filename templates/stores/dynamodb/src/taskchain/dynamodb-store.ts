// Sessions in DynamoDB, for Lambda: every instance that answers a call reads and writes the same
// item. One item per caller, keyed by `id`; the table's TTL attribute `expires` removes abandoned ones.
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import type { Logger } from "./log.ts";
import { OutageLog } from "./outage.ts";
import type { Session, SessionStore } from "./session.ts";

type Item = Record<string, AttributeValue>;

export interface DynamoSessionStoreOptions {
  /** The table: partition key `id` (string), TTL attribute `expires`. */
  table: string;
  /** Prefix of every `id` this store writes. */
  prefix?: string;
  /** How long one request may take, the SDK's retry included, before the call gets the apology. Default 2000. */
  timeoutMs?: number;
  /** Where the outage and recovery lines go. */
  logger: Logger;
  /** Region, credentials, `endpoint` (DynamoDB Local, dynalite): the SDK reads the environment for what is not given. */
  client?: DynamoDBClientConfig;
}

/**
 * The memory store's semantics on DynamoDB: one session per caller, a stable key for the call, an
 * idle TTL that every save restarts. DynamoDB deletes expired items only eventually (within days),
 * so every read checks `expiresAt` itself. Reads are strongly consistent, and a call's first
 * webhook creates its session with a conditional write, so two instances racing on it agree on
 * one key.
 */
export class DynamoSessionStore implements SessionStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #outage: OutageLog;

  constructor(options: DynamoSessionStoreOptions) {
    this.#client = new DynamoDBClient({ maxAttempts: 2, ...options.client });
    this.#table = options.table;
    this.#prefix = options.prefix ?? "session:";
    this.#timeoutMs = options.timeoutMs ?? 2_000;
    this.#outage = new OutageLog(options.logger, "dynamodb");
  }

  /** One request, failing after timeoutMs; a refused condition is an answer, not an outage. */
  async #send<T>(request: (client: DynamoDBClient, abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      const value = await request(this.#client, AbortSignal.timeout(this.#timeoutMs));
      this.#outage.up();
      return value;
    } catch (error) {
      if (isConditionFailure(error)) this.#outage.up();
      else this.#outage.down(error);
      throw error;
    }
  }

  async #read(id: string): Promise<Session | undefined> {
    const key = { id: { S: this.#prefix + id } };
    const { Item } = await this.#send((client, abortSignal) => client.send(new GetItemCommand({ TableName: this.#table, Key: key, ConsistentRead: true }), { abortSignal }));
    return Item && Number(Item.expiresAt?.N) > Date.now() ? parseSession(Item.session?.S) : undefined;
  }

  #item(id: string, session: Session, ttlMs: number): Item {
    const expiresAt = Date.now() + Math.max(1, Math.round(ttlMs));
    const item = { id: { S: this.#prefix + id }, callKey: { S: session.key }, session: { S: JSON.stringify(session) } };
    return { ...item, expiresAt: { N: String(expiresAt) }, expires: { N: String(Math.ceil(expiresAt / 1000)) } };
  }

  async open(id: string, create: () => Session, ttlMs: number): Promise<Session> {
    const stored = await this.#read(id);
    if (stored) return stored;
    const fresh = create();
    try {
      // Absent or expired: create it, unless another instance just did.
      const condition = { ConditionExpression: "attribute_not_exists(id) OR expiresAt < :now", ExpressionAttributeValues: { ":now": { N: String(Date.now()) } } };
      await this.#send((client, abortSignal) => client.send(new PutItemCommand({ TableName: this.#table, Item: this.#item(id, fresh, ttlMs), ...condition }), { abortSignal }));
      return fresh;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return (await this.#read(id)) ?? fresh;
    }
  }

  async save(id: string, session: Session, ttlMs: number): Promise<void> {
    await this.#send((client, abortSignal) => client.send(new PutItemCommand({ TableName: this.#table, Item: this.#item(id, session, ttlMs) }), { abortSignal }));
  }

  /** With `key`, only while the item is still that call: a late notification never ends the next call. */
  async end(id: string, key?: string): Promise<void> {
    const condition = key === undefined ? {} : { ConditionExpression: "callKey = :key", ExpressionAttributeValues: { ":key": { S: key } } };
    try {
      await this.#send((client, abortSignal) => client.send(new DeleteItemCommand({ TableName: this.#table, Key: { id: { S: this.#prefix + id } }, ...condition }), { abortSignal }));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

function parseSession(raw: string | undefined): Session | undefined {
  try {
    const value = JSON.parse(raw ?? "") as Partial<Session>;
    if (typeof value.key !== "string") return undefined;
    return { ...value, key: value.key, state: value.state ?? {}, retries: value.retries ?? {} };
  } catch {
    return undefined;
  }
}

/**
 * A DynamoSessionStore on the table DYNAMODB_TABLE when it is set (DYNAMODB_ENDPOINT: another
 * endpoint than AWS's, for DynamoDB Local); undefined means the in-memory store.
 */
export function dynamoStoreFromEnv(env: Record<string, string | undefined>, logger: Logger): DynamoSessionStore | undefined {
  const table = env.DYNAMODB_TABLE?.trim();
  if (!table) return undefined;
  const endpoint = env.DYNAMODB_ENDPOINT?.trim();
  return new DynamoSessionStore({ table, prefix: env.DYNAMODB_PREFIX || undefined, logger, client: endpoint ? { endpoint } : {} });
}
