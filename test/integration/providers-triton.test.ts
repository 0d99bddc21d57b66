/**
 * Triton's generate extension through the real handler and the openai SDK, against a loopback
 * fake answering its fixture: Portkey's custom host (the model's URL), the ensemble's inputs,
 * `text_output` whole and streamed, an error event after a 200, and no call without a host.
 */
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { completionResponseSchema } from '../../lib/api/completion-response.ts';
import { json, sse } from '../fakes/fake-upstream.ts';
import { useUpstreamAndGateway } from '../support/gateway-client.ts';

const fixture = JSON.parse(readFileSync(new URL('../../lib/providers/triton/__fixtures__/triton-generate.json', import.meta.url), 'utf8')) as {
  upstream: { url: string };
  streamUrl: string;
  request: { text_input: string; max_tokens: number };
  response: { text_output: string };
  stream: unknown[];
  streamError: unknown;
};
const path = (url: string) => new URL(url).pathname;

const running = useUpstreamAndGateway();

const client = (headers: Record<string, string> = { 'x-portkey-custom-host': `${running.upstream.url}/v2/models/ensemble` }) =>
  new OpenAI({ apiKey: 'unused', baseURL: running.gateway.baseURL, maxRetries: 0, defaultHeaders: { authorization: null, 'x-portkey-provider': 'triton', ...headers } });

describe('triton', () => {
  it('posts the ensemble inputs to {model URL}/generate and answers its text_output', async () => {
    running.upstream.enqueue(json(200, fixture.response));
    const { data, response } = await client()
      .completions.create({ model: 'ensemble', prompt: fixture.request.text_input, max_tokens: fixture.request.max_tokens, stop: '\n', seed: 1 })
      .withResponse();
    const sent = running.upstream.received.at(-1)!;
    expect(sent.path).toBe(path(fixture.upstream.url));
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual(fixture.request);
    expect(response.headers.get('x-portkey-dropped-params')).toBe('seed');
    expect(completionResponseSchema.parse(data).choices).toEqual([{ index: 0, text: fixture.response.text_output, logprobs: null, finish_reason: 'stop' }]);
  });

  it('streams from /generate_stream', async () => {
    running.upstream.enqueue(sse(fixture.stream, { done: false }));
    const stream = await client().completions.create({ model: 'ensemble', prompt: fixture.request.text_input, max_tokens: 3, stream: true });
    let text = '';
    const reasons: Array<string | null> = [];
    for await (const chunk of stream) for (const choice of chunk.choices) (text += choice.text), reasons.push(choice.finish_reason);
    expect(running.upstream.received.at(-1)!.path).toBe(path(fixture.streamUrl));
    expect(running.upstream.received.at(-1)!.body).toMatchObject({ text_input: fixture.request.text_input, stream: true });
    expect(text).toBe(' Paris.');
    expect(reasons.at(-1)).toBe('stop');
  });

  it('turns an error event after the first token into an in-band error', async () => {
    running.upstream.enqueue(sse([fixture.stream[0], fixture.streamError], { done: false }));
    const stream = await client().completions.create({ model: 'ensemble', prompt: 'p', stream: true });
    const failure = await (async () => {
      for await (const _chunk of stream) void _chunk;
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(String((failure as Error).message)).toContain('Executor failed');
  });

  it('refuses a request without a custom host', async () => {
    const error = (await client({}).completions.create({ model: 'ensemble', prompt: 'p' }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.error).toMatchObject({ code: 'missing_custom_host' });
  });
});
