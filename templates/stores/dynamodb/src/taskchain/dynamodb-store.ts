// Sessions in DynamoDB, for Lambda: every instance that answers a call reads and writes the same
// item. One item per caller, keyed by `id`; the table's TTL attribute `expires` removes abandoned ones.
// Besides `callKey`, `expiresAt`, `last` and `ended` (the call has ended: end() with keep), the item
// has one attribute per name, `s.` state, `o.` once() result, `r.` retry count, each value JSON: a
// save updates only its own, so two concurrent updates of one call's different names both land.
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import type { Logger } from "./log.ts";
import { OutageLog } from "./outage.ts";
import type { Answered, Session, SessionChange, SessionStore } from "./session.ts";

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
 * so every read and write checks `expiresAt` itself. Reads are strongly consistent, a call's first
 * webhook creates its session with a conditional write, so two instances racing on it agree on one
 * key, and a save is an UpdateItem on the condition that the item is that call's, live and not ended.
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

  /** One request, failing after timeoutMs; a request DynamoDB refused is an answer, not an outage. */
  async #send<T>(request: (client: DynamoDBClient, abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      const value = await request(this.#client, AbortSignal.timeout(this.#timeoutMs));
      this.#outage.up();
      return value;
    } catch (error) {
      if (isRefusal(error)) this.#outage.up();
      else this.#outage.down(error);
      throw error;
    }
  }

  async #read(id: string): Promise<Session | undefined> {
    const key = { id: { S: this.#prefix + id } };
    const { Item } = await this.#send((client, abortSignal) => client.send(new GetItemCommand({ TableName: this.#table, Key: key, ConsistentRead: true }), { abortSignal }));
    return Item && Number(Item.expiresAt?.N) > Date.now() ? sessionOf(Item) : undefined;
  }

  /** What every write sets besides `id`: the call's key and the idle TTL. */
  #head(key: string, ttlMs: number): Item {
    const expiresAt = Date.now() + Math.max(1, Math.round(ttlMs));
    return { callKey: { S: key }, expiresAt: { N: String(expiresAt) }, expires: { N: String(Math.ceil(expiresAt / 1000)) } };
  }

  /** Writes the whole item, replacing what is stored, on `condition`; `extra`: attributes besides the session's. */
  async #put(id: string, session: Session, ttlMs: number, condition: Condition, extra: Item = {}): Promise<void> {
    const item: Item = { id: { S: this.#prefix + id }, ...this.#head(session.key, ttlMs), ...Object.fromEntries(attributesOf(session).set), ...extra };
    await this.#send((client, abortSignal) => client.send(new PutItemCommand({ TableName: this.#table, Item: item, ...condition }), { abortSignal }));
  }

  async open(id: string, fresh: () => Session, ttlMs: number): Promise<Session> {
    // Another instance may create or end the session between the read and the write: read again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = await this.#read(id);
      if (stored) return stored;
      const session = fresh();
      try {
        await this.#put(id, session, ttlMs, { ConditionExpression: "attribute_not_exists(id) OR expiresAt < :now", ExpressionAttributeValues: { ":now": { N: String(Date.now()) } } });
        return session;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new Error(`the session of ${this.#prefix + id} changed at every read`);
  }

  async save(id: string, key: string, change: SessionChange, ttlMs: number): Promise<void> {
    const { set, removed } = attributesOf(change);
    const update = updateOf([...Object.entries(this.#head(key, ttlMs)), ...set], removed);
    const condition = { ConditionExpression: LIVE_CALL, ExpressionAttributeValues: { ...update.values, ":key": { S: key }, ":now": { N: String(Date.now()) } } };
    const request = { TableName: this.#table, Key: { id: { S: this.#prefix + id } }, UpdateExpression: update.expression, ExpressionAttributeNames: update.names, ...condition };
    try {
      await this.#send((client, abortSignal) => client.send(new UpdateItemCommand(request), { abortSignal }));
    } catch (error) {
      // None, another call's or an ended one: this call is over, and its update must neither bring
      // it back nor land in the next.
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** With `key`, only while the item is still that call: a late notification never ends the next call. */
  async end(id: string, key?: string, keep?: { last: Answered; ttlMs: number }): Promise<void> {
    const values = { ":key": { S: key ?? "" } };
    try {
      if (keep !== undefined && key !== undefined) {
        const condition = { ConditionExpression: KEEPS, ExpressionAttributeValues: { ...values, ":now": { N: String(Date.now()) } } };
        await this.#put(id, { key, state: {}, retries: {}, last: keep.last }, keep.ttlMs, condition, { ended: { BOOL: true } });
        return;
      }
      const condition = key === undefined ? {} : { ConditionExpression: "callKey = :key", ExpressionAttributeValues: values };
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

/** DynamoDB answered and refused this one request (a condition not met, an item over 400 KB): it is up. */
function isRefusal(error: unknown): boolean {
  return isConditionFailure(error) || (error instanceof Error && error.name === "ValidationException");
}

type Condition = { ConditionExpression: string; ExpressionAttributeValues: Item };

/** A save's condition: the item is call `:key`'s, its idle TTL (`:now`) has not run out, and the call has not ended. */
const LIVE_CALL = "callKey = :key AND expiresAt > :now AND attribute_not_exists(ended)";

/** An ended call's kept answer replaces its own session, one whose idle TTL has run out, or none. */
const KEEPS = "attribute_not_exists(id) OR callKey = :key OR expiresAt < :now";

/** An UpdateItem expression setting and removing these attributes, every name a placeholder (names are the caller's; some are reserved words). */
function updateOf(set: Array<[string, AttributeValue]>, removed: string[]): { expression: string; names: Record<string, string>; values: Item } {
  const names: Record<string, string> = {};
  const values: Item = {};
  const sets = set.map(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  const removes = removed.map((name, i) => {
    names[`#r${i}`] = name;
    return `#r${i}`;
  });
  return { expression: `SET ${sets.join(", ")}${removes.length ? ` REMOVE ${removes.join(", ")}` : ""}`, names, values };
}

const PREFIX = { state: "s.", once: "o.", retries: "r." } as const;

/** A change's attributes: name-value pairs to set, and the attributes of names it removes (set to undefined). */
function attributesOf(change: SessionChange): { set: Array<[string, AttributeValue]>; removed: string[] } {
  const set: Array<[string, AttributeValue]> = [];
  const removed: string[] = [];
  for (const part of ["state", "once", "retries"] as const) {
    for (const [name, value] of Object.entries(change[part] ?? {})) {
      if (value === undefined) removed.push(PREFIX[part] + name);
      else set.push([PREFIX[part] + name, { S: JSON.stringify(value) }]);
    }
  }
  if (change.last) set.push(["last", { S: JSON.stringify(change.last) }]);
  return { set, removed };
}

/** A session from its item; an attribute that is not JSON is left out. */
function sessionOf(item: Item): Session | undefined {
  const key = item.callKey?.S;
  if (key === undefined) return undefined;
  const parts = { state: [] as Array<[string, unknown]>, once: [] as Array<[string, unknown]>, retries: [] as Array<[string, unknown]> };
  for (const [attribute, { S: text }] of Object.entries(item)) {
    const part = (["state", "once", "retries"] as const).find((name) => attribute.startsWith(PREFIX[name]));
    const value = part && text !== undefined ? parsed(text) : undefined;
    if (part && value !== undefined) parts[part].push([attribute.slice(2), value]);
  }
  // fromEntries, not assignment: a name may be `__proto__`.
  const session: Session = { key, state: Object.fromEntries(parts.state), retries: Object.fromEntries(parts.retries) as Record<string, number> };
  if (parts.once.length) session.once = Object.fromEntries(parts.once);
  const last = item.last?.S === undefined ? undefined : (parsed(item.last.S) as Answered | undefined);
  if (last) session.last = last;
  return session;
}

function parsed(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
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
