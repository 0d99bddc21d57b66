/**
 * The Secrets Manager key store with the real SDK client against a loopback Secrets Manager,
 * reached only through AWS_ENDPOINT_URL_SECRETS_MANAGER. Time is moved by an injected clock.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthenticationError, GatewayError } from '../api/errors.ts';
import { setLogSink } from '../log.ts';
import { fakeAwsEnv, startFakeSecretsManager, type FakeSecretsManager } from '../../test/fakes/fake-secrets-manager.ts';
import { KeyStoreUnavailableError } from './key-errors.ts';
import { prepareStoredKeySchemas } from './parse-stored-key.ts';
import type { KeyStore } from './key-store.ts';
import { createSecretsManagerKeyStore } from './secrets-manager-key-store.ts';
import { describeUnresolvedName } from './unresolved-name.ts';

// The real preparation, watched: when it runs, relative to the read it is meant to overlap.
vi.mock('./parse-stored-key.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./parse-stored-key.ts')>();
  return { ...actual, prepareStoredKeySchemas: vi.fn(actual.prepareStoredKeySchemas) };
});

const OPENAI_SECRET = { provider: 'openai', api_key: 'sk-stored-0123456789' };
const ANYONE = { userArn: null, accountId: null };

describe('the Secrets Manager key store', () => {
  let fake: FakeSecretsManager;
  let now: number;
  let logs: string[];
  let restoreLog: () => void;
  const saved = { ...process.env };

  beforeAll(async () => {
    fake = await startFakeSecretsManager();
    Object.assign(process.env, fakeAwsEnv(fake), { LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    process.env = saved;
    await fake?.close();
  });
  beforeEach(() => {
    now = Date.parse('2026-01-01T00:00:00Z');
    fake.calls.clear();
    fake.outage = null;
    fake.delayMs = 0;
    logs = [];
    restoreLog = setLogSink((line) => logs.push(line));
  });
  afterEach(() => restoreLog());

  function store(options: { prefix?: string } = {}): KeyStore {
    return createSecretsManagerKeyStore({ ...options, cache: { now: () => now } });
  }

  it('reads the secret named by the prefix and the virtual key, through the JSON 1.1 protocol', async () => {
    fake.put('llm-gateway/openai-prod', OPENAI_SECRET);
    expect(await store().getVirtualKey('openai-prod', ANYONE)).toEqual(OPENAI_SECRET);
    expect(fake.requests.at(-1)).toEqual({
      target: 'secretsmanager.GetSecretValue',
      contentType: 'application/x-amz-json-1.1',
      signed: true,
      secretId: 'llm-gateway/openai-prod',
    });
  });

  it('uses a configured prefix', async () => {
    fake.put('team-a/keys/openai', OPENAI_SECRET);
    expect(await store({ prefix: 'team-a/keys/' }).getVirtualKey('openai', ANYONE)).toMatchObject({ provider: 'openai' });
    expect(fake.calls.get('team-a/keys/openai')).toBe(1);
  });

  it('makes one call for many concurrent misses', async () => {
    fake.put('llm-gateway/concurrent', OPENAI_SECRET);
    fake.delayMs = 50;
    const keys = store();
    const results = await Promise.all(Array.from({ length: 50 }, () => keys.getVirtualKey('concurrent', ANYONE)));
    expect(results.every((result) => result.api_key === OPENAI_SECRET.api_key)).toBe(true);
    expect(fake.calls.get('llm-gateway/concurrent')).toBe(1);
  });

  it('serves from the cache until the TTL passes, then refetches once', async () => {
    fake.put('llm-gateway/ttl', OPENAI_SECRET);
    const keys = store();
    await keys.getVirtualKey('ttl', ANYONE);
    now += 299_000;
    await keys.getVirtualKey('ttl', ANYONE);
    expect(fake.calls.get('llm-gateway/ttl')).toBe(1);

    fake.put('llm-gateway/ttl', { ...OPENAI_SECRET, api_key: 'sk-rotated' });
    now += 2_000;
    const refreshed = await Promise.all(Array.from({ length: 10 }, () => keys.getVirtualKey('ttl', ANYONE)));
    expect(refreshed.map((target) => target.api_key)).toEqual(Array(10).fill('sk-rotated'));
    expect(fake.calls.get('llm-gateway/ttl')).toBe(2);
  });

  for (const outage of ['throttling', 'internal', 'unavailable', 'drop'] as const) {
    it(`keeps serving a value fetched before when Secrets Manager fails (${outage})`, async () => {
      fake.put('llm-gateway/outage', OPENAI_SECRET);
      const keys = store();
      await keys.getVirtualKey('outage', ANYONE);
      fake.outage = outage;
      now += 301_000;
      expect((await keys.getVirtualKey('outage', ANYONE)).api_key).toBe(OPENAI_SECRET.api_key);
      const failedCalls = fake.calls.get('llm-gateway/outage')!;
      // Left alone for a while: an outage does not add a failing call to every request.
      for (let request = 0; request < 20; request++) await keys.getVirtualKey('outage', ANYONE);
      expect(fake.calls.get('llm-gateway/outage')).toBe(failedCalls);
      expect(logs.some((line) => JSON.parse(line).message === 'secret refresh failed; serving the cached value')).toBe(true);

      fake.outage = null;
      now += 11_000;
      await keys.getVirtualKey('outage', ANYONE);
      expect(fake.calls.get('llm-gateway/outage')).toBe(failedCalls + 1);
    });
  }

  it('stops serving an old value after the grace period, with 503', async () => {
    fake.put('llm-gateway/grace', OPENAI_SECRET);
    const keys = store();
    await keys.getVirtualKey('grace', ANYONE);
    fake.outage = 'internal';
    now += 300_000 + 3_600_000 + 1;
    const error = await keys.getVirtualKey('grace', ANYONE).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeyStoreUnavailableError);
    expect((error as GatewayError).statusCode).toBe(503);
    expect((error as GatewayError).type).toBe('api_error');
  });

  it('answers 503 when Secrets Manager is down and nothing is cached', async () => {
    fake.put('llm-gateway/cold', OPENAI_SECRET);
    fake.outage = 'throttling';
    const error = await store().getVirtualKey('cold', ANYONE).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeyStoreUnavailableError);
    expect((error as GatewayError).message).toBe(`The virtual key "${describeUnresolvedName('cold')}" cannot be read right now; try again shortly.`);
    expect(logs.some((line) => line.includes('"secret read failed"') && line.includes('llm-gateway/cold'))).toBe(true);
  });

  it('answers 404 for an unknown virtual key and remembers that briefly', async () => {
    const keys = store();
    const error = await keys.getVirtualKey('nope', ANYONE).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as GatewayError).statusCode).toBe(404);
    expect((error as GatewayError).code).toBe('virtual_key_not_found');
    await expect(keys.getVirtualKey('nope', ANYONE)).rejects.toMatchObject({ statusCode: 404 });
    expect(fake.calls.get('llm-gateway/nope')).toBe(1);
    now += 31_000;
    fake.put('llm-gateway/nope', OPENAI_SECRET);
    expect(await keys.getVirtualKey('nope', ANYONE)).toMatchObject({ provider: 'openai' });
  });

  it('stops serving a key whose secret was deleted, once its TTL passes', async () => {
    fake.put('llm-gateway/deleted', OPENAI_SECRET);
    const keys = store();
    await keys.getVirtualKey('deleted', ANYONE);
    fake.remove('llm-gateway/deleted');
    now += 301_000;
    await expect(keys.getVirtualKey('deleted', ANYONE)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('answers 404 without a call for names that cannot be secrets of this kind', async () => {
    const keys = store();
    for (const name of ['configs/prod', 'a b', 'x'.repeat(201), '']) {
      await expect(keys.getVirtualKey(name, ANYONE)).rejects.toMatchObject({ statusCode: 404 });
    }
    expect(fake.totalCalls()).toBe(0);
  });

  it('answers 403 when Secrets Manager denies the read', async () => {
    fake.put('llm-gateway/forbidden', OPENAI_SECRET);
    fake.deny('llm-gateway/forbidden');
    const error = await store().getVirtualKey('forbidden', ANYONE).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ statusCode: 403, type: 'permission_error', code: 'virtual_key_access_denied' });
  });

  it('answers 500 naming the secret, not its value, when the secret is not the expected JSON', async () => {
    fake.put('llm-gateway/not-json', 'sk-plain-text-key-0000');
    fake.put('llm-gateway/wrong-shape', { provider: 'openai', apiKey: 'sk-camel-0000', request_timeout: 'soon' });
    const keys = store();
    const notJson = (await keys.getVirtualKey('not-json', ANYONE).catch((caught: unknown) => caught)) as GatewayError;
    expect(notJson.statusCode).toBe(500);
    expect(notJson.message).toBe('The secret llm-gateway/not-json is not JSON; store a JSON object.');
    const wrongShape = (await keys.getVirtualKey('wrong-shape', ANYONE).catch((caught: unknown) => caught)) as GatewayError;
    expect(wrongShape).toMatchObject({ statusCode: 500, code: 'invalid_stored_key' });
    expect(wrongShape.message).toContain('llm-gateway/wrong-shape');
    expect(wrongShape.message).toContain('request_timeout');
    expect(wrongShape.message).toContain('apiKey');
    for (const text of [notJson.message, wrongShape.message, ...logs]) {
      expect(text).not.toContain('sk-plain-text-key-0000');
      expect(text).not.toContain('sk-camel-0000');
    }
  });

  it('lets only the listed principals use a key that lists them', async () => {
    fake.put('llm-gateway/team-a', { ...OPENAI_SECRET, allowed_principals: ['arn:aws:iam::111122223333:role/team-a-*', '444455556666'] });
    const keys = store();
    const teamA = { userArn: 'arn:aws:sts::111122223333:assumed-role/team-a-app/session-1', accountId: '111122223333' };
    const partner = { userArn: 'arn:aws:iam::444455556666:user/alice', accountId: '444455556666' };
    const other = { userArn: 'arn:aws:sts::111122223333:assumed-role/team-b-app/session-1', accountId: '111122223333' };
    expect(await keys.getVirtualKey('team-a', teamA)).toEqual(OPENAI_SECRET);
    expect(await keys.getVirtualKey('team-a', partner)).toEqual(OPENAI_SECRET);
    await expect(keys.getVirtualKey('team-a', other)).rejects.toMatchObject({ statusCode: 403, code: 'virtual_key_not_allowed' });
    await expect(keys.getVirtualKey('team-a', ANYONE)).rejects.toMatchObject({ statusCode: 403 });
    expect(fake.calls.get('llm-gateway/team-a')).toBe(1);
  });

  it('reads a stored config from configs/<id>, without its allowed_principals', async () => {
    const config = { strategy: { mode: 'fallback' }, targets: [{ virtual_key: 'a' }, { virtual_key: 'b' }] };
    fake.put('llm-gateway/configs/fallback', { ...config, allowed_principals: ['111122223333'] });
    const keys = store();
    expect(await keys.getConfig('fallback', { userArn: null, accountId: '111122223333' })).toEqual(config);
    await expect(keys.getConfig('fallback', ANYONE)).rejects.toMatchObject({ statusCode: 403, code: 'config_not_allowed' });
    await expect(keys.getConfig('missing', ANYONE)).rejects.toMatchObject({ statusCode: 404, code: 'config_not_found' });
    fake.put('llm-gateway/configs/list', [1, 2]);
    await expect(keys.getConfig('list', ANYONE)).rejects.toMatchObject({ statusCode: 500, message: expect.stringContaining('llm-gateway/configs/list') });
  });

  it("builds the stored value's schemas while its first read is in flight, and only for the first", async () => {
    vi.mocked(prepareStoredKeySchemas).mockClear();
    fake.put('llm-gateway/openai-prod', OPENAI_SECRET);
    fake.put('llm-gateway/openai-dev', OPENAI_SECRET);
    fake.delayMs = 300;
    const keys = store();
    let answered = false;
    const reading = keys.getVirtualKey('openai-prod', ANYONE).then((key) => ((answered = true), key));
    await vi.waitFor(() => expect(prepareStoredKeySchemas).toHaveBeenCalledTimes(1), { timeout: 250, interval: 5 });
    expect(fake.calls.get('llm-gateway/openai-prod')).toBe(1);
    expect(answered).toBe(false);
    expect(await reading).toEqual(OPENAI_SECRET);
    fake.delayMs = 0;
    expect(await keys.getVirtualKey('openai-dev', ANYONE)).toEqual(OPENAI_SECRET);
    expect(prepareStoredKeySchemas).toHaveBeenCalledTimes(1);
  });

  it('makes one call per secret per TTL window: 1,000 requests over an hour cost 12 calls', async () => {
    fake.put('llm-gateway/measured', OPENAI_SECRET);
    const keys = store();
    for (let request = 0; request < 1_000; request++) {
      await keys.getVirtualKey('measured', ANYONE);
      now += 3_600; // 1,000 requests spread evenly over one hour.
    }
    expect(fake.calls.get('llm-gateway/measured')).toBe(12);
  });
});
