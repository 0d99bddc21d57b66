/**
 * Replicate through the real handler and the openai SDK, against a loopback fake answering its
 * fixture: one prediction in one call with `Prefer: wait`, the model's path, the output pieces
 * joined and its token metrics as usage; an unfinished prediction and a stream are refused.
 */
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { completionResponseSchema } from '../../lib/api/completion-response.ts';
import { json } from '../fakes/fake-upstream.ts';
import { useUpstreamAndGateway } from '../support/gateway-client.ts';

const fixture = JSON.parse(readFileSync(new URL('../../lib/providers/replicate/__fixtures__/replicate-prediction.json', import.meta.url), 'utf8')) as {
  upstream: { url: string };
  request: { input: { prompt: string; max_tokens: number; temperature: number } };
  response: Record<string, unknown> & { id: string };
};

const running = useUpstreamAndGateway();

const client = () =>
  new OpenAI({ apiKey: 'r8_token', baseURL: running.gateway.baseURL, maxRetries: 0, defaultHeaders: { 'x-portkey-provider': 'replicate', 'x-portkey-custom-host': `${running.upstream.url}/v1` } });

describe('replicate', () => {
  it('creates the prediction with Prefer: wait and answers its joined output', async () => {
    running.upstream.enqueue(json(201, fixture.response));
    const { input } = fixture.request;
    const data = await client().completions.create({ model: 'meta/meta-llama-3-8b-instruct', prompt: input.prompt, max_tokens: input.max_tokens, temperature: input.temperature });
    const sent = running.upstream.received.at(-1)!;
    expect(sent.path).toBe(new URL(fixture.upstream.url).pathname);
    expect(sent.headers.prefer).toBe('wait');
    expect(sent.headers.authorization).toBe('Bearer r8_token');
    expect(sent.body).toEqual(fixture.request);
    expect(completionResponseSchema.parse(data)).toMatchObject({ id: fixture.response.id, choices: [{ index: 0, text: ' Paris.', finish_reason: 'stop' }] });
    expect(data.usage).toEqual({ prompt_tokens: 6, completion_tokens: 2, total_tokens: 8 });
  });

  it('runs a version, with stop sequences as its comma list', async () => {
    running.upstream.enqueue(json(201, fixture.response));
    const version = 'a'.repeat(64);
    await client().completions.create({ model: `owner/model:${version}`, prompt: 'p', max_tokens: 5, stop: ['\n', 'END'] });
    const sent = running.upstream.received.at(-1)!;
    expect(sent.path).toBe('/v1/predictions');
    expect(sent.body).toEqual({ version, input: { prompt: 'p', max_tokens: 5, stop_sequences: '\n,END' } });
  });

  it('sends the penalties under the Llama 3.x schema’s names, and drops what it lacks', async () => {
    running.upstream.enqueue(json(201, fixture.response));
    const { response } = await client()
      .completions.create({ model: 'meta/meta-llama-3-8b-instruct', prompt: 'p', presence_penalty: 0.5, frequency_penalty: 0.25, seed: 7 })
      .withResponse();
    expect(running.upstream.received.at(-1)!.body).toEqual({ input: { prompt: 'p', max_tokens: 16, presence_penalty: 0.5, frequency_penalty: 0.25 } });
    expect(response.headers.get('x-portkey-dropped-params')).toBe('seed');
  });

  it('answers 504 when the prediction outlives the wait, and refuses a stream before any call', async () => {
    running.upstream.enqueue(json(201, { ...fixture.response, status: 'processing', output: null }));
    const waiting = (await client().completions.create({ model: 'meta/meta-llama-3-8b-instruct', prompt: 'p' }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(waiting.status).toBe(504);
    expect(waiting.error).toMatchObject({ code: 'prediction_not_finished' });

    const before = running.upstream.received.length;
    const stream = (await client()
      .completions.create({ model: 'meta/meta-llama-3-8b-instruct', prompt: 'p', stream: true })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(stream).toBeInstanceOf(OpenAI.BadRequestError);
    expect(stream.error).toMatchObject({ param: 'stream' });
    expect(running.upstream.received.length).toBe(before);
  });
});
