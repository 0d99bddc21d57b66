/**
 * The restructured core through a handler built with explicit dependencies (no environment):
 * the route outcome and its headers, the target-middleware seam, the request-finished point,
 * one cancellation from the edge, and the defects of issue #10 that live in routing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, sse, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { GatewayError } from '../../lib/api/errors.ts';
import { createCustomHostGuard } from '../../lib/config/custom-host-guard.ts';
import { createFileKeyStore } from '../../lib/keys/file-key-store.ts';
import { setLogSink } from '../../lib/log.ts';
import type { FinishedRequest } from '../../lib/request-finished.ts';
import type { TargetAttempt, TargetMiddleware } from '../../lib/routing/target-middleware.ts';
import { startGatewayWith, type RunningGateway } from '../support/start-gateway.ts';
import { describeUnresolvedName } from '../../lib/keys/unresolved-name.ts';

const answer = (text: string, extra: Record<string, unknown> = {}) => ({
  id: 'cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7',
  object: 'text_completion',
  created: 1589478378,
  choices: [{ text, index: 0, logprobs: null, finish_reason: 'length' }],
  usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
  ...extra,
});
const chunk = (text: string, extra: Record<string, unknown> = {}) => ({
  id: 'cmpl-stream',
  object: 'text_completion',
  created: 1589478378,
  choices: [{ text, index: 0, logprobs: null, finish_reason: null }],
  ...extra,
});

/** Waits for `condition`, at most `ms`. */
async function waitFor(condition: () => boolean, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!condition() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

describe('the route outcome, the seam and the edge, with explicit dependencies', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  const finished: FinishedRequest[] = [];
  const seen: TargetAttempt[] = [];
  const logLines: Array<Record<string, unknown>> = [];
  let restoreLog: () => void;

  /** Test-only middlewares: what usage, limits and the cache will plug in the same way. */
  const observe: TargetMiddleware = (next) => async (attempt) => {
    seen.push(attempt);
    attempt.setHeader('x-ratelimit-limit-requests', '600');
    return next(attempt);
  };
  const refuseOnPrompt: TargetMiddleware = (next) => async (attempt) => {
    if (attempt.call.params.prompt !== 'refuse me') return next(attempt);
    const refusal = new GatewayError('Rate limit reached for requests.', { statusCode: 429, type: 'requests', code: 'rate_limit_exceeded' });
    refusal.responseHeaders = { 'retry-after': '7' };
    throw refusal;
  };
  const shortCircuit: TargetMiddleware = (next) => async (attempt) => {
    if (attempt.call.params.prompt !== 'stored answer') return next(attempt);
    attempt.setHeader('x-portkey-cache-status', 'HIT');
    return { kind: 'response', part: { choices: [{ index: 0, text: 'from the store', logprobs: null, finish_reason: 'stop' }] }, warnings: [] };
  };

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'info';
    restoreLog = setLogSink((line) => logLines.push(JSON.parse(line) as Record<string, unknown>));
    upstream = await startFakeUpstream();
    const keyStore = createFileKeyStore({
      virtual_keys: { 'openai-prod': { provider: 'openai', api_key: 'sk-prod-0000', custom_host: `${upstream.url}/v1` } },
      configs: {
        'deleted-first': { strategy: { mode: 'fallback' }, targets: [{ virtual_key: 'deleted-key' }, { virtual_key: 'openai-prod' }] },
      },
    });
    gateway = await startGatewayWith({
      customHostGuard: createCustomHostGuard('loopback', { defaultAllowed: '' }),
      keyStore,
      routing: { retryBaseDelayMs: 20_000, retryMaxDelayMs: 20_000, random: () => 0.99 },
      middlewares: [observe, refuseOnPrompt, shortCircuit],
      onRequestFinished: (request) => finished.push(request),
    });
  });
  afterAll(async () => {
    restoreLog?.();
    await gateway?.close();
    await upstream?.close();
  });
  beforeEach(() => {
    upstream.received.length = 0;
    finished.length = 0;
    seen.length = 0;
    logLines.length = 0;
  });

  async function complete(body: Record<string, unknown>, headers: Record<string, string> = {}, signal?: AbortSignal) {
    const response = await fetch(`${gateway.baseURL}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-caller', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1`, ...headers },
      body: JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7, ...body }),
      ...(signal ? { signal } : {}),
    });
    return { response, text: await response.text() };
  }

  it('answers with the model sent upstream when override_params replaces it and the provider names none', async () => {
    upstream.enqueue(json(200, answer('ok')));
    const config = { provider: 'openai', custom_host: `${upstream.url}/v1`, override_params: { model: 'gpt-override' } };
    const { response, text } = await complete({}, { 'x-portkey-config': JSON.stringify(config) });
    expect(response.status).toBe(200);
    expect((upstream.received[0]!.body as { model: string }).model).toBe('gpt-override');
    expect(JSON.parse(text).model).toBe('gpt-override');

    upstream.enqueue(json(200, answer('ok', { model: 'gpt-upstream-named' })));
    const named = await complete({}, { 'x-portkey-config': JSON.stringify(config) });
    expect(JSON.parse(named.text).model).toBe('gpt-upstream-named');
  });

  it('streams with the model sent upstream too', async () => {
    upstream.enqueue(sse([chunk('a'), chunk('b')]));
    const config = { provider: 'openai', custom_host: `${upstream.url}/v1`, override_params: { model: 'gpt-override' } };
    const { text } = await complete({ stream: true }, { 'x-portkey-config': JSON.stringify(config) });
    const models = text.split('\n\n').filter((event) => event.startsWith('data: {')).map((event) => JSON.parse(event.slice(6)).model);
    expect(models).toEqual(['gpt-override', 'gpt-override']);
  });

  it('refuses the semantic cache with a 400 instead of ignoring it, in the header and in a config', async () => {
    const header = await complete({}, { 'x-portkey-cache': 'semantic' });
    expect(header.response.status).toBe(400);
    expect(JSON.parse(header.text).error).toMatchObject({ param: 'x-portkey-cache', code: 'unsupported_cache_mode' });
    expect(header.response.headers.get('x-portkey-cache-status')).toBe('DISABLED');
    const unknown = await complete({}, { 'x-portkey-cache': 'sometimes' });
    expect(JSON.parse(unknown.text).error).toMatchObject({ param: 'x-portkey-cache', code: 'invalid_cache_mode' });
    const config = await complete({}, { 'x-portkey-config': JSON.stringify({ provider: 'openai', cache: { mode: 'semantic', max_age: 60 } }) });
    expect(config.response.status).toBe(400);
    expect(JSON.parse(config.text).error.message).toContain('config.cache.mode: the semantic cache is not supported');
    expect(upstream.received).toHaveLength(0);
  });

  it('falls back past a target whose virtual key is gone, answering from the next, and logs it', async () => {
    upstream.enqueue(json(200, answer('from openai-prod')));
    const { response, text } = await complete({}, { 'x-portkey-config': 'deleted-first' });
    expect(response.status).toBe(200);
    expect(JSON.parse(text).choices[0].text).toBe('from openai-prod');
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
    expect(upstream.received[0]!.headers.authorization).toBe('Bearer sk-prod-0000');
    expect(logLines).toContainEqual(expect.objectContaining({ message: 'falling back', failed: 'config.targets[0]', next: 'config.targets[1]', statusCode: 404 }));
    expect(finished[0]!.outcome).toMatchObject({ storedConfig: 'deleted-first', attempts: [{ virtualKey: describeUnresolvedName('deleted-key') }, { virtualKey: 'openai-prod', provider: 'openai' }] });
  });

  it('still answers a request-level 400 at once', async () => {
    const { response, text } = await complete({ temperature: 7 }, { 'x-portkey-config': 'deleted-first' });
    expect(response.status).toBe(400);
    expect(JSON.parse(text).error.param).toBe('temperature');
    expect(upstream.received).toHaveLength(0);
  });

  it('runs every try through the middlewares, with the effective request, and writes their headers on success and error', async () => {
    upstream.enqueue(json(200, answer('ok')));
    const config = { provider: 'openai', custom_host: `${upstream.url}/v1`, override_params: { max_tokens: 3 } };
    const ok = await complete({}, { 'x-portkey-config': JSON.stringify(config) });
    expect(ok.response.headers.get('x-ratelimit-limit-requests')).toBe('600');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ path: 'config', retry: 0, virtualKey: undefined, call: { params: { max_tokens: 3 }, stream: false } });
    expect(seen[0]!.provider.name).toBe('openai');

    upstream.enqueue(json(401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }));
    const failed = await complete({});
    expect(failed.response.status).toBe(401);
    expect(failed.response.headers.get('x-ratelimit-limit-requests')).toBe('600');
    expect(failed.response.headers.get('x-portkey-retry-attempt-count')).toBe('0');
  });

  it('lets a middleware short-circuit without an upstream call', async () => {
    const { response, text } = await complete({ prompt: 'stored answer' });
    expect(response.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ model: 'gpt-3.5-turbo-instruct', choices: [{ text: 'from the store' }] });
    expect(response.headers.get('x-portkey-cache-status')).toBe('HIT');
    expect(upstream.received).toHaveLength(0);
  });

  it('lets a middleware refuse with a 429 that carries its headers, and does not fall back from it', async () => {
    const config = { strategy: { mode: 'fallback' }, targets: [{ provider: 'openai', custom_host: `${upstream.url}/v1` }, { provider: 'openai', custom_host: `${upstream.url}/v1` }] };
    const { response, text } = await complete({ prompt: 'refuse me' }, { 'x-portkey-config': JSON.stringify(config) });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[0]');
    expect(JSON.parse(text).error).toMatchObject({ code: 'rate_limit_exceeded' });
    expect(upstream.received).toHaveLength(0);
    expect(finished[0]).toMatchObject({ statusCode: 429, errorCode: 'rate_limit_exceeded' });
  });

  it('reports every request once it has finished: status, usage, stream, timings and the outcome', async () => {
    upstream.enqueue(json(200, answer('ok')));
    await complete({});
    upstream.enqueue(sse([chunk('a', { usage: null }), chunk('b', { choices: [], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } })]));
    await complete({ stream: true, stream_options: { include_usage: true } });
    await complete({ n: 0 });
    expect(await waitFor(() => finished.length === 3)).toBe(true);
    const [plain, streamed, refused] = finished;
    expect(plain).toMatchObject({ statusCode: 200, errorCode: null, stream: false, callerGone: false, usage: { total_tokens: 12 } });
    expect(plain!.outcome.attempts).toEqual([expect.objectContaining({ provider: 'openai', path: undefined, retries: 0 })]);
    expect(plain!.firstByteMs).toBeGreaterThan(0);
    expect(plain!.latencyMs).toBeGreaterThanOrEqual(plain!.firstByteMs!);
    expect(streamed).toMatchObject({ statusCode: 200, stream: true, usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } });
    expect(refused).toMatchObject({ statusCode: 400, stream: false, usage: undefined, outcome: { attempts: [] } });
  });

  it('reports the in-band error code of a stream that fails after its first byte', async () => {
    upstream.enqueue(sse([chunk('a'), { error: { message: 'The server had an error.', type: 'server_error', param: null, code: 'upstream_broke' } }], { done: false }));
    const { text } = await complete({ stream: true });
    expect(text).toContain('"error"');
    expect(await waitFor(() => finished.length === 1)).toBe(true);
    expect(finished[0]).toMatchObject({ statusCode: 200, stream: true });
    expect(finished[0]!.errorCode).toBe('upstream_broke');
  });

  it('aborts the upstream call of a non-streaming request when the caller goes away', async () => {
    let upstreamClosed = false;
    upstream.enqueue((_request, _response, raw) => {
      raw.socket.once('close', () => (upstreamClosed = true));
    });
    const caller = new AbortController();
    const pending = complete({}, {}, caller.signal).catch((error: unknown) => error);
    expect(await waitFor(() => upstream.received.length === 1)).toBe(true);
    caller.abort();
    await pending;
    expect(await waitFor(() => upstreamClosed)).toBe(true);
    expect(await waitFor(() => finished.length === 1)).toBe(true);
    expect(finished[0]).toMatchObject({ callerGone: true, statusCode: 499 });
  });

  it('stops retries and fallbacks when the caller goes away during a retry wait', async () => {
    upstream.enqueue(json(503, { error: { message: 'overloaded', type: 'server_error' } }));
    const config = {
      strategy: { mode: 'fallback' },
      targets: [
        { provider: 'openai', custom_host: `${upstream.url}/v1`, retry: { attempts: 3 } },
        { provider: 'openai', custom_host: `${upstream.url}/v1` },
      ],
    };
    const caller = new AbortController();
    const started = Date.now();
    const pending = complete({}, { 'x-portkey-config': JSON.stringify(config) }, caller.signal).catch((error: unknown) => error);
    expect(await waitFor(() => upstream.received.length === 1)).toBe(true);
    caller.abort();
    await pending;
    // The retry wait is ~20 s: the request ending long before shows the wait was cut.
    expect(await waitFor(() => finished.length === 1)).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(upstream.received).toHaveLength(1);
    expect(finished[0]).toMatchObject({ callerGone: true });
  });
});
