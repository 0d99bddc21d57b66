/**
 * The usage record through the real handler, the local server and the openai SDK: exactly one
 * `"message":"request"` line per request with every field of DESIGN.md, and its EMF line, for a
 * JSON answer, streams with and without the caller's include_usage, fan-out, a fallback, an
 * in-band stream error, a caller who leaves mid-stream, refusals, and `pricing` overrides.
 * Every line logged over the run is captured: none holds a prompt or a key.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, sse, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { GatewayError } from '../../lib/api/errors.ts';
import { createCustomHostGuard } from '../../lib/config/custom-host-guard.ts';
import { createFileKeyStore } from '../../lib/keys/file-key-store.ts';
import { setLogSink } from '../../lib/log.ts';
import type { TargetMiddleware } from '../../lib/routing/target-middleware.ts';
import { createUsageRecorder, startPriceTableLoad } from '../../lib/usage/create-usage-recorder.ts';
import { estimateTokens } from '../../lib/usage/estimate-tokens.ts';
import { lookUpTableCost } from '../../lib/usage/look-up-table-cost.ts';
import { readMetricsSettings } from '../../lib/usage/metrics-settings.ts';
import type { UsageRecord } from '../../lib/usage/usage-record.ts';
import { readJsonFixture } from '../support/provider-fixtures.ts';
import { startGatewayWith, type RunningGateway } from '../support/start-gateway.ts';
import { unreachablePort } from '../support/unreachable-port.ts';

const MODEL = 'gpt-3.5-turbo-instruct';
const CALLER_KEY = 'sk-caller-secret-4b1d';
const STORED_KEY = 'sk-stored-secret-9e2a';
const BROKEN_KEY = 'sk-broken-secret-7c3f';
/** Every prompt of the run contains this: no log line may. */
const PROMPT_MARK = 'PROMPT-TEXT-q8z';
const prompt = (words: string) => `${PROMPT_MARK} ${words}`;
const PRICING = { prompt_usd_per_million_tokens: 1.5, completion_usd_per_million_tokens: 2 };

const answer = (text: string, usage = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 }) => ({
  id: 'cmpl-usage',
  object: 'text_completion',
  created: 1589478378,
  model: MODEL,
  choices: [{ text, index: 0, logprobs: null, finish_reason: 'length' }],
  usage,
});
const chunk = (text: string) => ({ id: 'cmpl-stream', object: 'text_completion', created: 1589478378, model: MODEL, choices: [{ text, index: 0, logprobs: null, finish_reason: null }] });
const usageChunk = (prompt_tokens: number, completion_tokens: number) => ({
  id: 'cmpl-stream',
  object: 'text_completion',
  created: 1589478378,
  model: MODEL,
  choices: [],
  usage: { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens },
});

