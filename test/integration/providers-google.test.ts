/**
 * The openai SDK through the local gateway to a loopback stand-in for the Gemini API:
 * the exact upstream path, headers and body, and the exact answer the caller gets.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionChunkSchema } from '../../lib/api/completion-response.ts';
import { type Responder, json, replaySse } from '../fakes/fake-upstream.ts';
import { readJsonFixture, readSseFixture } from '../support/provider-fixtures.ts';
import { useGatewayClient } from '../support/gateway-client.ts';

const fixture = (name: string) => new URL(`../../lib/providers/google/__fixtures__/${name}`, import.meta.url);


describe('the openai SDK through the gateway to google', () => {
  const setup = useGatewayClient({ provider: 'google', apiKey: 'AIza-test-key', hostPath: '/v1beta' });

  it('completes through generateContent with the key header and generationConfig', async () => {
    setup.upstream.enqueue(json(200, readJsonFixture(fixture('google-candidates-logprobs.json'))));
    const { data, response } = await setup.client.completions
      .create({ model: 'gemini-2.0-flash', prompt: 'Say hi', max_tokens: 5, n: 2, logprobs: 2, stop: 'END', user: 'u-1' })
      .withResponse();

    const sent = setup.upstream.received.at(-1)!;
    expect(sent.path).toBe('/v1beta/models/gemini-2.0-flash:generateContent');
    expect(sent.headers['x-goog-api-key']).toBe('AIza-test-key');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Say hi' }] }],
      generationConfig: { maxOutputTokens: 5, candidateCount: 2, logprobs: 2, responseLogprobs: true, stopSequences: ['END'] },
    });
    expect(data).toEqual({
      id: expect.stringMatching(/^cmpl-/),
      object: 'text_completion',
      created: expect.any(Number),
      model: 'gemini-2.0-flash',
      choices: [
        {
          index: 0,
          text: 'Hi there',
          finish_reason: 'stop',
          logprobs: { tokens: ['Hi', ' there'], token_logprobs: [-0.1, -0.3], top_logprobs: [{ Hi: -0.1, Hello: -2.4 }, { ' there': -0.3 }], text_offset: [0, 2] },
        },
        { index: 1, text: 'Hello', finish_reason: 'length', logprobs: { tokens: ['Hello'], token_logprobs: [-2.4], top_logprobs: [{ Hello: -2.4 }], text_offset: [0] } },
      ],
      usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 },
    });
    expect(response.headers.get('x-portkey-dropped-params')).toBe('user');
  });

  it('streams through streamGenerateContent?alt=sse, then usage and [DONE]', async () => {
    setup.upstream.enqueue(replaySse(readSseFixture(fixture('google-text.sse.txt')), { delayMs: 150, lineEnding: '\r\n' }));
    const stream = await setup.client.completions.create({ model: 'models/gemini-3-pro-preview', prompt: 'How many r in strawberry?', stream: true, stream_options: { include_usage: true } });
    const arrivals: number[] = [];
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) {
      arrivals.push(Date.now());
      chunks.push(completionChunkSchema.parse(chunk) as OpenAI.Completion);
    }
    expect(setup.upstream.received.at(-1)!.path).toBe('/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse');
    expect(chunks.map((chunk) => chunk.choices.map((choice) => [choice.text, choice.finish_reason]))).toEqual([
      [['There are **3**', null]],
      [[' "r"s in strawberry.\n\nst**r**awbe**rr**y', null]],
      [['', 'stop']],
      [],
    ]);
    expect(chunks[0]!.id).toBe('bH6LaZW8Fp_3nsEPqtaSwQ4');
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 9, completion_tokens: 208, total_tokens: 217 });
    // Paced 150 ms apart upstream (300 ms in all); a buffering gateway would deliver everything at once.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(150);
  });

  it('keeps an upstream 400 with Google’s status as the code', async () => {
    setup.upstream.enqueue(json(400, readJsonFixture(fixture('google-error-invalid-key.json'))));
    const error = await setup.client.completions.create({ model: 'gemini-2.0-flash', prompt: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      message: 'API key not valid. Please pass a valid API key.',
      code: 'INVALID_ARGUMENT',
      provider: 'google',
    });
  });

  it('fans out a prompt array but leaves n to candidateCount, indexing choices the OpenAI way', async () => {
    const previousFallback = setup.upstream.fallback;
    setup.upstream.fallback = (request, response) => {
      const body = request.body as { contents: Array<{ parts: Array<{ text: string }> }>; generationConfig: { candidateCount: number } };
      const prompt = body.contents[0]!.parts[0]!.text;
      const candidates = Array.from({ length: body.generationConfig.candidateCount }, (_, index) => ({
        index,
        content: { parts: [{ text: `${prompt}${index}` }], role: 'model' },
        finishReason: 'STOP',
      }));
      const events = `data: ${JSON.stringify({ candidates, usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 2, totalTokenCount: 3 } })}\n\n`;
      return replaySse(events, { lineEnding: '\r\n' })(request, response, undefined as never);
    };
    try {
      const before = setup.upstream.received.length;
      const stream = await setup.client.completions.create({ model: 'gemini-2.0-flash', prompt: ['a', 'b'], n: 2, stream: true, stream_options: { include_usage: true } });
      const texts: Record<number, string> = {};
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const chunk of stream) {
        for (const choice of chunk.choices) texts[choice.index] = (texts[choice.index] ?? '') + choice.text;
        if (chunk.usage) usage = chunk.usage;
      }
      expect(setup.upstream.received.length - before).toBe(2);
      expect(texts).toEqual({ 0: 'a0', 1: 'a1', 2: 'b0', 3: 'b1' });
      expect(usage).toEqual({ prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 });
    } finally {
      setup.upstream.fallback = previousFallback;
    }
  });
});
