/**
 * The official `portkey-ai` SDK (v3) against the local gateway: its `config` option travels as
 * `x-portkey-config` (JSON), `Authorization` as the provider key. Fallback, headers and
 * streaming must work as they do against Portkey's hosted gateway.
 */
import { Portkey } from 'portkey-ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, sse, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { startGateway, type RunningGateway } from '../support/start-gateway.ts';
import { OPENAI_COMPLETION, openAIChunk } from '../fakes/openai-samples.ts';

describe('the portkey-ai SDK through the local gateway', () => {
  let gateway: RunningGateway;
  let primary: FakeUpstream;
  let backup: FakeUpstream;

  beforeAll(async () => {
    [primary, backup, gateway] = await Promise.all([startFakeUpstream(), startFakeUpstream(), startGateway()]);
  });
  afterAll(async () => {
    await Promise.all([gateway?.close(), primary?.close(), backup?.close()]);
  });
  beforeEach(() => {
    primary.received.length = 0;
    backup.received.length = 0;
  });

  const client = () =>
    new Portkey({
      apiKey: 'portkey-key-ignored-locally',
      baseURL: gateway.baseURL,
      Authorization: 'Bearer sk-caller-key',
      traceID: 'trace-portkey-sdk',
      // camelCase, as the SDK's own examples write configs.
      config: {
        strategy: { mode: 'fallback', onStatusCodes: [500, 503] },
        retry: { attempts: 0 },
        targets: [
          { provider: 'openai', customHost: `${primary.url}/v1`, overrideParams: { model: 'gpt-3.5-turbo-instruct' } },
          { provider: 'openai', customHost: `${backup.url}/v1`, overrideParams: { model: 'davinci-002' } },
        ],
      },
    });

  it('falls back per its config option and reports the routing headers', async () => {
    primary.enqueue(json(503, { error: { message: 'The engine is currently overloaded', type: 'server_error' } }));
    backup.enqueue(json(200, OPENAI_COMPLETION));
    const portkey = client();
    const completion = await portkey.completions.create({ model: 'any', prompt: 'Say this is a test', max_tokens: 7 });

    expect(completion.choices[0]!.text).toBe('\n\nThis is indeed a test');
    expect(completion.usage).toEqual(OPENAI_COMPLETION.usage);
    expect(backup.received[0]!.headers.authorization).toBe('Bearer sk-caller-key');
    expect(backup.received[0]!.body).toMatchObject({ model: 'davinci-002', max_tokens: 7 });
    expect(primary.received[0]!.body).toMatchObject({ model: 'gpt-3.5-turbo-instruct' });
    // The SDK hands back the x-portkey-* response headers without their prefix.
    const headers = completion.getHeaders?.() ?? {};
    expect(headers['last-used-option-index']).toBe('config.targets[1]');
    expect(headers['retry-attempt-count']).toBe('0');
    expect(headers['trace-id']).toBe('trace-portkey-sdk');
    expect(headers['provider']).toBe('openai');
  });

  it('streams through the chosen target', async () => {
    primary.enqueue(sse([openAIChunk('This', null), openAIChunk(' is a test', 'stop')]));
    const stream = await client().completions.create({ model: 'any', prompt: 'Say this is a test', stream: true });
    const texts: string[] = [];
    for await (const part of stream) texts.push(part.choices[0]?.text ?? '');
    expect(texts.join('')).toBe('This is a test');
    expect(primary.received[0]!.body).toMatchObject({ stream: true, model: 'gpt-3.5-turbo-instruct' });
  });

  it('surfaces an upstream error the config does not fall back on', async () => {
    primary.enqueue(json(401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }));
    const error = (await client()
      .completions.create({ model: 'any', prompt: 'x' })
      .catch((caught: unknown) => caught)) as { status?: number; message?: string };
    expect(error.status).toBe(401);
    expect(error.message).toContain('Incorrect API key provided');
    expect(backup.received).toHaveLength(0);
  });
});
