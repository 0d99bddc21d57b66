/**
 * The table on DynamoDB (or anything that speaks its API: `AWS_ENDPOINT_URL_DYNAMODB` and
 * `AWS_REGION` are honoured as the SDK honours them, lib/store/dynamodb-http-client.ts). Calls are
 * signed POSTs of DynamoDB's JSON: a fraction of the SDK client's CPU per call.
 *
 * Throttling and 5xx are retried within `maxAttempts` (default 3) after ~10 and ~20 ms; after that
 * the caller sees a `TableUnavailableError` and applies its store-error policy.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
import { createDynamoDbHttpClient, DynamoDbCallError, type DynamoDbHttpClient, type DynamoDbHttpOptions } from './dynamodb-http-client.ts';
import { type AddResult, type GatewayTable, type TableItem, type TableKey, TableUnavailableError, type TableValue } from './gateway-table.ts';

/** DynamoDB's JSON for one attribute value (the kinds this table uses). */
type AttributeValue = { S: string } | { N: string };
type Item = Record<string, AttributeValue>;

export interface DynamoDbTableOptions extends DynamoDbHttpOptions {
  tableName: string;
  /** A client to share (the response cache uses one too); otherwise one of its own from the other options. */
  client?: DynamoDbHttpClient;
}

const KEY_ATTRIBUTES = new Set(['pk', 'sk', 'ttl']);

export function createDynamoDbGatewayTable(options: DynamoDbTableOptions): GatewayTable & { destroy(): void } {
  const { tableName } = options;
  const client = options.client ?? createDynamoDbHttpClient(options);

  /** Runs one call; only a failed condition is an answer, anything else is the table being unavailable. */
  async function call<T>(operation: string, input: object): Promise<T | 'condition-failed'> {
    try {
      return await client.call<T>(operation, { TableName: tableName, ...input });
    } catch (error) {
      if (error instanceof DynamoDbCallError && error.name === 'ConditionalCheckFailedException') return 'condition-failed';
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
      const output = settled(await call<{ Item?: Item }>('GetItem', { Key: toKey(key), ConsistentRead: getOptions.consistent ?? false }));
      return output.Item && fromItem(output.Item);
    },

    async put(item) {
      settled(await call('PutItem', { Item: toItem(item) }));
    },

    async delete(key) {
      settled(await call('DeleteItem', { Key: toKey(key) }));
    },

    async add(key, amounts, addOptions): Promise<AddResult> {
      const ceilings = addOptions.ceilings ?? {};
      // A ceiling the amount alone passes can never be met: no round trip for a certain "no".
      if (Object.entries(ceilings).some(([attribute, ceiling]) => (amounts[attribute] ?? 0) > ceiling)) return { applied: false };
      const names: Record<string, string> = {};
      const values: Record<string, AttributeValue> = {};
      if (addOptions.ttl !== undefined) {
        names['#ttl'] = 'ttl';
        values[':ttl'] = { N: String(addOptions.ttl) };
      }
      const additions: string[] = [];
      const conditions: string[] = [];
      const attributes = Object.keys(amounts);
      attributes.forEach((attribute, index) => {
        names[`#a${index}`] = attribute;
        values[`:a${index}`] = { N: String(amounts[attribute]) };
        additions.push(`#a${index} :a${index}`);
        const ceiling = ceilings[attribute];
        if (ceiling === undefined) return;
        // `value + amount <= ceiling`, written as `value <= ceiling - amount` (conditions have no arithmetic).
        values[`:r${index}`] = { N: String(ceiling - amounts[attribute]!) };
        conditions.push(`(attribute_not_exists(#a${index}) OR #a${index} <= :r${index})`);
      });
      const removals = (addOptions.remove ?? []).map((attribute, index) => {
        names[`#x${index}`] = attribute;
        return `#x${index}`;
      });
      const output = await call<{ Attributes?: Item }>('UpdateItem', {
        Key: toKey(key),
        UpdateExpression: `ADD ${additions.join(', ')}${addOptions.ttl !== undefined ? ' SET #ttl = :ttl' : ''}${removals.length > 0 ? ` REMOVE ${removals.join(', ')}` : ''}`,
        ConditionExpression: conditions.length > 0 ? conditions.join(' AND ') : undefined,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      });
      if (output === 'condition-failed') return { applied: false };
      const updated: Record<string, number> = {};
      for (const [attribute, value] of Object.entries(output.Attributes ?? {})) if ('N' in value && !KEY_ATTRIBUTES.has(attribute)) updated[attribute] = Number(value.N);
      for (const attribute of attributes) {
        if (updated[attribute] === undefined) throw new TableUnavailableError(`DynamoDB UpdateItem on ${tableName} returned no ${attribute}.`);
      }
      return { applied: true, values: updated };
    },

    async *scan(prefix) {
      let startKey: Item | undefined;
      do {
        const output: { Items?: Item[]; LastEvaluatedKey?: Item } = settled(
          await call('Scan', { FilterExpression: 'begins_with(pk, :prefix)', ExpressionAttributeValues: { ':prefix': { S: prefix } }, ExclusiveStartKey: startKey }),
        );
        for (const item of output.Items ?? []) yield fromItem(item);
        startKey = output.LastEvaluatedKey;
      } while (startKey !== undefined);
    },

    destroy: () => client.destroy(),
  };
}

function toKey(key: TableKey): Item {
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}

function toItem(item: TableItem): Item {
  const attributes: Item = toKey(item);
  if (item.ttl !== undefined) attributes.ttl = { N: String(item.ttl) };
  for (const [name, value] of Object.entries(item.values)) {
    if (KEY_ATTRIBUTES.has(name)) throw new Error(`${name} is a key attribute, not a value`);
    attributes[name] = typeof value === 'number' ? { N: String(value) } : { S: value };
  }
  return attributes;
}

function fromItem(attributes: Item): TableItem {
  const text = (value: AttributeValue | undefined) => (value && 'S' in value ? value.S : '');
  const item: TableItem = { pk: text(attributes.pk), sk: text(attributes.sk), values: {} };
  for (const [name, attribute] of Object.entries(attributes)) {
    if (name === 'pk' || name === 'sk') continue;
    const value: TableValue | undefined = 'N' in attribute ? Number(attribute.N) : 'S' in attribute ? attribute.S : undefined;
    if (value === undefined) continue;
    if (name === 'ttl' && typeof value === 'number') item.ttl = value;
    else item.values[name] = value;
  }
  return item;
}
