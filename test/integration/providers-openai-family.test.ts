/**
 * Each OpenAI-family provider through the real handler behind the local server, against a
 * loopback fake: the exact upstream path, headers and body, and what the openai SDK gets back.
 * Upstream answers are the fixtures recorded from each provider's docs (see their `source`).
 */
import { readFileSync } from 'node:fs';
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { completionChunkSchema, completionResponseSchema } from '../../lib/api/completion-response.ts';
import { json, sse } from '../fakes/fake-upstream.ts';
import { useUpstreamAndGateway } from '../support/gateway-client.ts';

interface Fixture {
  source: string;
  request: Record<string, unknown>;
  response: { id?: string; choices: Array<Record<string, unknown>>; usage?: Record<string, number> };
  stream?: unknown[];
}
const fixture = (provider: string): Fixture =>
  JSON.parse(readFileSync(new URL(`../../lib/providers/${provider}/__fixtures__/${provider}-completion.json`, import.meta.url), 'utf8')) as Fixture;

const running = useUpstreamAndGateway();

function client(provider: string, headers: Record<string, string> = {}, apiKey = 'provider-key-123'): OpenAI {
  return new OpenAI({
    apiKey,
    baseURL: running.gateway.baseURL,
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-provider': provider, 'x-portkey-custom-host': `${running.upstream.url}/v1`, ...headers },
  });
}

async function collect(stream: AsyncIterable<OpenAI.Completion>): Promise<OpenAI.Completion[]> {
  const chunks: OpenAI.Completion[] = [];
  for await (const chunk of stream) chunks.push(completionChunkSchema.parse(chunk) as OpenAI.Completion);
  return chunks;
}

describe('azure-openai', () => {
  const azure = fixture('azure-openai');

  it('posts to the deployment path with api-version and the api-key header', async () => {
    running.upstream.enqueue(json(200, azure.response));
    const { data, response } = await client('azure-openai', {
      'x-portkey-custom-host': `${running.upstream.url}/openai`,
      'x-portkey-azure-resource-name': 'my-resource',
      'x-portkey-azure-deployment-id': 'gpt-35-instruct',
      'x-portkey-azure-api-version': '2024-06-01',
    })
      .completions.create({ model: 'gpt-35-turbo-instruct', ...(azure.request as { prompt: string }), best_of: 2, n: 1 })
      .withResponse();

    const sent = running.upstream.received.at(-1)!;
    expect(sent.path).toBe('/openai/deployments/gpt-35-instruct/completions?api-version=2024-06-01');
    expect(sent.headers['api-key']).toBe('provider-key-123');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual({ model: 'gpt-35-turbo-instruct', ...azure.request, best_of: 2 });
    expect(completionResponseSchema.parse(data)).toMatchObject({ id: azure.response.id, choices: azure.response.choices });
    // Azure's example has no usage; the gateway still answers a complete text_completion, with its
    // own count of the prompt and the text (never zeros), and says so in a header.
    const prompt = countTokens(String(azure.request.prompt));
    const completion = countTokens(azure.response.choices.map((choice) => String(choice.text)).join(''));
    expect(prompt).toBeGreaterThan(0);
    expect(data.usage).toEqual({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });
    expect(response.headers.get('x-portkey-usage-estimated')).toBe('true');
    expect(response.headers.get('x-portkey-provider')).toBe('azure-openai');
  });

  it('uses the default api-version, and refuses without a deployment', async () => {
    running.upstream.enqueue(json(200, azure.response));
    const azureClient = client('azure-openai', { 'x-portkey-custom-host': `${running.upstream.url}/openai`, 'x-portkey-azure-deployment-id': 'd' });
    await azureClient.completions.create({ model: 'm', prompt: 'x' });
    expect(running.upstream.received.at(-1)!.path).toBe('/openai/deployments/d/completions?api-version=2024-10-21');

    const error = await client('azure-openai', { 'x-portkey-custom-host': `${running.upstream.url}/openai` })
      .completions.create({ model: 'm', prompt: 'x' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ param: 'x-portkey-azure-deployment-id' });
  });
});

describe('together-ai', () => {
  const together = fixture('together-ai');

  it('sends stop as a list, drops user, emulates echo and maps its own finish reasons', async () => {
    running.upstream.enqueue(json(200, together.response));
    const { data, response } = await client('together-ai')
      .completions.create({ model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo', prompt: 'The largest city in France is', max_tokens: 1, stop: '\n', echo: true, user: 'u-1' })
      .withResponse();
    const sent = running.upstream.received.at(-1)!;
    expect(sent.path).toBe('/v1/completions');
    expect(sent.headers.authorization).toBe('Bearer provider-key-123');
    expect(sent.body).toEqual({ model: 'meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo', prompt: 'The largest city in France is', max_tokens: 1, stop: ['\n'] });
    expect(response.headers.get('x-portkey-dropped-params')).toBe('user');
    expect(data.choices).toEqual([{ index: 0, text: 'The largest city in France is Paris', logprobs: null, finish_reason: 'length' }]);
    expect(data.usage).toEqual(together.response.usage);
    expect(data.id).toBe(together.response.id);
  });

  it('streams its completion.chunk events as OpenAI chunks ("eos" becomes stop)', async () => {
    running.upstream.enqueue(sse(together.stream!));
    const chunks = await collect(
      await client('together-ai').completions.create({ model: 'm', prompt: 'The largest city in France is', stream: true, stream_options: { include_usage: true } }),
    );
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.text)).join('')).toBe(' Paris.');
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason))).toEqual([null, 'stop']);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 } });
  });

  it('refuses token-id prompts with a 400 naming prompt', async () => {
    const before = running.upstream.received.length;
    const error = await client('together-ai').completions.create({ model: 'm', prompt: [1, 2, 3] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ param: 'prompt', code: 'unsupported_parameter' });
    expect((error as Error).message).toContain('only text prompts');
    expect(running.upstream.received.length).toBe(before);
  });
});

