/**
 * The openai SDK through the local gateway to a loopback stand-in for Cohere's v2 Chat API:
 * the exact upstream path, headers and body, and the exact answer the caller gets.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionChunkSchema } from '../../lib/api/completion-response.ts';
import { type Responder, json, replaySse } from '../fakes/fake-upstream.ts';
import { readJsonFixture, readSseFixture } from '../support/provider-fixtures.ts';
import { useGatewayClient } from '../support/gateway-client.ts';

const fixture = (name: string) => new URL(`../../lib/providers/cohere/__fixtures__/${name}`, import.meta.url);


describe('the openai SDK through the gateway to cohere', () => {
  const setup = useGatewayClient({ provider: 'cohere', apiKey: 'co-test-key', hostPath: '/v2' });

  it('completes through /v2/chat with Cohere names, reporting clamps and drops', async () => {
    setup.upstream.enqueue(json(200, readJsonFixture(fixture('cohere-chat.json'))));
    const { data, response } = await setup.client.completions
      .create({ model: 'command-a-03-2025', prompt: 'hello world!', max_tokens: 500, top_p: 1, stop: ['\n\n'], seed: 5, logit_bias: { '50256': -100 } })
      .withResponse();
    const sent = setup.upstream.received.at(-1)!;
    expect(sent.path).toBe('/v2/chat');
    expect(sent.headers.authorization).toBe('Bearer co-test-key');
    expect(sent.body).toEqual({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'hello world!' }], max_tokens: 500, p: 0.99, stop_sequences: ['\n\n'], seed: 5 });
    expect(data).toEqual({
      id: 'c14c80c3-18eb-4519-9460-6c92edd8cfb4',
      object: 'text_completion',
      created: expect.any(Number),
      model: 'command-a-03-2025',
      choices: [{ index: 0, text: expect.stringMatching(/^LLMs stand for Large Language Models/), logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 71, completion_tokens: 418, total_tokens: 489 },
    });
    expect(response.headers.get('x-portkey-clamped-params')).toBe('top_p');
    expect(response.headers.get('x-portkey-dropped-params')).toBe('logit_bias');
  });

  it('streams content deltas as they arrive, then the finish and the usage chunk', async () => {
    setup.upstream.enqueue(replaySse(readSseFixture(fixture('cohere-text.sse.txt')), { delayMs: 50 }));
    const stream = await setup.client.completions.create({ model: 'command-a-03-2025', prompt: 'Capital of France?', stream: true, stream_options: { include_usage: true } });
    const arrivals: number[] = [];
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) {
      arrivals.push(Date.now());
      chunks.push(completionChunkSchema.parse(chunk) as OpenAI.Completion);
    }
    expect(setup.upstream.received.at(-1)!.body).toEqual({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Capital of France?' }], max_tokens: 16, stream: true });
    expect(chunks.map((chunk) => chunk.choices.map((choice) => choice.text).join('')).join('')).toBe('The capital of France is Paris.');
    expect(chunks.at(-2)!.choices).toEqual([{ index: 0, text: '', logprobs: null, finish_reason: 'stop' }]);
    expect(chunks.at(-1)).toMatchObject({ id: '321d178c-2c12-44d3-ae42-2f5510f6b1cc', choices: [], usage: { prompt_tokens: 507, completion_tokens: 10, total_tokens: 517 } });
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(200);
  });

  it('keeps an upstream 401 and its message, naming the provider', async () => {
    setup.upstream.enqueue(json(401, readJsonFixture(fixture('cohere-error-unauthorized.json'))));
    const error = await setup.client.completions.create({ model: 'command-a-03-2025', prompt: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ message: 'invalid api token', provider: 'cohere' });
  });

  it('refuses with a 400 naming every parameter it would clamp or drop in strict mode, without calling Cohere', async () => {
    const before = setup.upstream.received.length;
    const error = await setup.client.completions
      .create({ model: 'command-a-03-2025', prompt: 'x', top_p: 1, logit_bias: { '1': 1 } }, { headers: { 'x-portkey-strict-params': 'true' } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ code: 'unsupported_parameter', param: expect.stringMatching(/^(logit_bias,top_p|top_p,logit_bias)$/) });
    expect(setup.upstream.received.length).toBe(before);
  });

  it('answers a truncated stream with an in-band error instead of [DONE]', async () => {
    const cut = readSseFixture(fixture('cohere-text.sse.txt')).split('event: content-end')[0]!;
    setup.upstream.enqueue(replaySse(cut));
    const stream = await setup.client.completions.create({ model: 'command-a-03-2025', prompt: 'x', stream: true });
    const error = await (async () => {
      for await (const _chunk of stream) {
        // drain
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(String((error as Error).message)).toContain('message-end');
  });
});
