/**
 * When the upstream reports no usage, the caller's usage is the gateway's own count (the
 * tokenizer's, as the usage record keeps it), never zeros: in a JSON answer (with
 * `x-portkey-usage-estimated: true`) and in a stream's include_usage chunk. The record says the
 * same numbers, marked `tokensEstimated`. Expected counts come from the tokenizer package itself.
 */
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, sse, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { createCustomHostGuard } from '../../lib/config/custom-host-guard.ts';
import { createFileKeyStore } from '../../lib/keys/file-key-store.ts';
import { createUsageRecorder } from '../../lib/usage/create-usage-recorder.ts';
import { readMetricsSettings } from '../../lib/usage/metrics-settings.ts';
import type { UsageRecord } from '../../lib/usage/usage-record.ts';
import { startGatewayWith, type RunningGateway } from '../support/start-gateway.ts';

const MODEL = 'gpt-3.5-turbo-instruct';
const PROMPT = 'Write a tagline for an ice cream shop that sells only vanilla.';
const TEXT_CHUNKS = ['\n\n"Pure', ' vanilla,', ' pure joy:', ' one flavour,', ' done right."'];
const TEXT = TEXT_CHUNKS.join('');

async function waitFor(condition: () => boolean, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!condition() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

/** What the caller must be told: the prompts and the whole text, each counted by the tokenizer. */
function expectedUsage(prompts: string[], text: string) {
  const prompt = prompts.reduce((sum, each) => sum + countTokens(each), 0);
  const completion = countTokens(text);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** An OpenAI completions stream without a usage chunk, whatever it was asked for. */
function streamWithoutUsage() {
  return sse(
    TEXT_CHUNKS.map((text, index) => ({
      id: 'cmpl-1',
      object: 'text_completion',
      created: 1,
      model: MODEL,
      choices: [{ index: 0, text, logprobs: null, finish_reason: index === TEXT_CHUNKS.length - 1 ? 'stop' : null }],
    })),
  );
}

describe("the caller's usage when the upstream reports none", () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  let client: OpenAI;
  const records: UsageRecord[] = [];

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    gateway = await startGatewayWith({
      customHostGuard: createCustomHostGuard('loopback', { defaultAllowed: '' }),
      keyStore: createFileKeyStore({ virtual_keys: {} }),
      onRequestFinished: createUsageRecorder({ metrics: readMetricsSettings({}), write: (line) => records.push(JSON.parse(line) as UsageRecord) }),
    });
    client = new OpenAI({ apiKey: 'provider-key', baseURL: gateway.baseURL, maxRetries: 0 });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });
  beforeEach(() => {
    records.length = 0;
  });

  const openaiHeaders = () => ({ 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` });

  async function oneRecord(): Promise<UsageRecord> {
    expect(await waitFor(() => records.length === 1)).toBe(true);
    return records[0]!;
  }

  it('a JSON answer carries the estimate, says so in a header, and the record has the same numbers', async () => {
    upstream.enqueue(json(200, { id: 'cmpl-1', object: 'text_completion', created: 1, model: MODEL, choices: [{ index: 0, text: TEXT, logprobs: null, finish_reason: 'stop' }] }));
    const { data, response } = await client.completions.create({ model: MODEL, prompt: PROMPT, max_tokens: 32 }, { headers: openaiHeaders() }).withResponse();
    const expected = expectedUsage([PROMPT], TEXT);
    expect(expected.prompt_tokens).toBeGreaterThan(5);
    expect(data.usage).toEqual(expected);
    expect(data.choices[0]!.text).toBe(TEXT);
    expect(response.headers.get('x-portkey-usage-estimated')).toBe('true');
    const record = await oneRecord();
    expect(record).toMatchObject({ stream: false, status: 200, promptTokens: expected.prompt_tokens, completionTokens: expected.completion_tokens, totalTokens: expected.total_tokens, tokensEstimated: true });
  });

  it('a JSON answer to a prompt list counts every prompt and every choice', async () => {
    const prompts = ['Say this is a test', 'Name a colour of the sky at noon'];
    const texts = ['This is a test.', ' Blue.'];
    upstream.enqueue(json(200, { id: 'cmpl-2', object: 'text_completion', created: 1, model: MODEL, choices: texts.map((text, index) => ({ index, text, logprobs: null, finish_reason: 'stop' })) }));
    const data = await client.completions.create({ model: MODEL, prompt: prompts, max_tokens: 8 }, { headers: openaiHeaders() });
    const expected = expectedUsage(prompts, texts.join(''));
    expect(data.usage).toEqual(expected);
    expect(await oneRecord()).toMatchObject({ promptTokens: expected.prompt_tokens, completionTokens: expected.completion_tokens, tokensEstimated: true });
  });

  it("a JSON answer with the provider's usage keeps it, without the header", async () => {
    const usage = { prompt_tokens: 13, completion_tokens: 11, total_tokens: 24 };
    upstream.enqueue(json(200, { id: 'cmpl-3', object: 'text_completion', created: 1, model: MODEL, choices: [{ index: 0, text: TEXT, logprobs: null, finish_reason: 'stop' }], usage }));
    const { data, response } = await client.completions.create({ model: MODEL, prompt: PROMPT }, { headers: openaiHeaders() }).withResponse();
    expect(data.usage).toEqual(usage);
    expect(response.headers.get('x-portkey-usage-estimated')).toBeNull();
    expect(await oneRecord()).toMatchObject({ promptTokens: 13, completionTokens: 11, tokensEstimated: false });
  });

  it.each([
    ['an upstream that ignores stream_options', () => openaiHeaders()],
    ['a target with send_stream_options: false', () => ({ 'x-portkey-config': JSON.stringify({ provider: 'vllm', custom_host: `${upstream.url}/v1`, send_stream_options: false }) })],
  ])('a stream with include_usage from %s ends in the estimate, after all its text', async (_name, headers) => {
    upstream.enqueue(streamWithoutUsage());
    const stream = await client.completions.create({ model: MODEL, prompt: PROMPT, max_tokens: 32, stream: true, stream_options: { include_usage: true } }, { headers: headers() });
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const expected = expectedUsage([PROMPT], TEXT);
    // Every text chunk as it came, then one usage chunk with empty choices, as OpenAI sends it.
    expect(chunks.slice(0, -1).map((chunk) => chunk.choices[0]?.text)).toEqual(TEXT_CHUNKS);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === undefined || chunk.usage === null)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: expected });
    const record = await oneRecord();
    expect(record).toMatchObject({ stream: true, status: 200, errorCode: null, promptTokens: expected.prompt_tokens, completionTokens: expected.completion_tokens, totalTokens: expected.total_tokens, tokensEstimated: true });
  });

  it('a stream without include_usage sends no usage chunk, and the record still counts', async () => {
    upstream.enqueue(streamWithoutUsage());
    const stream = await client.completions.create({ model: MODEL, prompt: PROMPT, max_tokens: 32, stream: true }, { headers: openaiHeaders() });
    let sawUsage = false;
    for await (const chunk of stream) if (chunk.usage) sawUsage = true;
    expect(sawUsage).toBe(false);
    const expected = expectedUsage([PROMPT], TEXT);
    expect(await oneRecord()).toMatchObject({ promptTokens: expected.prompt_tokens, completionTokens: expected.completion_tokens, tokensEstimated: true });
  });
});
