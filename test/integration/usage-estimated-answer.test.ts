/**
 * When the upstream reports no usage, the caller's usage is the gateway's own count (the
 * tokenizer's, as the usage record keeps it), never zeros: in a JSON answer (with
 * `x-portkey-usage-estimated: true`) and in a stream's include_usage chunk. The record says the
 * same numbers, marked `tokensEstimated`. Expected counts come from the tokenizer package itself.
 */
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { json } from '../fakes/fake-upstream.ts';
import type { UsageRecord } from '../../lib/usage/usage-record.ts';
import { completionStream, useUsageRecordingGateway, waitFor } from '../support/usage-recording-gateway.ts';

const MODEL = 'gpt-3.5-turbo-instruct';
const PROMPT = 'Write a tagline for an ice cream shop that sells only vanilla.';
const TEXT_CHUNKS = ['\n\n"Pure', ' vanilla,', ' pure joy:', ' one flavour,', ' done right."'];
const TEXT = TEXT_CHUNKS.join('');

/** What the caller must be told: the prompts and the whole text, each counted by the tokenizer. */
function expectedUsage(prompts: string[], text: string) {
  const prompt = prompts.reduce((sum, each) => sum + countTokens(each), 0);
  const completion = countTokens(text);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

describe("the caller's usage when the upstream reports none", () => {
  const setup = useUsageRecordingGateway();

  const openaiHeaders = () => ({ 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${setup.upstream.url}/v1` });

  async function oneRecord(): Promise<UsageRecord> {
    expect(await waitFor(() => setup.records.length === 1)).toBe(true);
    return setup.records[0]!;
  }

  it('a JSON answer carries the estimate, says so in a header, and the record has the same numbers', async () => {
    setup.upstream.enqueue(json(200, { id: 'cmpl-1', object: 'text_completion', created: 1, model: MODEL, choices: [{ index: 0, text: TEXT, logprobs: null, finish_reason: 'stop' }] }));
    const { data, response } = await setup.client.completions.create({ model: MODEL, prompt: PROMPT, max_tokens: 32 }, { headers: openaiHeaders() }).withResponse();
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
    setup.upstream.enqueue(json(200, { id: 'cmpl-2', object: 'text_completion', created: 1, model: MODEL, choices: texts.map((text, index) => ({ index, text, logprobs: null, finish_reason: 'stop' })) }));
    const data = await setup.client.completions.create({ model: MODEL, prompt: prompts, max_tokens: 8 }, { headers: openaiHeaders() });
    const expected = expectedUsage(prompts, texts.join(''));
    expect(data.usage).toEqual(expected);
    expect(await oneRecord()).toMatchObject({ promptTokens: expected.prompt_tokens, completionTokens: expected.completion_tokens, tokensEstimated: true });
  });

  it("a JSON answer with the provider's usage keeps it, without the header", async () => {
    const usage = { prompt_tokens: 13, completion_tokens: 11, total_tokens: 24 };
    setup.upstream.enqueue(json(200, { id: 'cmpl-3', object: 'text_completion', created: 1, model: MODEL, choices: [{ index: 0, text: TEXT, logprobs: null, finish_reason: 'stop' }], usage }));
    const { data, response } = await setup.client.completions.create({ model: MODEL, prompt: PROMPT }, { headers: openaiHeaders() }).withResponse();
    expect(data.usage).toEqual(usage);
    expect(response.headers.get('x-portkey-usage-estimated')).toBeNull();
    expect(await oneRecord()).toMatchObject({ promptTokens: 13, completionTokens: 11, tokensEstimated: false });
  });

  it.each([
    ['an upstream that ignores stream_options', () => openaiHeaders()],
    ['a target with send_stream_options: false', () => ({ 'x-portkey-config': JSON.stringify({ provider: 'vllm', custom_host: `${setup.upstream.url}/v1`, send_stream_options: false }) })],
  ])('a stream with include_usage from %s ends in the estimate, after all its text', async (_name, headers) => {
    setup.upstream.enqueue(completionStream(MODEL, TEXT_CHUNKS));
    const stream = await setup.client.completions.create({ model: MODEL, prompt: PROMPT, max_tokens: 32, stream: true, stream_options: { include_usage: true } }, { headers: headers() });
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
    setup.upstream.enqueue(completionStream(MODEL, TEXT_CHUNKS));
    const stream = await setup.client.completions.create({ model: MODEL, prompt: PROMPT, max_tokens: 32, stream: true }, { headers: openaiHeaders() });
    let sawUsage = false;
    for await (const chunk of stream) if (chunk.usage) sawUsage = true;
    expect(sawUsage).toBe(false);
    const expected = expectedUsage([PROMPT], TEXT);
    expect(await oneRecord()).toMatchObject({ promptTokens: expected.prompt_tokens, completionTokens: expected.completion_tokens, tokensEstimated: true });
  });
});