describe('fireworks-ai', () => {
  const fireworks = fixture('fireworks-ai');

  it('passes a prompt batch in one call and drops what its schema lacks', async () => {
    running.upstream.enqueue(json(200, fireworks.response));
    const { data, response } = await client('fireworks-ai')
      .completions.create({ model: 'accounts/fireworks/models/llama-v3p1-8b-instruct', prompt: ['The sky is', 'The grass is'], max_tokens: 16, seed: 7, logit_bias: { '50256': -100 } })
      .withResponse();
    const sent = running.upstream.received.at(-1)!;
    expect(sent.path).toBe('/v1/completions');
    expect(sent.body).toEqual({ model: 'accounts/fireworks/models/llama-v3p1-8b-instruct', prompt: ['The sky is', 'The grass is'], max_tokens: 16 });
    expect(response.headers.get('x-portkey-dropped-params')).toBe('logit_bias,seed');
    expect(data.choices.map((choice) => choice.text)).toEqual(fireworks.response.choices.map((choice) => choice.text));
    expect(data.usage).toEqual({ prompt_tokens: 8, completion_tokens: 14, total_tokens: 22 });
  });

  it('passes token-id prompts', async () => {
    running.upstream.enqueue(json(200, fireworks.response));
    await client('fireworks-ai').completions.create({ model: 'm', prompt: [[1, 2], [3]] });
    expect(running.upstream.received.at(-1)!.body).toMatchObject({ prompt: [[1, 2], [3]] });
  });
});

describe('deepinfra', () => {
  const deepinfra = fixture('deepinfra');

  it('sends one string prompt per call and merges a prompt array in order', async () => {
    running.upstream.enqueue(json(200, deepinfra.response), json(200, { ...deepinfra.response, choices: [{ index: 0, text: 'second', finish_reason: 'length' }] }));
    const { data } = await client('deepinfra')
      .completions.create({ model: 'deepseek-ai/DeepSeek-V3', prompt: ['first prompt', 'second prompt'], stop: ['<|end▁of▁sentence|>'], echo: false })
      .withResponse();
    const sent = running.upstream.received.slice(-2);
    expect(sent.map((request) => request.path)).toEqual(['/v1/completions', '/v1/completions']);
    expect(sent.map((request) => (request.body as { prompt: string }).prompt).sort()).toEqual(['first prompt', 'second prompt']);
    expect(sent[0]!.body).toMatchObject({ stop: ['<|end▁of▁sentence|>'], echo: false });
    expect(data.choices.map((choice) => [choice.index, choice.finish_reason])).toEqual([
      [0, 'stop'],
      [1, 'length'],
    ]);
    expect(data.usage).toEqual({ prompt_tokens: 18, completion_tokens: 20, total_tokens: 38 });
  });
});

describe('openrouter', () => {
  const openrouter = fixture('openrouter');

  it('emulates n with parallel calls and drops the legacy logprobs', async () => {
    running.upstream.enqueue(json(200, openrouter.response), json(200, openrouter.response));
    const { data, response } = await client('openrouter')
      .completions.create({ model: 'openai/gpt-3.5-turbo-instruct', prompt: 'The meaning of life is', n: 2, logprobs: 2 })
      .withResponse();
    const sent = running.upstream.received.slice(-2);
    expect(sent.map((request) => request.body)).toEqual([
      { model: 'openai/gpt-3.5-turbo-instruct', prompt: 'The meaning of life is', max_tokens: 16 },
      { model: 'openai/gpt-3.5-turbo-instruct', prompt: 'The meaning of life is', max_tokens: 16 },
    ]);
    expect(sent[0]!.path).toBe('/v1/completions');
    expect(response.headers.get('x-portkey-dropped-params')).toBe('logprobs');
    expect(data.choices.map((choice) => [choice.index, choice.text])).toEqual([
      [0, ' to find happiness.'],
      [1, ' to find happiness.'],
    ]);
    expect(data.usage).toEqual({ prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 });
  });

  it('ignores its SSE comments while streaming', async () => {
    const events = openrouter.stream!;
    running.upstream.enqueue(async (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const event of events) response.write(typeof event === 'string' ? `${event}\n\n` : `data: ${JSON.stringify(event)}\n\n`);
      response.end('data: [DONE]\n\n');
    });
    const chunks = await collect(
      await client('openrouter').completions.create({ model: 'm', prompt: 'The meaning of life is', stream: true, stream_options: { include_usage: true } }),
    );
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.text)).join('')).toBe(' to love.');
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
  });
});

