/**
 * The openai SDK through the local gateway to a loopback stand-in for Mistral AI: chat
 * completions for plain prompts, FIM completions for a suffix, exact requests and answers.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionChunkSchema } from '../../lib/api/completion-response.ts';
import { type Responder, json, replaySse } from '../fakes/fake-upstream.ts';
import { readJsonFixture, readSseFixture } from '../support/provider-fixtures.ts';
import { useGatewayClient } from '../support/gateway-client.ts';

const fixture = (name: string) => new URL(`../../lib/providers/mistral-ai/__fixtures__/${name}`, import.meta.url);


describe('the openai SDK through the gateway to mistral-ai', () => {
  const setup = useGatewayClient({ provider: 'mistral-ai', apiKey: 'mistral-test-key', hostPath: '/v1' });

  it('completes a plain prompt through chat completions', async () => {
    setup.upstream.enqueue(json(200, readJsonFixture(fixture('mistral-chat.json'))));
    const { data, response } = await setup.client.completions
      .create({ model: 'mistral-small-latest', prompt: 'Invent a holiday', max_tokens: 500, seed: 1, presence_penalty: 0.2, echo: false })
      .withResponse();
    const sent = setup.upstream.received.at(-1)!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer mistral-test-key');
    expect(sent.body).toEqual({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'Invent a holiday' }], max_tokens: 500, random_seed: 1, presence_penalty: 0.2 });
    expect(data).toEqual({
      id: '5319bd0299614c679a0068a4f2c8ffd0',
      object: 'text_completion',
      created: expect.any(Number),
      model: 'mistral-small-latest',
      choices: [{ index: 0, text: '**Holiday Name: "World Kindness Day of Sharing"**\n\n**Date:** The third Saturday in October', logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 13, completion_tokens: 434, total_tokens: 447 },
    });
    expect(response.headers.get('x-portkey-dropped-params')).toBeNull();
  });

  it('fills in the middle through FIM completions when a suffix is given, echoing the prompt when asked', async () => {
    setup.upstream.enqueue(json(200, readJsonFixture(fixture('mistral-fim.json'))));
    const completion = await setup.client.completions.create({ model: 'codestral-2405', prompt: 'def fibonacci(n: int):', suffix: 'n = int(input())', max_tokens: 64, temperature: 0, echo: true });
    const sent = setup.upstream.received.at(-1)!;
    expect(sent.path).toBe('/v1/fim/completions');
    expect(sent.body).toEqual({ model: 'codestral-2405', prompt: 'def fibonacci(n: int):', suffix: 'n = int(input())', max_tokens: 64, temperature: 0 });
    expect(completion.choices[0]!.text).toBe('def fibonacci(n: int):\n    if n <= 1:\n        return n\n    return fibonacci(n - 1) + fibonacci(n - 2)');
  });

  it('streams chat chunks as they arrive, then usage and [DONE]', async () => {
    setup.upstream.enqueue(replaySse(readSseFixture(fixture('mistral-chat.sse.txt')), { delayMs: 60 }));
    const stream = await setup.client.completions.create({ model: 'mistral-small-latest', prompt: 'Say hello', stream: true, stream_options: { include_usage: true } });
    const arrivals: number[] = [];
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) {
      arrivals.push(Date.now());
      chunks.push(completionChunkSchema.parse(chunk) as OpenAI.Completion);
    }
    expect(setup.upstream.received.at(-1)!.body).toMatchObject({ stream: true, messages: [{ role: 'user', content: 'Say hello' }] });
    expect(chunks.map((chunk) => chunk.choices.map((choice) => choice.text).join('')).join('')).toBe('Hello, world! This is a test response.');
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 13, completion_tokens: 8, total_tokens: 21 } });
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(200);
  });

  it('keeps an upstream 429 and its message, naming the provider', async () => {
    setup.upstream.enqueue(json(429, readJsonFixture(fixture('mistral-error-rate-limit.json')), { 'retry-after': '1' }));
    const error = await setup.client.completions.create({ model: 'mistral-small-latest', prompt: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ message: 'Requests rate limit exceeded', type: 'rate_limit_error', provider: 'mistral-ai' });
  });
});
