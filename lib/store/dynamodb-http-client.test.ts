/**
 * The gateway's DynamoDB client, reached as on Lambda (`AWS_REGION`, the role's credentials,
 * `AWS_ENDPOINT_URL_DYNAMODB` on loopback): its calls are signed JSON 1.0 POSTs (re-checked with
 * `@smithy/signature-v4`) and the SDK's client never loads (a counting wrapper of the real module
 * sees any import), until the environment asks for what only the SDK resolves. The table's behaviour
 * against dynalite is tested in test/integration (limits, cache).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifySigV4 } from '../../test/fakes/fake-bedrock.ts';
import { json, startFakeUpstream, type FakeUpstream } from '../../test/fakes/fake-upstream.ts';
import { createDynamoDbHttpClient, DynamoDbCallError } from './dynamodb-http-client.ts';

const sdk = vi.hoisted(() => ({ loads: 0 }));
vi.mock('@aws-sdk/client-dynamodb', async (importOriginal) => {
  sdk.loads += 1;
  return await importOriginal();
});

const ROLE = { accessKeyId: 'ASIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE' };
const ITEM = { Item: { pk: { S: 'a' }, sk: { S: 'b' } } };

describe('the DynamoDB client on the environment of Lambda', () => {
  let table: FakeUpstream;
  const saved = { ...process.env };
  const clients: Array<{ destroy(): void }> = [];

  function lambdaEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: saved.PATH,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: ROLE.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ROLE.secretAccessKey,
      AWS_SESSION_TOKEN: ROLE.sessionToken,
      AWS_ENDPOINT_URL_DYNAMODB: table.url,
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
      ...extra,
    };
  }

  beforeAll(async () => {
    table = await startFakeUpstream(json(200, ITEM, { 'content-type': 'application/x-amz-json-1.0' }));
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
    process.env = { ...saved };
  });
  afterAll(async () => {
    process.env = saved;
    await table?.close();
  });

  it('sends signed JSON 1.0 calls without loading the SDK', async () => {
    const client = createDynamoDbHttpClient({ env: lambdaEnv() });
    clients.push(client);
    expect(await client.call('GetItem', { TableName: 't', Key: { pk: { S: 'a' }, sk: { S: 'b' } } })).toEqual(ITEM);
    const request = table.received.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', path: '/', body: { TableName: 't' } });
    expect(request.headers).toMatchObject({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' });
    expect(await verifySigV4(request, { region: 'eu-west-1', service: 'dynamodb', credentials: [ROLE] })).toMatchObject({ valid: true });
    expect(sdk.loads).toBe(0);
  });

  it('reads DynamoDB\'s error type and retries only what may help', async () => {
    const client = createDynamoDbHttpClient({ env: lambdaEnv(), retryBaseDelayMs: 1 });
    clients.push(client);
    const before = table.received.length;
    table.enqueue(json(400, { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'slow down' }), json(200, ITEM));
    expect(await client.call('GetItem', {})).toEqual(ITEM);
    table.enqueue(json(400, { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' }));
    const error = await client.call('UpdateItem', {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DynamoDbCallError);
    expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', statusCode: 400, retryable: false, message: 'The conditional request failed' });
    expect(table.received.length - before).toBe(3);
    expect(sdk.loads).toBe(0);
  });

  it('takes the SDK\'s resolution when the environment sets what the fast path does not model', async () => {
    const env = lambdaEnv({ AWS_USE_DUALSTACK_ENDPOINT: 'false' });
    process.env = env;
    const client = createDynamoDbHttpClient({ env });
    clients.push(client);
    expect(await client.call('GetItem', {})).toEqual(ITEM);
    expect(sdk.loads).toBe(1);
    expect(await verifySigV4(table.received.at(-1)!, { region: 'eu-west-1', service: 'dynamodb', credentials: [ROLE] })).toMatchObject({ valid: true });
  });
});
