/**
 * An upstream's own error reaches the caller with its `message`, `type`, `param` and `code`:
 * for a whole answer, for a stream refused before its first byte, and for an error event that
 * opens a 200 stream. Real handler behind the local server, a loopback fake, the openai SDK.
 * The error body is OpenAI's documented shape.
 * @see https://platform.openai.com/docs/guides/error-codes/api-errors
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, sse, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { startGateway, type RunningGateway } from '../support/start-gateway.ts';

let upstream: FakeUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

const upstreamError = {
  message: "This model's maximum context length is 4097 tokens, however you requested 5000 tokens. Please reduce your prompt; or completion length.",
  type: 'invalid_request_error',
  param: 'max_tokens',
  code: 'context_length_exceeded',
};

function client(): OpenAI {
  return new OpenAI({
    apiKey: 'provider-key-123',
    baseURL: gateway.baseURL,
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` },
  });
}

async function failure(run: () => Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await run();
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error('the request succeeded');
}

describe('an upstream error keeps message, type, param and code', () => {
  it('for a whole answer', async () => {
    upstream.enqueue(json(400, { error: upstreamError }));
    const error = await failure(() => client().completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi', max_tokens: 5000 }));
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ ...upstreamError, provider: 'openai' });
  });

  it('for a stream refused before its first byte', async () => {
    upstream.enqueue(json(400, { error: upstreamError }));
    const error = await failure(async () => {
      const stream = await client().completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi', max_tokens: 5000, stream: true });
      for await (const _chunk of stream) void _chunk;
    });
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ ...upstreamError, provider: 'openai' });
  });

  it('for an error event that opens a 200 stream', async () => {
    upstream.enqueue(sse([{ error: upstreamError }], { done: false }));
    const error = await failure(async () => {
      const stream = await client().completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi', stream: true });
      for await (const _chunk of stream) void _chunk;
    });
    expect(error.status).toBe(502);
    expect(error.error).toMatchObject({ type: upstreamError.type, param: upstreamError.param, code: upstreamError.code, provider: 'openai' });
    expect((error.error as { message: string }).message).toContain(upstreamError.message);
  });
});
