import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionChunkSchema, completionResponseSchema } from '../../lib/api/completion-response.ts';
import { json, sse } from '../fakes/fake-upstream.ts';
import { useGatewayClient } from '../support/gateway-client.ts';
import { OPENAI_COMPLETION, openAIChunk } from '../fakes/openai-samples.ts';

describe('the openai SDK through the local gateway to an OpenAI-compatible upstream', () => {
  const setup = useGatewayClient({ provider: 'openai', apiKey: 'sk-test-key', hostPath: '/v1' });

  it('completes a prompt and forwards the key and OpenAI headers', async () => {
    setup.upstream.enqueue(json(200, OPENAI_COMPLETION));
    const { data, response } = await setup.client.completions
      .create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7, temperature: 0 }, {
        headers: { 'x-portkey-openai-organization': 'org-1', 'x-portkey-openai-project': 'proj-1', 'x-portkey-trace-id': 'trace-123' },
      })
      .withResponse();

    expect(completionResponseSchema.parse(data)).toMatchObject({ id: OPENAI_COMPLETION.id, choices: OPENAI_COMPLETION.choices, usage: OPENAI_COMPLETION.usage });
    expect(response.headers.get('x-portkey-provider')).toBe('openai');
    expect(response.headers.get('x-portkey-trace-id')).toBe('trace-123');
    const sent = setup.upstream.received.at(-1)!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/completions');
    expect(sent.headers.authorization).toBe('Bearer sk-test-key');
    expect(sent.headers['openai-organization']).toBe('org-1');
    expect(sent.headers['openai-project']).toBe('proj-1');
    expect(sent.body).toEqual({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7, temperature: 0 });
  });

  it('generates a trace id when the caller sends none', async () => {
    setup.upstream.enqueue(json(200, OPENAI_COMPLETION));
    const { response } = await setup.client.completions.create({ model: 'm', prompt: 'x' }).withResponse();
    expect(response.headers.get('x-portkey-trace-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('streams chunks as the upstream sends them, then usage and [DONE]', async () => {
    const events = [
      openAIChunk('This', null),
      openAIChunk(' is', null),
      openAIChunk(' a test', 'length'),
      { ...openAIChunk('', null), choices: [], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } },
    ];
    // Ordered by events, not wall-clock gaps: the upstream writes event k+1 only once the client
    // has received event k. A gateway that buffered would hold event k back, and the upstream
    // would move on only after its bounded wait, which `releasedBy` records.
    let arrived: () => void = () => {};
    const releasedBy: string[] = [];
    setup.upstream.enqueue(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const [position, event] of events.entries()) {
        const received = new Promise<string>((resolve) => (arrived = () => resolve('client')));
        response.write(`data: ${JSON.stringify(event)}\n\n`);
        if (position < events.length - 1) {
          let timer: NodeJS.Timeout | undefined;
          releasedBy.push(await Promise.race([received, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('timeout'), 5_000)))]));
          clearTimeout(timer);
        }
      }
      response.end('data: [DONE]\n\n');
    });
    const stream = await setup.client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Say this is a test',
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Completion[] = [];
    for await (const part of stream) {
      chunks.push(completionChunkSchema.parse(part) as OpenAI.Completion);
      arrived();
    }
    expect(chunks.filter((each) => each.choices.length > 0).map((each) => each.choices[0]!.text).join('')).toBe('This is a test');
    expect(chunks.find((each) => each.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('length');
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
    // Every event reached the client before the upstream sent the next one: nothing was buffered.
    expect(releasedBy).toEqual(['client', 'client', 'client']);
    expect(setup.upstream.received.at(-1)!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('keeps an upstream 4xx status and message, naming the provider', async () => {
    setup.upstream.enqueue(json(401, { error: { message: 'Incorrect API key provided: sk-test***', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }));
    const error = await setup.client.completions.create({ model: 'm', prompt: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(401);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ code: 'invalid_api_key', provider: 'openai' });
  });

  it('keeps an upstream 5xx status', async () => {
    setup.upstream.enqueue(json(503, { error: { message: 'The engine is currently overloaded', type: 'server_error' } }));
    const error = await setup.client.completions.create({ model: 'm', prompt: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('overloaded');
  });

  it('aborts the upstream request when the caller disconnects mid-stream', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    setup.upstream.enqueue(async (_request, response, raw) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${JSON.stringify(openAIChunk('first', null))}\n\n`);
      raw.socket.once('close', upstreamClosed);
      // Never ends on its own: only the gateway closing the connection ends this.
    });
    const controller = new AbortController();
    const stream = await setup.client.completions.create({ model: 'm', prompt: 'x', stream: true }, { signal: controller.signal });
    for await (const part of stream) {
      expect(part.choices[0]!.text).toBe('first');
      controller.abort();
      break;
    }
    await expect(Promise.race([closed.then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, 5000, 'still open'))])).resolves.toBe('closed');
  });
});
