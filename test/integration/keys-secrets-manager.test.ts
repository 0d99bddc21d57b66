/**
 * Virtual keys end to end: the openai SDK → the local gateway (the real Middy handler) → a fake
 * OpenAI upstream, with keys read by the real Secrets Manager SDK client from a loopback fake
 * reached through AWS_ENDPOINT_URL_SECRETS_MANAGER. The TTL is 2 s here so expiry can be seen.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setLogSink } from '../../lib/log.ts';
import { json, sse, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { fakeAwsEnv, startFakeSecretsManager, type FakeSecretsManager } from '../fakes/fake-secrets-manager.ts';
import { startGateway, type RunningGateway } from '../support/start-gateway.ts';
import { OPENAI_COMPLETION } from '../fakes/openai-samples.ts';
import { describeUnresolvedName } from '../../lib/keys/unresolved-name.ts';

const STORED_KEY = 'sk-proj-STORED-b1946ac92492d2347c6235b4d2611184';

describe('virtual keys from Secrets Manager, end to end', () => {
  let secrets: FakeSecretsManager;
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  const logs: string[] = [];
  let restoreLog: () => void;

  /** A client that names a virtual key and sends no real provider key (the SDK insists on one). */
  const clientFor = (virtualKey: string, headers: Record<string, string> = {}) =>
    new OpenAI({ apiKey: 'not-a-provider-key', baseURL: gateway.baseURL, maxRetries: 0, defaultHeaders: { 'x-portkey-virtual-key': virtualKey, ...headers } });

  const storeKey = (name: string, extra: Record<string, unknown> = {}) =>
    secrets.put(`llm-gateway/${name}`, { provider: 'openai', api_key: STORED_KEY, custom_host: `${upstream.url}/v1`, ...extra });

  beforeAll(async () => {
    secrets = await startFakeSecretsManager();
    upstream = await startFakeUpstream(json(200, OPENAI_COMPLETION));
    process.env.LOG_LEVEL = 'info';
    restoreLog = setLogSink((line) => logs.push(line));
    gateway = await startGateway({
      ...fakeAwsEnv(secrets),
      GATEWAY_KEY_SOURCE: 'secretsmanager',
      GATEWAY_SECRETS_TTL_SECONDS: '2',
      // No custom host is allowed to callers: the stored one must pass as trusted.
      GATEWAY_ALLOWED_CUSTOM_HOSTS: 'allowed.invalid',
    });
  });
  afterAll(async () => {
    restoreLog?.();
    await gateway?.close();
    await upstream?.close();
    await secrets?.close();
  });
  beforeEach(() => {
    secrets.outage = null;
    secrets.delayMs = 0;
  });

  it('sends the stored key to the stored host, whatever Authorization the caller sent', async () => {
    storeKey('e2e');
    const { data, response } = await clientFor('e2e')
      .completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7 }, { headers: { 'x-portkey-trace-id': 'trace-vk-1' } })
      .withResponse();
    expect(data.choices[0]!.text).toBe(OPENAI_COMPLETION.choices[0]!.text);
    expect(response.headers.get('x-portkey-provider')).toBe('openai');
    const sent = upstream.received.at(-1)!;
    expect(sent.path).toBe('/v1/completions');
    expect(sent.headers.authorization).toBe(`Bearer ${STORED_KEY}`);
    expect(secrets.calls.get('llm-gateway/e2e')).toBe(1);
    const used = logs.map((line) => JSON.parse(line)).find((line) => line.message === 'virtual key used' && line.traceId === 'trace-vk-1');
    expect(used).toMatchObject({ virtualKey: 'e2e', provider: 'openai', callerArn: null });
  });

  it('makes one Secrets Manager call for many concurrent requests', async () => {
    storeKey('concurrent');
    secrets.delayMs = 100;
    const client = clientFor('concurrent');
    const results = await Promise.all(Array.from({ length: 30 }, () => client.completions.create({ model: 'm', prompt: 'x' })));
    expect(results).toHaveLength(30);
    expect(secrets.calls.get('llm-gateway/concurrent')).toBe(1);
  });

  it('refetches once when the TTL has passed', async () => {
    storeKey('ttl');
    const client = clientFor('ttl');
    await client.completions.create({ model: 'm', prompt: 'x' });
    await client.completions.create({ model: 'm', prompt: 'x' });
    expect(secrets.calls.get('llm-gateway/ttl')).toBe(1);
    storeKey('ttl', { api_key: 'sk-rotated-key' });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await Promise.all(Array.from({ length: 10 }, () => client.completions.create({ model: 'm', prompt: 'x' })));
    expect(secrets.calls.get('llm-gateway/ttl')).toBe(2);
    expect(upstream.received.at(-1)!.headers.authorization).toBe('Bearer sk-rotated-key');
  });

  it('keeps serving a key fetched before when Secrets Manager goes down', async () => {
    storeKey('outage');
    const client = clientFor('outage');
    await client.completions.create({ model: 'm', prompt: 'x' });
    secrets.outage = 'internal';
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    for (let request = 0; request < 5; request++) {
      const completion = await client.completions.create({ model: 'm', prompt: 'x' });
      expect(completion.choices[0]!.text).toBe(OPENAI_COMPLETION.choices[0]!.text);
    }
    expect(upstream.received.at(-1)!.headers.authorization).toBe(`Bearer ${STORED_KEY}`);
    expect(logs.some((line) => line.includes('serving the cached value') && line.includes('llm-gateway/outage'))).toBe(true);
  });

  it('answers 503 when Secrets Manager is down and the key was never read', async () => {
    storeKey('cold');
    secrets.outage = 'throttling';
    const error = await clientFor('cold').completions.create({ model: 'm', prompt: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ type: 'api_error', code: 'key_store_unavailable' });
  });

  it('answers 404 in the OpenAI shape for an unknown virtual key', async () => {
    const error = await clientFor('no-such-key').completions.create({ model: 'm', prompt: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toEqual({
      // A name that never resolved may be a pasted provider key: shown only by prefix and fingerprint.
      message: `Unknown virtual key "${describeUnresolvedName('no-such-key')}".`,
      type: 'invalid_request_error',
      param: null,
      code: 'virtual_key_not_found',
    });
  });

  it('answers 403 when Secrets Manager denies the gateway the secret', async () => {
    storeKey('denied');
    secrets.deny('llm-gateway/denied');
    const error = await clientFor('denied').completions.create({ model: 'm', prompt: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ type: 'permission_error', code: 'virtual_key_access_denied' });
  });

  it('answers 500 naming the secret when it is not a valid virtual key', async () => {
    secrets.put('llm-gateway/broken', { provider: 'openai', key: STORED_KEY });
    const error = await clientFor('broken').completions.create({ model: 'm', prompt: 'x' }).catch((caught: unknown) => caught);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('llm-gateway/broken');
  });

  it('refuses with 400 a caller host for a stored key, and the guard still refuses caller hosts', async () => {
    storeKey('redirect');
    const before = upstream.received.length;
    const error = await clientFor('redirect', { 'x-portkey-custom-host': 'http://127.0.0.1:9/v1' })
      .completions.create({ model: 'm', prompt: 'x' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ code: 'virtual_key_host_override' });
    const own = new OpenAI({ apiKey: 'sk-own', baseURL: gateway.baseURL, maxRetries: 0, defaultHeaders: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` } });
    await expect(own.completions.create({ model: 'm', prompt: 'x' })).rejects.toMatchObject({ status: 400, error: { code: 'custom_host_not_allowed' } });
    expect(upstream.received.length).toBe(before);
  });

  it('streams with a virtual key', async () => {
    storeKey('stream');
    upstream.enqueue(sse([{ ...OPENAI_COMPLETION, choices: [{ text: 'streamed', index: 0, logprobs: null, finish_reason: 'stop' }] }]));
    const stream = await clientFor('stream').completions.create({ model: 'm', prompt: 'x', stream: true });
    let text = '';
    for await (const part of stream) text += part.choices[0]?.text ?? '';
    expect(text).toBe('streamed');
    expect(upstream.received.at(-1)!.headers.authorization).toBe(`Bearer ${STORED_KEY}`);
  });

  it('never shows the stored key in any log line or response of the run', async () => {
    // Runs last: every test above used STORED_KEY; add the error paths that render messages.
    const bodies: string[] = [];
    const record = async (virtualKey: string, init: { stream?: boolean; custom_host?: string } = {}) => {
      const response = await fetch(`${gateway.baseURL}/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-portkey-virtual-key': virtualKey,
          authorization: 'Bearer not-a-provider-key',
          ...(init.custom_host ? { 'x-portkey-custom-host': init.custom_host } : {}),
        },
        body: JSON.stringify({ model: 'm', prompt: 'x', stream: init.stream ?? false }),
      });
      bodies.push(JSON.stringify([...response.headers]), await response.text());
    };
    upstream.enqueue(json(401, { error: { message: 'Incorrect API key provided: sk-proj-***1184.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }));
    await record('e2e');
    await record('e2e', { stream: true });
    await record('redirect', { custom_host: 'https://attacker.example/v1' });
    await record('broken');
    await record('denied');
    await record('no-such-key');
    secrets.outage = 'drop';
    await record('cold');

    expect(bodies.length).toBe(14);
    expect(logs.length).toBeGreaterThan(20);
    for (const text of [...bodies, ...logs]) expect(text).not.toContain(STORED_KEY);
    // The secret was really used in this run, so the assertion above could have failed.
    expect(upstream.received.some((request) => request.headers.authorization === `Bearer ${STORED_KEY}`)).toBe(true);
  });
});
