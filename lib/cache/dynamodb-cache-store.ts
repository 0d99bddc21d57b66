/**
 * Cache entries in the gateway's table (DESIGN.md → The table): `pk` = `cache#<key>`,
 * `sk` = `answer`, the encoded answer in `v` (binary), `ttl` in epoch seconds so DynamoDB deletes
 * it (late: up to days, hence the cache also checks `ttl` on read). The SDK loads on the first
 * cache use, not at cold start, and honours `AWS_ENDPOINT_URL_DYNAMODB` and `AWS_REGION`.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CacheStore, StoredEntry } from './cache-store.ts';

/** DynamoDB's item limit: attribute names and values together. */
export const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;
/** The item's bytes besides the answer: `pk` + `cache#` + 64 hex, `sk` + `answer`, `v`, `ttl` + a number; rounded up. */
export const CACHE_ITEM_OVERHEAD_BYTES = 256;

const PARTITION_PREFIX = 'cache#';
const SORT_KEY = 'answer';

export interface DynamoDbCacheStoreOptions {
  tableName: string;
  /** A client of your own (tests); otherwise one is made on first use, with the SDK's defaults. */
  client?: DynamoDBClient;
}

type Sdk = typeof import('@aws-sdk/client-dynamodb');

export class DynamoDbCacheStore implements CacheStore {
  readonly kind = 'dynamodb';
  readonly #tableName: string;
  #ready: Promise<{ sdk: Sdk; client: DynamoDBClient }> | undefined;
  readonly #client: DynamoDBClient | undefined;

  constructor(options: DynamoDbCacheStoreOptions) {
    this.#tableName = options.tableName;
    this.#client = options.client;
  }

  async ready(): Promise<void> {
    await this.#load();
  }

  async get(key: string, options: { signal: AbortSignal }): Promise<StoredEntry | undefined> {
    const { sdk, client } = await this.#load();
    const output = await client.send(
      new sdk.GetItemCommand({
        TableName: this.#tableName,
        Key: { pk: { S: PARTITION_PREFIX + key }, sk: { S: SORT_KEY } },
        ProjectionExpression: 'v, #ttl',
        ExpressionAttributeNames: { '#ttl': 'ttl' }, // `ttl` is a reserved word
      }),
      { abortSignal: options.signal },
    );
    const item = output.Item;
    if (!item?.v?.B || !item.ttl?.N) return undefined;
    return { value: item.v.B, expiresAt: Number(item.ttl.N) };
  }

  async put(key: string, entry: StoredEntry, options: { signal: AbortSignal }): Promise<void> {
    const { sdk, client } = await this.#load();
    await client.send(
      new sdk.PutItemCommand({
        TableName: this.#tableName,
        Item: {
          pk: { S: PARTITION_PREFIX + key },
          sk: { S: SORT_KEY },
          v: { B: entry.value },
          ttl: { N: String(entry.expiresAt) },
        },
      }),
      { abortSignal: options.signal },
    );
  }

  #load(): Promise<{ sdk: Sdk; client: DynamoDBClient }> {
    this.#ready ??= import('@aws-sdk/client-dynamodb').then((sdk) => ({ sdk, client: this.#client ?? new sdk.DynamoDBClient({}) }));
    // A failed import is not remembered: the next request tries again.
    this.#ready.catch(() => (this.#ready = undefined));
    return this.#ready;
  }
}
