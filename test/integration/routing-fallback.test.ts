/**
 * Fallback through the real handler on loopback: which upstream answers, what each received,
 * and the routing headers (DESIGN.md → Contracts → Headers written).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, sse, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { startGateway, type RunningGateway } from '../support/start-gateway.ts';
import { unreachablePort } from '../support/unreachable-port.ts';

const answer = (text: string) => ({
  id: 'cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7',
  object: 'text_completion',
  created: 1589478378,
  model: 'gpt-3.5-turbo-instruct',
  choices: [{ text, index: 0, logprobs: null, finish_reason: 'length' }],
  usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
});
const overloaded = json(503, { error: { message: 'The engine is currently overloaded', type: 'server_error' } });
const serverError = json(500, { error: { message: 'The server had an error while processing your request.', type: 'server_error' } });

describe('fallback routing through the local gateway', () => {
  let gateway: RunningGateway;
  let primary: FakeUpstream;
  let backup: FakeUpstream;
  let closedPort: number;

  beforeAll(async () => {
    [primary, backup, gateway] = await Promise.all([startFakeUpstream(), startFakeUpstream(), startGateway({ GATEWAY_RETRY_BASE_DELAY_MS: '10' })]);
    closedPort = await unreachablePort();
  });
  afterAll(async () => {
    await Promise.all([gateway?.close(), primary?.close(), backup?.close()]);
  });
  beforeEach(() => {
    primary.received.length = 0;
    backup.received.length = 0;
  });

  async function complete(config: unknown, options: { headers?: Record<string, string>; body?: Record<string, unknown> } = {}) {
    const response = await fetch(`${gateway.baseURL}/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer sk-caller-key',
        'x-portkey-config': JSON.stringify(config),
        ...options.headers,
      },
      body: JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7, ...options.body }),
    });
    return { response, text: await response.text() };
  }

  const twoTargets = (strategy: Record<string, unknown> = {}) => ({
    strategy: { mode: 'fallback', ...strategy },
    targets: [
      { provider: 'openai', custom_host: `${primary.url}/v1` },
      { provider: 'openai', custom_host: `${backup.url}/v1` },
    ],
  });

  it('moves on to the next target when the first answers 500, with the caller key for both', async () => {
    primary.enqueue(serverError);
    backup.enqueue(json(200, answer('from the backup')));
    const { response, text } = await complete(twoTargets());

    expect(response.status).toBe(200);
    expect(JSON.parse(text).choices[0].text).toBe('from the backup');
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
    expect(response.headers.get('x-portkey-provider')).toBe('openai');
    expect(response.headers.get('x-portkey-retry-attempt-count')).toBe('0');
    expect(response.headers.get('x-portkey-trace-id')).toBeTruthy();
    expect(primary.received).toHaveLength(1);
    expect(backup.received).toHaveLength(1);
    // A config without keys takes the key from Authorization.
    expect(primary.received[0]!.headers.authorization).toBe('Bearer sk-caller-key');
    expect(backup.received[0]!.headers.authorization).toBe('Bearer sk-caller-key');
  });

  it('answers with the first target when it succeeds, never touching the backup', async () => {
    primary.enqueue(json(200, answer('first')));
    const { response } = await complete(twoTargets());
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[0]');
    expect(backup.received).toHaveLength(0);
  });

  it('falls back only on the statuses in strategy.on_status_codes', async () => {
    primary.enqueue(serverError);
    const refused = await complete(twoTargets({ on_status_codes: [429, 503] }));
    expect(refused.response.status).toBe(500);
    expect(JSON.parse(refused.text).error).toMatchObject({ type: 'server_error', provider: 'openai' });
    expect(refused.response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[0]');
    expect(backup.received).toHaveLength(0);

    primary.enqueue(overloaded);
    backup.enqueue(json(200, answer('backup')));
    const moved = await complete(twoTargets({ on_status_codes: [429, 503] }));
    expect(moved.response.status).toBe(200);
    expect(backup.received).toHaveLength(1);
  });

  it('does not fall back on a client error of the request itself (a 400 from the gateway)', async () => {
    const { response, text } = await complete(twoTargets(), { body: { temperature: 7 } });
    expect(response.status).toBe(400);
    expect(JSON.parse(text).error.param).toBe('temperature');
    expect(primary.received).toHaveLength(0);
  });

  it('falls back when the first target refuses connections', async () => {
    backup.enqueue(json(200, answer('reachable')));
    const { response, text } = await complete({
      strategy: { mode: 'fallback' },
      targets: [{ provider: 'openai', custom_host: `http://127.0.0.1:${closedPort}/v1` }, { provider: 'openai', custom_host: `${backup.url}/v1` }],
    });
    expect(response.status).toBe(200);
    expect(JSON.parse(text).choices[0].text).toBe('reachable');
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
  });

  it('answers 502 naming the provider when the only target refuses connections, after retrying it', async () => {
    const { response, text } = await complete({ provider: 'openai', custom_host: `http://127.0.0.1:${closedPort}/v1`, retry: { attempts: 2 } });
    expect(response.status).toBe(502);
    const { error } = JSON.parse(text);
    expect(error).toMatchObject({ provider: 'openai', type: 'api_error' });
    expect(error.message).toContain('ECONNREFUSED');
    expect(response.headers.get('x-portkey-retry-attempt-count')).toBe('2');
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config');
    expect(response.headers.get('x-portkey-provider')).toBe('openai');
  });

  it('nests targets that inherit override_params, the provider header and forward headers from their parents', async () => {
    primary.enqueue(overloaded);
    backup.enqueue(json(200, answer('nested')));
    const { response } = await complete(
      {
        override_params: { model: 'parent-model', temperature: 0.5 },
        forwardHeaders: ['x-team'],
        strategy: { mode: 'fallback' },
        targets: [
          { customHost: `${primary.url}/v1`, overrideParams: { model: 'child-a' } },
          { strategy: { mode: 'single' }, override_params: { max_tokens: 3 }, targets: [{ custom_host: `${backup.url}/v1`, override_params: { model: 'child-b' } }] },
        ],
      },
      { headers: { 'x-portkey-provider': 'openai', 'x-team': 'search' } },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1].targets[0]');
    expect(primary.received[0]!.body).toMatchObject({ model: 'child-a', temperature: 0.5, max_tokens: 7 });
    expect(backup.received[0]!.body).toEqual({ model: 'child-b', prompt: 'Say this is a test', temperature: 0.5, max_tokens: 3 });
    expect(backup.received[0]!.headers['x-team']).toBe('search');
  });

  it('lets a target key override Authorization, and a header custom host serve as the default host', async () => {
    primary.enqueue(serverError);
    backup.enqueue(json(200, answer('own key')));
    const { response } = await complete(
      { strategy: { mode: 'fallback' }, targets: [{ provider: 'openai' }, { provider: 'openai', api_key: 'sk-backup-key', custom_host: `${backup.url}/v1` }] },
      { headers: { 'x-portkey-custom-host': `${primary.url}/v1` } },
    );
    expect(response.status).toBe(200);
    expect(primary.received[0]!.headers.authorization).toBe('Bearer sk-caller-key');
    expect(backup.received[0]!.headers.authorization).toBe('Bearer sk-backup-key');
  });

  it('falls back before the first byte of a stream', async () => {
    primary.enqueue(overloaded);
    backup.enqueue(
      sse([
        { ...answer('streamed'), usage: undefined, choices: [{ text: 'streamed', index: 0, logprobs: null, finish_reason: null }] },
        { ...answer(''), usage: undefined, choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }] },
      ]),
    );
    const { response, text } = await complete(twoTargets(), { body: { stream: true } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
    expect(text).toContain('"text":"streamed"');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('answers with the last target error when every target fails', async () => {
    primary.enqueue(serverError);
    backup.enqueue(overloaded);
    const { response, text } = await complete(twoTargets());
    expect(response.status).toBe(503);
    expect(JSON.parse(text).error.message).toContain('overloaded');
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
  });
});
