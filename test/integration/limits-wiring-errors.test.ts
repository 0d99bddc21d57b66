/**
 * Limits' trouble through the real handler: the counters' store down with
 * `GATEWAY_LIMITS_ON_STORE_ERROR` allow (served, logged, counted) and deny (503), a malformed
 * limits document (a 500 naming its source, and a log line, never "no limits") from the keys file
 * and from Secrets Manager, and a document read from Secrets Manager under the keys' cache.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { createLimitsSource } from '../../lib/keys/limits-source.ts';
import { createSecretsManagerReader } from '../../lib/keys/read-secrets-manager-secret.ts';
import { createLimitsDocumentLoader } from '../../lib/limits/load-limits-document.ts';
import { setLogSink } from '../../lib/log.ts';
import { dynaliteTable } from './limits-table.ts';
import { type FakeSecretsManager, startFakeSecretsManager } from '../fakes/fake-secrets-manager.ts';
import { json, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { OPENAI_COMPLETION } from '../fakes/openai-samples.ts';
import { TEST_TABLE } from '../support/dynalite.ts';
import { limitedGateway } from './limits-handler.ts';
import { unreachablePort } from '../support/unreachable-port.ts';

let upstream: FakeUpstream;
let secrets: FakeSecretsManager;
let deadEndpoint: string;

beforeAll(async () => {
  upstream = await startFakeUpstream(json(200, OPENAI_COMPLETION));
  secrets = await startFakeSecretsManager();
  deadEndpoint = `http://127.0.0.1:${await unreachablePort()}`;
});
afterAll(async () => {
  await upstream.close();
  await secrets.close();
});

const direct = () => ({ 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1`, authorization: 'Bearer sk-test' });
const PROMPT = { model: 'gpt-3.5-turbo-instruct', prompt: 'hi', max_tokens: 5 };
const RULES = { rules: [{ name: 'all', requests_per_minute: 100 }] };

afterEach(() => vi.unstubAllEnvs());

function captureLog(): { lines: Array<Record<string, unknown>>; restore: () => void } {
  vi.stubEnv('LOG_LEVEL', 'info');
  const lines: Array<Record<string, unknown>> = [];
  const restore = setLogSink((line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return { lines, restore };
}

describe('the counters store down', () => {
  const deadTable = () => dynaliteTable(deadEndpoint, { maxAttempts: 1 });

  test('allow (the default) serves the request, logs it and writes the LimitStoreErrors metric', async () => {
    const log = captureLog();
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      const gateway = limitedGateway({ limits: RULES }, { table: deadTable(), env: { GATEWAY_METRICS: 'emf' } });
      const answer = await gateway.send(PROMPT, { headers: direct() });
      expect(answer.status).toBe(200);
      expect(answer.headers['x-ratelimit-limit-requests']).toBeUndefined();
    } finally {
      process.stdout.write = write;
      log.restore();
    }
    expect(log.lines.find((line) => line.message === 'limits store unavailable')).toMatchObject({ level: 'warn', policy: 'allow' });
    const metric = written.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => 'LimitStoreErrors' in line);
    expect(metric).toMatchObject({ LimitStoreErrors: 1, _aws: { CloudWatchMetrics: [{ Namespace: 'LlmGateway', Metrics: [{ Name: 'LimitStoreErrors', Unit: 'Count' }] }] } });
  });

  test('deny answers 503 limits_unavailable with retry-after', async () => {
    const log = captureLog();
    try {
      const gateway = limitedGateway({ limits: RULES }, { table: deadTable(), env: { GATEWAY_LIMITS_ON_STORE_ERROR: 'deny' } });
      const answer = await gateway.send(PROMPT, { headers: direct() });
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe('1');
      expect(answer.json().error).toMatchObject({ code: 'limits_unavailable' });
    } finally {
      log.restore();
    }
  });
});

describe('a malformed limits document', () => {
  test('in the keys file is a 500 naming it, logged, for every request (never "no limits")', async () => {
    const log = captureLog();
    let gateway;
    try {
      gateway = limitedGateway({ limits: { rules: [{ name: 'typo', request_per_minute: 5 }] } }, { env: {} });
      for (let index = 0; index < 2; index++) {
        const answer = await gateway.send(PROMPT, { headers: direct() });
        expect(answer.status).toBe(500);
        expect(answer.json().error).toMatchObject({ type: 'api_error', code: 'invalid_limits_document' });
        expect(answer.json().error!.message).toContain(`The limits document ${gateway.keysFile} (limits) is invalid`);
      }
    } finally {
      log.restore();
    }
    // Logged once for the stored value, not once per request.
    expect(log.lines.filter((line) => line.message === 'limits document invalid')).toEqual([expect.objectContaining({ level: 'error', secret: `${gateway.keysFile} (limits)` })]);
  });

  test('in Secrets Manager is a 500 naming the secret; a fixed document is picked up after the TTL', async () => {
    let now = 1_000_000;
    const reader = createSecretsManagerReader({
      endpoint: secrets.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' },
    });
    const source = createLimitsSource({ source: 'secretsmanager', prefix: 'team-x/', ttlSeconds: 60, graceSeconds: 3600, cache: { now: () => now } }, { read: reader });
    const load = createLimitsDocumentLoader(source);
    secrets.put('team-x/limits', { rules: [{ name: 'a', requests_per_minute: '600' }] });
    const log = captureLog();
    try {
      await expect(load()).rejects.toMatchObject({ statusCode: 500, code: 'invalid_limits_document', message: expect.stringContaining('team-x/limits is invalid: rules[0].requests_per_minute') });
      secrets.put('team-x/limits', RULES);
      await expect(load()).rejects.toMatchObject({ statusCode: 500 }); // still the cached value
      now += 61_000;
      expect(await load()).toEqual(RULES);
      expect(secrets.calls.get('team-x/limits')).toBe(2);
    } finally {
      log.restore();
    }
  });

  test('no limits secret means no limits, and is not asked again on every request', async () => {
    const reader = createSecretsManagerReader({
      endpoint: secrets.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' },
    });
    const load = createLimitsDocumentLoader(createLimitsSource({ source: 'secretsmanager', prefix: 'team-none/', ttlSeconds: 60, graceSeconds: 3600 }, { read: reader }));
    expect(await load()).toBeUndefined();
    expect(await load()).toBeUndefined();
    expect(secrets.calls.get('team-none/limits')).toBe(1);
  });
});
