/**
 * The tokenizer (~1 MB of code, ~100-200 ms to load) is loaded only when the gateway must count
 * tokens itself. With the deployed dependencies (limits, cache, price table, usage record), an
 * upstream that reports usage, JSON or stream, with or without include_usage, and a cache hit
 * replaying such an answer, never import it; the first answer without usage does (which shows
 * the probe sees a load). The probe wraps the real module: vitest's mock factory runs on its import.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { json, sse, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { dependenciesFromEnv } from '../../functions/completions/dependencies-from-env.ts';
import { createUsageRecorder } from '../../lib/usage/create-usage-recorder.ts';
import { readMetricsSettings } from '../../lib/usage/metrics-settings.ts';
import type { UsageRecord } from '../../lib/usage/usage-record.ts';
import { startGatewayWith, type RunningGateway } from '../support/start-gateway.ts';
import { completionStream, waitFor } from '../support/usage-recording-gateway.ts';

const tokenizer = vi.hoisted(() => ({ loads: 0 }));
vi.mock('gpt-tokenizer/encoding/cl100k_base', async (importOriginal) => {
  tokenizer.loads += 1;
  return await importOriginal();
});

const MODEL = 'gpt-3.5-turbo-instruct';
const USAGE = { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 };
const TEXT_CHUNKS = ['Paris', ' is', ' the capital', '.'];

const answer = (usage?: typeof USAGE) => ({
  id: 'cmpl-1',
  object: 'text_completion',
  created: 1,
  model: MODEL,
  choices: [{ index: 0, text: TEXT_CHUNKS.join(''), logprobs: null, finish_reason: 'stop' }],
  ...(usage ? { usage } : {}),
});

describe('the tokenizer stays unloaded while providers report usage', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  let client: OpenAI;
  const records: UsageRecord[] = [];

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    const keysFile = join(mkdtempSync(join(tmpdir(), 'usage-tokenizer-')), 'keys.json');
    // A limits rule that applies to every request, so that limits reserve and settle too.
    writeFileSync(keysFile, JSON.stringify({ limits: { rules: [{ name: 'everyone', tokens_per_minute: 1_000_000, requests_per_minute: 10_000 }] } }));
    const deployed = dependenciesFromEnv({ GATEWAY_ALLOWED_CUSTOM_HOSTS: 'loopback', GATEWAY_KEY_SOURCE: 'file', GATEWAY_KEYS_FILE: keysFile }, () => false);
    gateway = await startGatewayWith({
      ...deployed,
      onRequestFinished: createUsageRecorder({ metrics: readMetricsSettings({}), write: (line) => records.push(JSON.parse(line) as UsageRecord) }),
    });
    client = new OpenAI({
      apiKey: 'provider-key',
      baseURL: gateway.baseURL,
      maxRetries: 0,
      defaultHeaders: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });
  beforeEach(() => {
    records.length = 0;
  });

  async function oneRecord(): Promise<UsageRecord> {
    expect(await waitFor(() => records.length === 1)).toBe(true);
    return records[0]!;
  }

  it('a JSON answer with usage', async () => {
    upstream.enqueue(json(200, answer(USAGE)));
    const { data, response } = await client.completions.create({ model: MODEL, prompt: 'What is the capital of France?' }).withResponse();
    expect(data.usage).toEqual(USAGE);
    expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('1000000');
    expect(response.headers.get('x-portkey-usage-estimated')).toBeNull();
    expect(await oneRecord()).toMatchObject({ promptTokens: 9, completionTokens: 4, tokensEstimated: false });
    expect(tokenizer.loads).toBe(0);
  });

  it.each([true, false])('a stream with usage (include_usage %s)', async (includeUsage) => {
    upstream.enqueue(completionStream(MODEL, TEXT_CHUNKS, USAGE));
    const stream = await client.completions.create({ model: MODEL, prompt: 'What is the capital of France?', stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) });
    const usages: unknown[] = [];
    for await (const chunk of stream) if (chunk.usage) usages.push(chunk.usage);
    expect(usages).toEqual(includeUsage ? [USAGE] : []);
    expect(await oneRecord()).toMatchObject({ stream: true, promptTokens: 9, completionTokens: 4, tokensEstimated: false });
    expect(tokenizer.loads).toBe(0);
  });

  it('a cached answer with usage, replayed as a stream with include_usage', async () => {
    const cache = { 'x-portkey-cache': 'simple', 'cache-control': 'max-age=600' };
    const request = { model: MODEL, prompt: 'Cache me: what is the capital of France?' };
    upstream.enqueue(json(200, answer(USAGE)));
    await client.completions.create(request, { headers: cache });
    await oneRecord();
    records.length = 0;
    const received = upstream.received.length;
    const stream = await client.completions.create({ ...request, stream: true, stream_options: { include_usage: true } }, { headers: cache });
    const usages: unknown[] = [];
    for await (const chunk of stream) if (chunk.usage) usages.push(chunk.usage);
    expect(upstream.received.length).toBe(received);
    expect(usages).toEqual([USAGE]);
    expect(await oneRecord()).toMatchObject({ cache: 'HIT', tokensEstimated: false });
    expect(tokenizer.loads).toBe(0);
  });

  it('the first answer without usage loads it, once', async () => {
    upstream.enqueue(json(200, answer()));
    const { data, response } = await client.completions.create({ model: MODEL, prompt: 'What is the capital of France?' }).withResponse();
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-portkey-usage-estimated')).toBe('true');
    expect(await oneRecord()).toMatchObject({ tokensEstimated: true, completionTokens: data.usage?.completion_tokens });
    expect(tokenizer.loads).toBe(1);
  });
});