describe('ollama', () => {
  const ollama = fixture('ollama');

  it('needs no key, and keeps suffix while dropping what it lists as unsupported', async () => {
    running.upstream.enqueue(json(200, ollama.response));
    const response = await fetch(`${running.gateway.baseURL}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-portkey-provider': 'ollama', 'x-portkey-custom-host': `${running.upstream.url}/v1` },
      body: JSON.stringify({ model: 'llama3.2', prompt: 'Say this is a test', suffix: '!', logit_bias: { '1': 1 }, user: 'u' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-portkey-dropped-params')).toBe('logit_bias,user');
    const sent = running.upstream.received.at(-1)!;
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual({ model: 'llama3.2', prompt: 'Say this is a test', suffix: '!', max_tokens: 16 });
    const body = completionResponseSchema.parse(await response.json());
    expect(body.choices).toEqual([{ index: 0, text: 'This is a test.', logprobs: null, finish_reason: 'stop' }]);
    expect(body.system_fingerprint).toBe('fp_ollama');
  });

  it('sends a one-element prompt array as a string, since it accepts only strings', async () => {
    running.upstream.enqueue(sse(ollama.stream!));
    const chunks = await collect(await client('ollama').completions.create({ model: 'llama3.2', prompt: ['Say this is a test'], stream: true }));
    expect(running.upstream.received.at(-1)!.body).toMatchObject({ prompt: 'Say this is a test', stream: true });
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.text)).join('')).toBe('This is a test.');
  });
});

describe('vllm', () => {
  const vllm = fixture('vllm');

  it('refuses a request without a custom host with a 400 that says so', async () => {
    const error = await new OpenAI({ apiKey: 'k', baseURL: running.gateway.baseURL, maxRetries: 0, defaultHeaders: { 'x-portkey-provider': 'vllm' } })
      .completions.create({ model: 'm', prompt: 'x' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ param: 'x-portkey-custom-host', code: 'missing_custom_host' });
  });

  it('passes everything but suffix to the custom host, token prompts included', async () => {
    running.upstream.enqueue(json(200, vllm.response));
    const { data, response } = await client('vllm')
      .completions.create({ model: 'NousResearch/Meta-Llama-3-8B-Instruct', prompt: [[9906, 11]], suffix: 'end', logprobs: 1, echo: true, best_of: 2, seed: 1 })
      .withResponse();
    expect(running.upstream.received.at(-1)!.body).toEqual({ model: 'NousResearch/Meta-Llama-3-8B-Instruct', prompt: [[9906, 11]], logprobs: 1, echo: true, best_of: 2, seed: 1, max_tokens: 16 });
    expect(response.headers.get('x-portkey-dropped-params')).toBe('suffix');
    expect(data.choices[0]).toEqual({ index: 0, text: ' city in northern California', logprobs: null, finish_reason: 'length' });
  });
});

const upstreamError = {
  message: "This model's maximum context length is 4097 tokens, however you requested 5000 tokens. Please reduce your prompt; or completion length.",
  type: 'invalid_request_error',
  param: 'max_tokens',
  code: 'context_length_exceeded',
};

async function failure(run: () => Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await run();
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error;
    throw error;
  }
  throw new Error('the request succeeded');
}

/**
 * An upstream's own error reaches the caller with its `message`, `type`, `param` and `code`.
 * The error body is OpenAI's documented shape.
 * @see https://platform.openai.com/docs/guides/error-codes/api-errors
 */
describe('an upstream error keeps message, type, param and code', () => {
  it('for a whole answer', async () => {
    running.upstream.enqueue(json(400, { error: upstreamError }));
    const error = await failure(() => client('openai').completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi', max_tokens: 5000 }));
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ ...upstreamError, provider: 'openai' });
  });

  it('for a stream refused before its first byte', async () => {
    running.upstream.enqueue(json(400, { error: upstreamError }));
    const error = await failure(async () => {
      const stream = await client('openai').completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi', max_tokens: 5000, stream: true });
      for await (const _chunk of stream) void _chunk;
    });
    expect(error.status).toBe(400);
    expect(error.error).toMatchObject({ ...upstreamError, provider: 'openai' });
  });

  it('for an error event that opens a 200 stream', async () => {
    running.upstream.enqueue(sse([{ error: upstreamError }], { done: false }));
    const error = await failure(async () => {
      const stream = await client('openai').completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi', stream: true });
      for await (const _chunk of stream) void _chunk;
    });
    expect(error.status).toBe(502);
    expect(error.error).toMatchObject({ type: upstreamError.type, param: upstreamError.param, code: upstreamError.code, provider: 'openai' });
    expect((error.error as { message: string }).message).toContain(upstreamError.message);
  });
});
