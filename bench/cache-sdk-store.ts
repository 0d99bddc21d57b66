/**
 * The cache's DynamoDB store as it was before it moved onto the table's signed JSON client: the
 * AWS SDK's DynamoDBClient per call. Kept for bench/cache-cost.ts only, to measure both in one run.
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { CacheStore, StoredEntry } from '../lib/cache/cache-store.ts';

export class SdkDynamoDbCacheStore implements CacheStore {
  readonly kind = 'dynamodb';
  constructor(
    readonly tableName: string,
    readonly client: DynamoDBClient,
  ) {}

  async get(key: string, options: { signal: AbortSignal }): Promise<StoredEntry | undefined> {
    const output = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: `cache#${key}` }, sk: { S: 'answer' } },
        ProjectionExpression: 'v, #ttl',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
      }),
      { abortSignal: options.signal },
    );
    const item = output.Item;
    if (!item?.v?.B || !item.ttl?.N) return undefined;
    return { value: item.v.B, expiresAt: Number(item.ttl.N) };
  }

  async put(key: string, entry: StoredEntry, options: { signal: AbortSignal }): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { pk: { S: `cache#${key}` }, sk: { S: 'answer' }, v: { B: entry.value }, ttl: { N: String(entry.expiresAt) } },
      }),
      { abortSignal: options.signal },
    );
  }
}
