/**
 * Cloudflare Workers AI through the real handler and the openai SDK, against a loopback fake
 * answering its fixture: the run URL with the account id, the raw prompt body, its envelope
 * and stream turned into OpenAI completions, and the account id checked before any call.
 */
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { completionChunkSchema, completionResponseSchema } from '../../lib/api/completion-response.ts';
import { json, sse } from '../fakes/fake-upstream.ts';
import { useUpstreamAndGateway } from '../support/gateway-client.ts';

const fixture = JSON.parse(readFileSync(new URL('../../lib/providers/workers-ai/__fixtures__/workers-ai-run.json', import.meta.url), 'utf8')) as {
  accountId: string;
  upstream: { url: string };
  request: { prompt: string; raw: boolean; max_tokens: number };
  response: { result: { response: string; usage: Record<string, number> } };
  stream: unknown[];
  error: unknown;
};
const model = '@cf/meta/llama-2-7b-chat-int8';

const running = useUpstreamAndGateway();

function client(headers: Record<string, string> = {}): OpenAI {
  return new OpenAI({
    apiKey: 'cf-token',
    baseURL: running.gateway.baseURL,
    maxRetries: 0,
    defaultHeaders: {
      'x-portkey-provider': 'workers-ai',
      'x-portkey-workers-ai-account-id': fixture.accountId,
      'x-portkey-custom-host': `${running.upstream.url}/client/v4/accounts/${fixture.accountId}/ai`,
      ...headers,
    },
  });
}

describe('workers-ai', () => {
  it('runs the model with the raw prompt and answers a text_completion', async () => {
    running.upstream.enqueue(json(200, fixture.response));
    const { data, response } = await client()
      .completions.create({ model, prompt: fixture.request.prompt, max_tokens: fixture.request.max_tokens, stop: 'x', logprobs: 1 })
      .withResponse();
    const sent = running.upstream.received.at(-1)!;
    expect(`${running.upstream.url}${sent.path}`.replace(running.upstream.url, 'https://api.cloudflare.com')).toBe(fixture.upstream.url);
    expect(sent.headers.authorization).toBe('Bearer cf-token');
    expect(sent.body).toEqual(fixture.request);
    expect(response.headers.get('x-portkey-dropped-params')).toBe('logprobs,stop');
    expect(completionResponseSchema.parse(data).choices).toEqual([{ index: 0, text: fixture.response.result.response, logprobs: null, finish_reason: 'stop' }]);
    expect(data.usage).toEqual(fixture.response.result.usage);
  });

  it('says length when the answer used every token asked for', async () => {
    running.upstream.enqueue(json(200, fixture.response));
    const data = await client().completions.create({ model, prompt: 'p', max_tokens: 20 });
    expect(data.choices[0]!.finish_reason).toBe('length');
  });

  it('streams its response events, with the finish reason and usage last', async () => {
    running.upstream.enqueue(sse(fixture.stream, { done: false }));
    const stream = await client().completions.create({ model, prompt: fixture.request.prompt, max_tokens: 64, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) chunks.push(completionChunkSchema.parse(chunk) as OpenAI.Completion);
    expect(running.upstream.received.at(-1)!.body).toEqual({ ...fixture.request, stream: true });
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.text)).join('')).toBe('Hello, World');
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).at(-1)).toBe('stop');
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 11, completion_tokens: 2, total_tokens: 13 });
  });

  it('refuses a stream cut before [DONE]', async () => {
    running.upstream.enqueue(sse(fixture.stream.slice(0, 2), { done: false }));
    const stream = await client().completions.create({ model, prompt: 'p', stream: true });
    const failure = await (async () => {
      for await (const _chunk of stream) void _chunk;
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
  });

  it('keeps Cloudflare’s error message and code', async () => {
    running.upstream.enqueue(json(401, fixture.error));
    const error = (await client().completions.create({ model, prompt: 'p' }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(401);
    expect(error.error).toMatchObject({ message: 'Authentication error', code: '10000', provider: 'workers-ai' });
  });

  it('checks the account id and the model before any call, since they form the URL', async () => {
    const before = running.upstream.received.length;
    const defaultHost = new OpenAI({ apiKey: 'k', baseURL: running.gateway.baseURL, maxRetries: 0, defaultHeaders: { 'x-portkey-provider': 'workers-ai' } });
    for (const [headers, param] of [
      [{}, 'x-portkey-workers-ai-account-id'],
      [{ 'x-portkey-workers-ai-account-id': 'evil.com/x' }, 'x-portkey-workers-ai-account-id'],
    ] as const) {
      const error = (await defaultHost.completions.create({ model, prompt: 'p' }, { headers }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.error).toMatchObject({ param });
    }
    const badModel = (await client().completions.create({ model: '@cf/../../../user/tokens', prompt: 'p' }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(badModel).toBeInstanceOf(OpenAI.BadRequestError);
    expect(badModel.error).toMatchObject({ param: 'model' });
    expect(running.upstream.received.length).toBe(before);
  });
});
