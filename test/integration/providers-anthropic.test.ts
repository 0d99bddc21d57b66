/**
 * The openai SDK through the local gateway to a loopback stand-in for Anthropic's Messages API:
 * the exact upstream path, headers and body, and the exact answer the caller gets.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionChunkSchema } from '../../lib/api/completion-response.ts';
import { type Responder, json, replaySse } from '../fakes/fake-upstream.ts';
import { readJsonFixture, readSseFixture } from '../support/provider-fixtures.ts';
import { useGatewayClient } from '../support/gateway-client.ts';

const fixture = (name: string) => new URL(`../../lib/providers/anthropic/__fixtures__/${name}`, import.meta.url);

/** Replays SSE text event by event, `delayMs` apart, as the provider would write it. */

describe('the openai SDK through the gateway to anthropic', () => {
  const setup = useGatewayClient({ provider: 'anthropic', apiKey: 'sk-ant-test-key', hostPath: '/v1' });

  it('completes through /messages with the key, version and mapped body, reporting what it adjusted', async () => {
    setup.upstream.enqueue(json(200, readJsonFixture(fixture('anthropic-message.json'))));
    const { data, response } = await setup.client.completions
      .create(
        { model: 'claude-3-7-sonnet-20250219', prompt: 'Say hi', max_tokens: 64, temperature: 1.2, stop: ['\n\n'], user: 'u-1', frequency_penalty: 0.3 },
        { headers: { 'x-portkey-anthropic-beta': 'output-128k-2025-02-19' } },
      )
      .withResponse();

    const sent = setup.upstream.received.at(-1)!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe('sk-ant-test-key');
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.headers['anthropic-beta']).toBe('output-128k-2025-02-19');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual({
      model: 'claude-3-7-sonnet-20250219',
      messages: [{ role: 'user', content: 'Say hi' }],
      max_tokens: 64,
      temperature: 1,
      stop_sequences: ['\n\n'],
      metadata: { user_id: 'u-1' },
    });

    expect(data).toEqual({
      id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      object: 'text_completion',
      created: expect.any(Number),
      model: 'claude-3-7-sonnet-20250219',
      choices: [{ text: 'Hi! My name is Claude.', index: 0, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 2095, completion_tokens: 503, total_tokens: 2598 },
    });
    expect(response.headers.get('x-portkey-provider')).toBe('anthropic');
    expect(response.headers.get('x-portkey-clamped-params')).toBe('temperature');
    expect(response.headers.get('x-portkey-dropped-params')).toBe('frequency_penalty');
  });

  it('streams text as it arrives, then the finish chunk, usage and [DONE]', async () => {
    setup.upstream.enqueue(replaySse(readSseFixture(fixture('anthropic-text.sse.txt')), { delayMs: 120 }));
    const stream = await setup.client.completions.create({
      model: 'claude-opus-4-20250514',
      prompt: 'Hello',
      stream: true,
      stream_options: { include_usage: true },
    });
    const arrivals: number[] = [];
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) {
      arrivals.push(Date.now());
      chunks.push(completionChunkSchema.parse(chunk) as OpenAI.Completion);
    }
    expect(chunks.map((chunk) => chunk.choices.map((choice) => [choice.text, choice.finish_reason]))).toEqual([
      [['Hello', null]],
      [['!', null]],
      [['', 'stop']],
      [],
    ]);
    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set(['msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY']));
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 });
    // The upstream paces its events 120 ms apart; a buffering gateway would deliver them together.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(200);
    expect(setup.upstream.received.at(-1)!.body).toEqual({ model: 'claude-opus-4-20250514', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 16, stream: true });
  });

  it('keeps an upstream 529 overloaded error, naming the provider', async () => {
    setup.upstream.enqueue(json(529, readJsonFixture(fixture('anthropic-error-overloaded.json'))));
    const error = await setup.client.completions.create({ model: 'claude-opus-4-20250514', prompt: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(529);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ message: 'Overloaded', code: 'overloaded_error', provider: 'anthropic' });
  });

  it('ends a stream broken by an error event with an in-band error, never [DONE]', async () => {
    setup.upstream.enqueue(replaySse(readSseFixture(fixture('anthropic-error.sse.txt'))));
    const response = await fetch(`${setup.gateway.baseURL}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k', 'x-portkey-provider': 'anthropic', 'x-portkey-custom-host': `${setup.upstream.url}/v1` },
      body: JSON.stringify({ model: 'claude-opus-4-20250514', prompt: 'x', stream: true }),
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).toContain('"text":"Hello"');
    expect(text).toContain('"code":"overloaded_error"');
    expect(text).not.toContain('[DONE]');
  });

  it('fans out a prompt array with n and streams every choice at its OpenAI index', async () => {
    const previousFallback = setup.upstream.fallback;
    setup.upstream.fallback = (request, response) => {
      const prompt = (request.body as { messages: Array<{ content: string }> }).messages[0]!.content;
      const events = readSseFixture(fixture('anthropic-text.sse.txt')).replaceAll('"text": "Hello"', `"text": "re:${prompt}"`);
      return replaySse(events)(request, response, undefined as never);
    };
    try {
      const before = setup.upstream.received.length;
      const stream = await setup.client.completions.create({ model: 'claude-opus-4-20250514', prompt: ['a', 'b'], n: 2, stream: true, stream_options: { include_usage: true } });
      const texts = new Map<number, string>();
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const chunk of stream) {
        for (const choice of chunk.choices) texts.set(choice.index, (texts.get(choice.index) ?? '') + choice.text);
        if (chunk.usage) usage = chunk.usage;
      }
      expect(setup.upstream.received.length - before).toBe(4);
      expect(Object.fromEntries(texts)).toEqual({ 0: 're:a!', 1: 're:a!', 2: 're:b!', 3: 're:b!' });
      expect(usage).toEqual({ prompt_tokens: 100, completion_tokens: 60, total_tokens: 160 });
    } finally {
      setup.upstream.fallback = previousFallback;
    }
  });
});
