/**
 * Cache entries in the gateway's table (DESIGN.md → The table): `pk` = `cache#<key>`,
 * `sk` = `answer`, the encoded answer in `v` (binary), `ttl` in epoch seconds so DynamoDB deletes
 * it (late: up to days, hence the cache also checks `ttl` on read). Calls are the table's own signed
 * POSTs of DynamoDB's JSON (lib/store/dynamodb-http-client.ts), a fraction of the SDK client's CPU
 * per call; `AWS_ENDPOINT_URL_DYNAMODB` and `AWS_REGION` are honoured as the SDK honours them.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
 */
import { createDynamoDbHttpClient, type DynamoDbHttpClient, type DynamoDbHttpOptions } from '../store/dynamodb-http-client.ts';
import type { CacheStore, StoredEntry } from './cache-store.ts';

/** DynamoDB's item limit: attribute names and values together. */
export const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;
/** The item's bytes besides the answer: `pk` + `cache#` + 64 hex, `sk` + `answer`, `v`, `ttl` + a number; rounded up. */
export const CACHE_ITEM_OVERHEAD_BYTES = 256;

const PARTITION_PREFIX = 'cache#';
const SORT_KEY = 'answer';

export interface DynamoDbCacheStoreOptions extends DynamoDbHttpOptions {
  tableName: string;
  /** A client to share (the limits' table uses one too); otherwise one of its own from the other options. */
  client?: DynamoDbHttpClient;
}

/** DynamoDB's JSON of the attributes read: binary values travel as base64. */
interface CacheItem {
  v?: { B?: string };
  ttl?: { N?: string };
}

export class DynamoDbCacheStore implements CacheStore {
  readonly kind = 'dynamodb';
  readonly #tableName: string;
  readonly #client: DynamoDbHttpClient;

  constructor(options: DynamoDbCacheStoreOptions) {
    this.#tableName = options.tableName;
    this.#client = options.client ?? createDynamoDbHttpClient(options);
  }

  /** Resolves where and as whom calls go (the SDK's configuration, imported once) outside the read budget. */
  ready(): Promise<void> {
    return this.#client.ready();
  }

  async get(key: string, options: { signal: AbortSignal }): Promise<StoredEntry | undefined> {
    const output = await this.#client.call<{ Item?: CacheItem }>(
      'GetItem',
      {
        TableName: this.#tableName,
        Key: { pk: { S: PARTITION_PREFIX + key }, sk: { S: SORT_KEY } },
        ProjectionExpression: 'v, #ttl',
        ExpressionAttributeNames: { '#ttl': 'ttl' }, // `ttl` is a reserved word
      },
      { signal: options.signal },
    );
    const item = output.Item;
    if (item?.v?.B === undefined || item.ttl?.N === undefined) return undefined;
    return { value: Buffer.from(item.v.B, 'base64'), expiresAt: Number(item.ttl.N) };
  }

  async put(key: string, entry: StoredEntry, options: { signal: AbortSignal }): Promise<void> {
    const value = Buffer.from(entry.value.buffer, entry.value.byteOffset, entry.value.byteLength);
    await this.#client.call(
      'PutItem',
      {
        TableName: this.#tableName,
        Item: {
          pk: { S: PARTITION_PREFIX + key },
          sk: { S: SORT_KEY },
          v: { B: value.toString('base64') },
          ttl: { N: String(entry.expiresAt) },
        },
      },
      { signal: options.signal },
    );
  }

  /** Closes idle connections (tests, scripts). */
  destroy(): void {
    this.#client.destroy();
  }
}