async function waitFor(condition: () => boolean, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!condition() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

describe('the usage record of every request', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  let client: OpenAI;
  /** Every line written over the run, as written. */
  const lines: string[] = [];
  const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.message === 'request') as unknown as UsageRecord[];
  const emfLines = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => '_aws' in line);
  let mark = 0;
  /** The records written since the test began. */
  const recordsOfTest = () => records().slice(mark);
  let restoreLog: () => void;

  const refuseOverLimit: TargetMiddleware = (next) => async (attempt) => {
    if (attempt.call.params.user !== 'over-limit') return next(attempt);
    throw new GatewayError('Rate limit reached for requests.', { statusCode: 429, type: 'requests', code: 'rate_limit_exceeded' });
  };

  let logLevel: string | undefined;

  beforeAll(async () => {
    const closedPort = await unreachablePort();
    // Every line, debug included, is captured and checked for prompts and keys.
    logLevel = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'debug';
    restoreLog = setLogSink((line) => lines.push(line));
    upstream = await startFakeUpstream();
    const host = `${upstream.url}/v1`;
    const keyStore = createFileKeyStore({
      virtual_keys: {
        'openai-priced': { provider: 'openai', api_key: STORED_KEY, custom_host: host, pricing: PRICING },
        'openai-table': { provider: 'openai', api_key: STORED_KEY, custom_host: host },
        'openai-broken': { provider: 'openai', api_key: BROKEN_KEY, custom_host: host },
        'openai-down': { provider: 'openai', api_key: STORED_KEY, custom_host: `http://127.0.0.1:${closedPort}/v1` },
      },
      configs: {
        'broken-first': { strategy: { mode: 'fallback' }, targets: [{ virtual_key: 'openai-broken' }, { virtual_key: 'openai-priced' }] },
      },
    });
    gateway = await startGatewayWith({
      customHostGuard: createCustomHostGuard('loopback', { defaultAllowed: '' }),
      keyStore,
      middlewares: [refuseOverLimit, startPriceTableLoad],
      onRequestFinished: createUsageRecorder({ metrics: readMetricsSettings({ GATEWAY_METRICS: 'emf', GATEWAY_METRICS_MODELS: 'gpt-3.5-*' }) }),
    });
    client = new OpenAI({
      apiKey: CALLER_KEY,
      baseURL: gateway.baseURL,
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': host, 'x-portkey-trace-id': 'trace-usage' },
    });
  });
  afterAll(async () => {
    restoreLog?.();
    process.env.LOG_LEVEL = logLevel;
    await gateway?.close();
    await upstream?.close();
  });
  beforeEach(() => {
    upstream.received.length = 0;
    mark = records().length;
  });

  it('records every field of a JSON answer, priced from the table, with its EMF line', async () => {
    upstream.enqueue(json(200, answer('This is a test.')));
    const before = emfLines().length;
    const { data, response } = await client.completions.create({ model: MODEL, prompt: prompt('json'), max_tokens: 7 }, { headers: { 'x-portkey-virtual-key': 'openai-table' } }).withResponse();
    expect(response.status).toBe(200);
    expect(data.usage).toEqual({ prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 });
    expect(await waitFor(() => recordsOfTest().length === 1)).toBe(true);

    const record = recordsOfTest()[0]!;
    const tableCost = await lookUpTableCost({ provider: 'openai', model: MODEL, promptTokens: 5, completionTokens: 7 });
    expect(tableCost).toBeGreaterThan(0);
    expect(record).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      // The invocation's id (the local server gives each request one, as Lambda does).
      requestId: expect.stringMatching(/^[\w-]{8,}$/),
      message: 'request',
      traceId: 'trace-usage',
      caller: null,
      account: null,
      virtualKey: 'openai-table',
      config: null,
      provider: 'openai',
      model: MODEL,
      target: null,
      status: 200,
      errorCode: null,
      stream: false,
      retries: 0,
      fallbacks: 0,
      cache: 'DISABLED',
      latencyMs: expect.any(Number),
      firstByteMs: expect.any(Number),
      promptTokens: 5,
      completionTokens: 7,
      totalTokens: 12,
      tokensEstimated: false,
      costUsd: tableCost,
    });
    expect(record.latencyMs).toBeGreaterThanOrEqual(record.firstByteMs!);

    const emf = emfLines().slice(before);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'LlmGateway', Dimensions: [['Provider', 'Model'], ['Provider'], []] }] },
      Provider: 'openai',
      Model: MODEL,
      Requests: 1,
      Errors: 0,
      PromptTokens: 5,
      CompletionTokens: 7,
      CostUsd: tableCost,
      LimitRejections: 0,
    });
  });

  it('asks a stream for usage although the caller did not, keeps that chunk from the caller, and records exact tokens', async () => {
    upstream.enqueue(sse([chunk('This '), chunk('is a test.'), usageChunk(6, 4)]));
    const stream = await client.completions.create({ model: MODEL, prompt: prompt('stream'), stream: true }, { headers: { 'x-portkey-virtual-key': 'openai-priced' } });
    const chunks: OpenAI.Completion[] = [];
    for await (const part of stream) chunks.push(part);

    expect((upstream.received[0]!.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });
    expect(chunks.map((part) => part.choices[0]?.text)).toEqual(['This ', 'is a test.']);
    expect(chunks.every((part) => part.usage === undefined || part.usage === null)).toBe(true);
    expect(await waitFor(() => recordsOfTest().length === 1)).toBe(true);
    const record = recordsOfTest()[0]!;
    expect(record).toMatchObject({
      virtualKey: 'openai-priced',
      provider: 'openai',
      model: MODEL,
      status: 200,
      errorCode: null,
      stream: true,
      promptTokens: 6,
      completionTokens: 4,
      totalTokens: 10,
      tokensEstimated: false,
      // The virtual key's own pricing wins over the table.
      costUsd: (6 * PRICING.prompt_usd_per_million_tokens + 4 * PRICING.completion_usd_per_million_tokens) / 1e6,
    });
    expect(record.firstByteMs).toBeGreaterThan(0);
    expect(record.latencyMs).toBeGreaterThanOrEqual(record.firstByteMs!);
  });

  it('gives the usage chunk to a caller who asked for include_usage, and records the same tokens', async () => {
    upstream.enqueue(sse([chunk('Hi'), usageChunk(3, 1)]));
    const stream = await client.completions.create(
      { model: MODEL, prompt: prompt('include'), stream: true, stream_options: { include_usage: true } },
      { headers: { 'x-portkey-virtual-key': 'openai-table' } },
    );
    const chunks: OpenAI.Completion[] = [];
    for await (const part of stream) chunks.push(part);
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 });
    expect(await waitFor(() => recordsOfTest().length === 1)).toBe(true);
    expect(recordsOfTest()[0]).toMatchObject({ stream: true, promptTokens: 3, completionTokens: 1, totalTokens: 4, tokensEstimated: false, costUsd: await lookUpTableCost({ provider: 'openai', model: MODEL, promptTokens: 3, completionTokens: 1 }) });
  });

  it('sums the usage of a fan-out over its parts (Anthropic: one call per prompt)', async () => {
    const message = readJsonFixture(new URL('../../lib/providers/anthropic/__fixtures__/anthropic-message.json', import.meta.url)) as { usage: { input_tokens: number; output_tokens: number } };
    upstream.enqueue(json(200, message), json(200, message));
    const { data } = await client.completions
      .create({ model: 'claude-opus-4-20250514', prompt: [prompt('one'), prompt('two')], max_tokens: 16 }, { headers: { 'x-portkey-provider': 'anthropic' } })
      .withResponse();
    expect(upstream.received).toHaveLength(2);
    expect(await waitFor(() => recordsOfTest().length === 1)).toBe(true);
    const record = recordsOfTest()[0]!;
    expect(record).toMatchObject({ provider: 'anthropic', model: 'claude-opus-4-20250514', status: 200, stream: false, tokensEstimated: false });
    expect(record.promptTokens).toBe(data.usage!.prompt_tokens);
    expect(record.promptTokens).toBeGreaterThanOrEqual(2 * message.usage.input_tokens);
    expect(record.completionTokens).toBe(2 * message.usage.output_tokens);
    expect(record.totalTokens).toBe(record.promptTokens + record.completionTokens);
    expect(record.costUsd).toBe(await lookUpTableCost({ provider: 'anthropic', model: 'claude-opus-4-20250514', promptTokens: record.promptTokens, completionTokens: record.completionTokens }));
  });

  it('records the answering target of a fallback: its virtual key, path, pricing, and the targets given up', async () => {
    upstream.enqueue(json(500, { error: { message: 'down', type: 'server_error' } }), json(200, answer('from the second')));
    const { response } = await client.completions.create({ model: MODEL, prompt: prompt('fallback') }, { headers: { 'x-portkey-config': 'broken-first' } }).withResponse();
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
    expect(await waitFor(() => recordsOfTest().length === 1)).toBe(true);
    expect(recordsOfTest()[0]).toMatchObject({
      virtualKey: 'openai-priced',
      config: 'broken-first',
      provider: 'openai',
      target: 'config.targets[1]',
      status: 200,
      retries: 0,
      fallbacks: 1,
      promptTokens: 5,
      completionTokens: 7,
      costUsd: (5 * 1.5 + 7 * 2) / 1e6,
    });
  });

  it('prices with a config target\'s own pricing', async () => {
    upstream.enqueue(json(200, answer('priced by config', { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500 })));
    const config = { provider: 'openai', custom_host: `${upstream.url}/v1`, pricing: { prompt_usd_per_million_tokens: 3, completion_usd_per_million_tokens: 10 } };
    await client.completions.create({ model: MODEL, prompt: prompt('config pricing') }, { headers: { 'x-portkey-config': JSON.stringify(config) } });
    expect(await waitFor(() => recordsOfTest().length === 1)).toBe(true);
    expect(recordsOfTest()[0]).toMatchObject({ config: null, target: 'config', promptTokens: 1000, completionTokens: 500, costUsd: (1000 * 3 + 500 * 10) / 1e6 });
  });

  it('refuses a config target whose pricing is half a price', async () => {
    const config = { provider: 'openai', custom_host: `${upstream.url}/v1`, pricing: { prompt_usd_per_million_tokens: 3 } };
    const error = await client.completions.create({ model: MODEL, prompt: prompt('half price') }, { headers: { 'x-portkey-config': JSON.stringify(config) } }).catch((caught: unknown) => caught);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect(upstream.received).toHaveLength(0);
  });

  it('records an in-band stream error with its code, the text so far counted as estimated tokens, and a StreamErrors metric', async () => {
    const before = emfLines().length;
    upstream.enqueue(sse([chunk('Partial answer'), { error: { message: 'upstream broke', type: 'server_error', code: 'upstream_broke' } }], { done: false }));
    const response = await fetch(`${gateway.baseURL}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CALLER_KEY}`, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` },
      body: JSON.stringify({ model: MODEL, prompt: prompt('in-band error'), stream: true }),
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    const errorEvent = JSON.parse(text.split('\n\n').filter(Boolean).at(-1)!.slice('data: '.length)) as { error: { code: string | null; type: string } };
    expect(await waitFor(() => recordsOfTest().length === 1)).toBe(true);
    const record = recordsOfTest()[0]!;
    expect(record).toMatchObject({ status: 200, stream: true, errorCode: errorEvent.error.code ?? errorEvent.error.type, tokensEstimated: true });
    expect(record.errorCode).not.toBeNull();
    expect(record.promptTokens).toBe(await estimateTokens(prompt('in-band error')));
    expect(record.completionTokens).toBe(await estimateTokens('Partial answer'));
    const emf = emfLines().slice(before);
    expect(emf[0]).toMatchObject({ StreamErrors: 1, Errors: 1, Requests: 1 });
  });

  it('estimates the tokens of a caller who leaves mid-stream: the prompt and the text sent so far', async () => {
    let upstreamClosed = false;
    upstream.enqueue(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${JSON.stringify(chunk('First words '))}\n\n`);
      response.write(`data: ${JSON.stringify(chunk('and more'))}\n\n`);
      // Then silence until the gateway hangs up (bounded by the test's timeout).
      await new Promise<void>((resolve) => response.once('close', () => resolve()));
      upstreamClosed = true;
    });
    const caller = new AbortController();
    const response = await fetch(`${gateway.baseURL}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CALLER_KEY}`, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` },
      body: JSON.stringify({ model: MODEL, prompt: prompt('caller leaves'), stream: true }),
      signal: caller.signal,
    });
    const reader = response.body!.getReader();
    let received = '';
    const decoder = new TextDecoder();
    while (!received.includes('and more')) {
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value, { stream: true });
    }
    caller.abort();
    await reader.cancel().catch(() => undefined);

    expect(await waitFor(() => recordsOfTest().length === 1)).toBe(true);
    expect(await waitFor(() => upstreamClosed)).toBe(true);
    const record = recordsOfTest()[0]!;
    expect(record).toMatchObject({ status: 200, stream: true, provider: 'openai', tokensEstimated: true });
    expect(record.promptTokens).toBe(await estimateTokens(prompt('caller leaves')));
    expect(record.completionTokens).toBe(await estimateTokens('First words and more'));
    expect(record.costUsd).toBe(await lookUpTableCost({ provider: 'openai', model: MODEL, promptTokens: record.promptTokens, completionTokens: record.completionTokens }));
  });

  it('records a refused request: its 4xx and code, no tokens, no cost', async () => {
    const error = await client.completions.create({ model: MODEL, prompt: prompt('refused'), temperature: 7 }).catch((caught: unknown) => caught);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect(await waitFor(() => recordsOfTest().length === 1)).toBe(true);
    expect(recordsOfTest()[0]).toMatchObject({
      message: 'request',
      traceId: 'trace-usage',
      provider: null,
      model: null,
      status: 400,
      errorCode: (error as InstanceType<typeof OpenAI.APIError>).code,
      stream: false,
      promptTokens: 0,
      completionTokens: 0,
      totalTokens: 0,
      tokensEstimated: false,
      costUsd: null,
    });
    expect(upstream.received).toHaveLength(0);
  });

  it('records an upstream that cannot be reached: its 502 and code, the provider and model tried, no tokens, no cost', async () => {
    const error = await client.completions
      .create({ model: MODEL, prompt: prompt('nobody home') }, { headers: { 'x-portkey-virtual-key': 'openai-down', 'x-portkey-custom-host': null } })
      .catch((caught: unknown) => caught);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_unreachable');
    expect(await waitFor(() => recordsOfTest().length === 1)).toBe(true);
    expect(recordsOfTest()[0]).toMatchObject({
      status: 502,
      errorCode: 'upstream_unreachable',
      provider: 'openai',
      model: MODEL,
      virtualKey: 'openai-down',
      stream: false,
      promptTokens: 0,
      completionTokens: 0,
      tokensEstimated: false,
    });
  });

  it('counts a refusal of the gateway\'s own limits as a LimitRejection, an upstream 429 not', async () => {
    const before = emfLines().length;
    const refused = await client.completions.create({ model: MODEL, prompt: prompt('limited'), user: 'over-limit' }).catch((caught: unknown) => caught);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    upstream.enqueue(json(429, { error: { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' } }));
    const upstream429 = await client.completions.create({ model: MODEL, prompt: prompt('upstream limited') }).catch((caught: unknown) => caught);
    expect((upstream429 as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    expect(await waitFor(() => recordsOfTest().length === 2)).toBe(true);
    expect(recordsOfTest().map((record) => [record.status, record.errorCode, record.promptTokens])).toEqual([
      [429, 'rate_limit_exceeded', 0],
      [429, 'rate_limit_exceeded', 0],
    ]);
    expect(emfLines().slice(before).map((line) => line.LimitRejections)).toEqual([1, 0]);
  });

  it('wrote exactly one record per request, and no line of the run holds a prompt or a key', () => {
    const all = records();
    // One record per request made above (the SDK never retried: maxRetries 0).
    expect(all).toHaveLength(13);
    expect(lines.length).toBeGreaterThan(all.length);
    // Every line of ours but the EMF metrics carries the invocation's request id.
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => !('_aws' in line));
    expect(logged.length).toBeGreaterThan(all.length);
    expect(logged.filter((line) => typeof line.requestId !== 'string')).toEqual([]);
    for (const line of lines) {
      expect(line).not.toContain(PROMPT_MARK);
      for (const secret of [CALLER_KEY, STORED_KEY, BROKEN_KEY]) expect(line).not.toContain(secret);
    }
  });
});
