/**
 * The table on DynamoDB (or anything that speaks its API: `AWS_ENDPOINT_URL_DYNAMODB`, which the SDK
 * honours on its own, as it does `AWS_REGION`). The SDK is imported on first use, so a cold start
 * that serves no limited request never evaluates it.
 *
 * Throttling (`ThrottlingException`, `ProvisionedThroughputExceededException`) and 5xx are retried
 * within `maxAttempts` (default 3) after 10 and 20 ms (`shortRetryStrategy`); after that the caller
 * sees a `TableUnavailableError` and applies its store-error policy.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html#Programming.Errors.RetryAndBackoff
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { shortRetryStrategy } from './short-retry-strategy.ts';
import { type AddResult, type GatewayTable, type TableItem, type TableKey, TableUnavailableError, type TableValue } from './gateway-table.ts';

type Sdk = typeof import('@aws-sdk/client-dynamodb');

export interface DynamoDbTableOptions {
  tableName: string;
  /** A ready client (tests, benchmarks); otherwise one is built on first use. */
  client?: Pick<DynamoDBClient, 'send'>;
  /** SDK attempts per call, first included. */
  maxAttempts?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'ttl']);

export function createDynamoDbGatewayTable(options: DynamoDbTableOptions): GatewayTable {
  const { tableName } = options;
  let loaded: Promise<[Pick<DynamoDBClient, 'send'>, Sdk]> | undefined;

  function load() {
    loaded ??= import('@aws-sdk/client-dynamodb').then((sdk) => [
      options.client ??
        new sdk.DynamoDBClient({
          retryStrategy: shortRetryStrategy({ maxAttempts: options.maxAttempts ?? 3 }),
          requestHandler: { connectionTimeout: options.connectionTimeoutMs ?? 1_000, requestTimeout: options.requestTimeoutMs ?? 2_000 },
        }),
      sdk,
    ]);
    return loaded;
  }

  /** Runs one call; only a failed condition is an answer, anything else is the table being unavailable. */
  async function call<T>(operation: string, run: (client: Pick<DynamoDBClient, 'send'>, sdk: Sdk) => Promise<T>): Promise<T | 'condition-failed'> {
    try {
      const [client, sdk] = await load();
      return await run(client, sdk);
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return 'condition-failed';
      const name = error instanceof Error ? error.name : 'error';
      throw new TableUnavailableError(`DynamoDB ${operation} on ${tableName} failed (${name}).`, { cause: error });
    }
  }

  function settled<T>(result: T | 'condition-failed'): T {
    if (result === 'condition-failed') throw new TableUnavailableError(`Unexpected condition failure on ${tableName}.`);
    return result;
  }

  return {
    description: `dynamodb:${tableName}`,

    async get(key, getOptions = {}) {
      const output = settled(
        await call('GetItem', (client, sdk) =>
          client.send(new sdk.GetItemCommand({ TableName: tableName, Key: toKey(key), ConsistentRead: getOptions.consistent ?? false })),
        ),
      );
      return output.Item && fromItem(output.Item);
    },

    async put(item) {
      settled(await call('PutItem', (client, sdk) => client.send(new sdk.PutItemCommand({ TableName: tableName, Item: toItem(item) }))));
    },

    async delete(key) {
      settled(await call('DeleteItem', (client, sdk) => client.send(new sdk.DeleteItemCommand({ TableName: tableName, Key: toKey(key) }))));
    },

    async add(key, attribute, amount, addOptions): Promise<AddResult> {
      // A ceiling the amount alone passes can never be met: no round trip for a certain "no".
      if (addOptions.ceiling !== undefined && amount > addOptions.ceiling) return { applied: false };
      const values: Record<string, AttributeValue> = { ':amount': { N: String(amount) }, ':ttl': { N: String(addOptions.ttl) } };
      let condition: string | undefined;
      if (addOptions.ceiling !== undefined) {
        // `value + amount <= ceiling`, written as `value <= ceiling - amount` (expressions have no arithmetic in conditions).
        values[':room'] = { N: String(addOptions.ceiling - amount) };
        condition = 'attribute_not_exists(#value) OR #value <= :room';
      }
      const output = await call('UpdateItem', (client, sdk) =>
        client.send(
          new sdk.UpdateItemCommand({
            TableName: tableName,
            Key: toKey(key),
            UpdateExpression: 'ADD #value :amount SET #ttl = :ttl',
            ConditionExpression: condition,
            ExpressionAttributeNames: { '#value': attribute, '#ttl': 'ttl' },
            ExpressionAttributeValues: values,
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      );
      if (output === 'condition-failed') return { applied: false };
      const value = output.Attributes?.[attribute]?.N;
      if (value === undefined) throw new TableUnavailableError(`DynamoDB UpdateItem on ${tableName} returned no ${attribute}.`);
      return { applied: true, value: Number(value) };
    },

    async *scan(prefix) {
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const output = settled(
          await call('Scan', (client, sdk) =>
            client.send(
              new sdk.ScanCommand({
                TableName: tableName,
                FilterExpression: 'begins_with(pk, :prefix)',
                ExpressionAttributeValues: { ':prefix': { S: prefix } },
                ExclusiveStartKey: startKey,
              }),
            ),
          ),
        );
        for (const item of output.Items ?? []) yield fromItem(item);
        startKey = output.LastEvaluatedKey;
      } while (startKey !== undefined);
    },
  };
}

function toKey(key: TableKey): Record<string, AttributeValue> {
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}

function toItem(item: TableItem): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = toKey(item);
  if (item.ttl !== undefined) attributes.ttl = { N: String(item.ttl) };
  for (const [name, value] of Object.entries(item.values)) {
    if (KEY_ATTRIBUTES.has(name)) throw new Error(`${name} is a key attribute, not a value`);
    attributes[name] = typeof value === 'number' ? { N: String(value) } : { S: value };
  }
  return attributes;
}

function fromItem(attributes: Record<string, AttributeValue>): TableItem {
  const item: TableItem = { pk: attributes.pk?.S ?? '', sk: attributes.sk?.S ?? '', values: {} };
  for (const [name, attribute] of Object.entries(attributes)) {
    if (name === 'pk' || name === 'sk') continue;
    const value: TableValue | undefined = attribute.N !== undefined ? Number(attribute.N) : attribute.S;
    if (value === undefined) continue;
    if (name === 'ttl' && typeof value === 'number') item.ttl = value;
    else item.values[name] = value;
  }
  return item;
}
