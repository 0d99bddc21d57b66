/**
 * Issue #16's OpenAI-style providers, one row each, through the real handler behind the local
 * server against a loopback fake: the exact upstream path, headers and body, and what the
 * openai SDK gets back, whole and streamed. Every upstream request and answer is the provider's
 * fixture (see its `source`); the default URL (no custom host) is checked against the fixture's.
 */
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { parseCompletionRequest } from '../../lib/api/completion-request.ts';
import { completionChunkSchema, completionResponseSchema } from '../../lib/api/completion-response.ts';
import type { ProviderTarget } from '../../lib/config/target.ts';
import { previewUpstreamRequest } from '../../lib/providers/preview-upstream-request.ts';
import { loadProvider } from '../../lib/providers/provider-lookup.ts';
import { json, sse } from '../fakes/fake-upstream.ts';
import { useUpstreamAndGateway } from '../support/gateway-client.ts';

interface Fixture {
  source: string;
  upstream: { url: string; headers: Record<string, string> };
  request: { model: string; prompt?: string; suffix?: string; messages?: Array<{ content: string }>; max_tokens: number };
  streamRequest?: Record<string, unknown>;
  response: { id?: string; choices: Array<{ text?: string; message?: { content: string }; finish_reason: string }>; usage: Record<string, number> };
  stream: unknown[];
}

interface Row {
  provider: string;
  fixture: string;
  /** The custom host's path: the part of the fixture's URL a custom host replaces. */
  base: string;
  /** Provider fields the default URL needs (previewed without a custom host). */
  fields?: Partial<ProviderTarget>;
  /** True for servers without a default host: without a custom host the gateway says so. */
  selfHosted?: boolean;
}

const rows: Row[] = [
  { provider: 'x-ai', fixture: 'x-ai-completion', base: '/v1' },
  { provider: 'cerebras', fixture: 'cerebras-completion', base: '/v1' },
  { provider: 'nebius', fixture: 'nebius-completion', base: '/v1' },
  { provider: 'featherless-ai', fixture: 'featherless-ai-completion', base: '/v1' },
  { provider: 'novita-ai', fixture: 'novita-ai-completion', base: '/openai/v1' },
  { provider: 'hyperbolic', fixture: 'hyperbolic-completion', base: '/v1' },
  { provider: 'deepseek', fixture: 'deepseek-chat', base: '' },
  { provider: 'sglang', fixture: 'sglang-completion', base: '/v1', selfHosted: true },
  { provider: 'lm-studio', fixture: 'lm-studio-completion', base: '/v1', selfHosted: true },
  { provider: 'llamacpp', fixture: 'llamacpp-completion', base: '/v1', selfHosted: true },
  { provider: 'huggingface', fixture: 'huggingface-completion', base: '/v1', selfHosted: true },
  { provider: 'groq', fixture: 'groq-chat', base: '/openai/v1' },
  { provider: 'sambanova', fixture: 'sambanova-completion', base: '/v1' },
  { provider: 'perplexity-ai', fixture: 'perplexity-ai-chat', base: '' },
  { provider: 'github', fixture: 'github-chat', base: '/inference' },
  { provider: 'azure-ai', fixture: 'azure-ai-chat', base: '/models', fields: { azure_foundry_url: 'https://my-resource.services.ai.azure.com/models' } },
  { provider: 'ai21', fixture: 'ai21-chat', base: '/studio/v1' },
];

const load = (provider: string, name: string): Fixture =>
  JSON.parse(readFileSync(new URL(`../../lib/providers/${provider}/__fixtures__/${name}.json`, import.meta.url), 'utf8')) as Fixture;

const running = useUpstreamAndGateway();

function client(row: Row, headers: Record<string, string> = {}): OpenAI {
  return new OpenAI({
    apiKey: 'provider-key-123',
    baseURL: running.gateway.baseURL,
    maxRetries: 0,
    defaultHeaders: { 'x-portkey-provider': row.provider, 'x-portkey-custom-host': `${running.upstream.url}${row.base}`, ...headers },
  });
}

/** The completions request the caller sends for a fixture's upstream request. */
function callerRequest(fixture: Fixture): { model: string; prompt: string; max_tokens: number; suffix?: string } {
  const prompt = fixture.request.prompt ?? fixture.request.messages![0]!.content;
  return { model: fixture.request.model, prompt, max_tokens: fixture.request.max_tokens, ...(fixture.request.suffix ? { suffix: fixture.request.suffix } : {}) };
}

const textOf = (choice: Fixture['response']['choices'][number]) => choice.text ?? choice.message?.content ?? '';
const upstreamPath = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};
const counts = (usage: Record<string, number>) => ({ prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, total_tokens: usage.total_tokens });

/** The text and usage a fixture's stream carries, read from its events. */
function streamedAnswer(fixture: Fixture): { text: string; usage?: Record<string, number> } {
  let text = '';
  let usage: Record<string, number> | undefined;
  for (const event of fixture.stream) {
    if (typeof event === 'string') continue;
    const chunk = event as { choices?: Array<{ text?: string; delta?: { content?: string } }>; usage?: Record<string, number>; x_groq?: { usage?: Record<string, number> } };
    for (const choice of chunk.choices ?? []) text += choice.text ?? choice.delta?.content ?? '';
    usage = chunk.usage ?? chunk.x_groq?.usage ?? usage;
  }
  return usage ? { text, usage } : { text };
}

describe.each(rows)('$provider', (row) => {
  const fixture = load(row.provider, row.fixture);

  it('sends the documented request to the documented path and answers a text_completion', async () => {
    running.upstream.enqueue(json(200, fixture.response));
    const { data, response } = await client(row).completions.create(callerRequest(fixture)).withResponse();

    const sent = running.upstream.received.at(-1)!;
    expect(sent.path).toBe(upstreamPath(fixture.upstream.url));
    expect(sent.headers.authorization).toBe('Bearer provider-key-123');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.body).toEqual(fixture.request);
    const answer = completionResponseSchema.parse(data);
    expect(answer.choices.map((choice) => choice.text)).toEqual(fixture.response.choices.map(textOf));
    expect(answer.choices.map((choice) => choice.finish_reason)).toEqual(fixture.response.choices.map((choice) => choice.finish_reason));
    expect(answer.usage).toEqual(counts(fixture.response.usage));
    expect(response.headers.get('x-portkey-provider')).toBe(row.provider);
  });

  it('streams the documented events as OpenAI chunks, usage last', async () => {
    running.upstream.enqueue(sse(fixture.stream, { done: false }));
    const stream = await client(row).completions.create({ ...callerRequest(fixture), stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) chunks.push(completionChunkSchema.parse(chunk) as OpenAI.Completion);

    const sent = running.upstream.received.at(-1)!;
    expect(sent.path).toBe(upstreamPath(fixture.upstream.url));
    expect(sent.headers.accept).toBe('text/event-stream');
    expect(sent.body).toEqual(fixture.streamRequest);
    const expected = streamedAnswer(fixture);
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.text)).join('')).toBe(expected.text);
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).at(-1)).toBe('stop');
    expect(chunks.at(-1)!.usage).toEqual(counts(expected.usage!));
  });

  it(row.selfHosted ? 'refuses a request without a custom host' : 'has the documented URL by default', async () => {
    if (row.selfHosted && row.provider !== 'huggingface') {
      const error = await new OpenAI({ apiKey: 'k', baseURL: running.gateway.baseURL, maxRetries: 0, defaultHeaders: { 'x-portkey-provider': row.provider } })
        .completions.create(callerRequest(fixture))
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ param: 'x-portkey-custom-host', code: 'missing_custom_host' });
      return;
    }
    const provider = (await loadProvider(row.provider))!;
    const chat = row.provider === 'huggingface' ? load('huggingface', 'huggingface-chat') : fixture;
    const request = await previewUpstreamRequest(provider, {
      params: parseCompletionRequest(callerRequest(chat)),
      target: { provider: row.provider, api_key: 'k', ...row.fields },
      stream: false,
      forwardedHeaders: {},
      strict: false,
    });
    expect(request.url).toBe(chat.upstream.url);
    expect(JSON.parse(request.body as string)).toEqual(chat.request);
  });
});

describe('deepseek FIM', () => {
  const row = rows.find((candidate) => candidate.provider === 'deepseek')!;
  const fim = load('deepseek', 'deepseek-fim');

  it('sends a suffix to the FIM completions beta, and clamps max_tokens to its 4096', async () => {
    running.upstream.enqueue(json(200, fim.response));
    const { data, response } = await client(row).completions.create({ ...callerRequest(fim), max_tokens: 5000 }).withResponse();
    const sent = running.upstream.received.at(-1)!;
    expect(sent.path).toBe('/beta/completions');
    expect(sent.body).toEqual({ ...fim.request, max_tokens: 4096 });
    expect(response.headers.get('x-portkey-clamped-params')).toBe('max_tokens');
    expect(data.choices[0]!.text).toBe(fim.response.choices[0]!.text);
    expect(data.usage).toEqual(counts(fim.response.usage));
  });

  it('streams FIM completions', async () => {
    running.upstream.enqueue(sse(fim.stream, { done: false }));
    const stream = await client(row).completions.create({ ...callerRequest(fim), stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices.map((choice) => choice.text).join('');
    // Usage is always asked for, so the usage record counts exact tokens (DeepSeek's FIM takes stream_options).
    expect(running.upstream.received.at(-1)!.body).toEqual({ ...fim.request, stream: true, stream_options: { include_usage: true } });
    expect(text).toBe(streamedAnswer(fim).text);
  });
});

describe('chat-only providers', () => {
  const groq = rows.find((candidate) => candidate.provider === 'groq')!;
  const fixture = load('groq', 'groq-chat');

  it('emulate n with one call per choice, emulate echo, and drop what chat lacks', async () => {
    running.upstream.enqueue(json(200, fixture.response), json(200, fixture.response));
    const { data, response } = await client(groq)
      .completions.create({ ...callerRequest(fixture), n: 2, echo: true, logprobs: 1, suffix: 'x', stop: '\n' })
      .withResponse();
    const sent = running.upstream.received.slice(-2);
    for (const request of sent) expect(request.body).toEqual({ ...fixture.request, stop: '\n' });
    expect(response.headers.get('x-portkey-dropped-params')).toBe('logprobs,suffix');
    expect(data.choices.map((choice) => [choice.index, choice.text])).toEqual([
      [0, 'The capital of France isParis.'],
      [1, 'The capital of France isParis.'],
    ]);
  });

  it('refuse a stream that ends without [DONE]', async () => {
    running.upstream.enqueue(sse(fixture.stream.slice(0, 2), { done: false }));
    const stream = await client(groq).completions.create({ ...callerRequest(fixture), stream: true });
    const failure = await (async () => {
      for await (const _chunk of stream) void _chunk;
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
  });
});

describe('azure-ai', () => {
  const base = { provider: 'azure-ai', api_key: 'k' };
  const call = async (target: Partial<ProviderTarget>) =>
    previewUpstreamRequest((await loadProvider('azure-ai'))!, {
      params: parseCompletionRequest({ model: 'm', prompt: 'p' }),
      target: { ...base, ...target },
      stream: false,
      forwardedHeaders: {},
      strict: false,
    });

  it('builds its endpoint from the resource name, and takes another api-version', async () => {
    const request = await call({ azure_resource_name: 'my-resource', azure_api_version: '2025-01-01' });
    expect(request.url).toBe('https://my-resource.services.ai.azure.com/models/chat/completions?api-version=2025-01-01');
  });

  it('refuses a foundry URL off Azure, since it forms the host the key goes to', async () => {
    for (const url of ['https://evil.example.com/models', 'http://my-resource.services.ai.azure.com/models', 'https://x.services.ai.azure.com.evil.com/models']) {
      await expect(async () => call({ azure_foundry_url: url })).rejects.toMatchObject({ param: 'x-portkey-azure-foundry-url', code: 'invalid_provider_field' });
    }
    await expect(async () => call({ azure_resource_name: 'a.b/c' })).rejects.toMatchObject({ code: 'invalid_provider_field' });
  });
});

/**
 * What each provider's own reference says it takes (docs/provider-sources.md): a parameter it
 * lacks is dropped and named, one outside its range is clamped and named, the rest pass as sent.
 */
describe('parameters per the providers’ references', () => {
  const logitBias = { '50256': -100 };
  const cases: Array<{ provider: string; send: Record<string, unknown>; passed: Record<string, unknown>; dropped: string[]; clamped?: string[] }> = [
    { provider: 'x-ai', send: { logprobs: 2, frequency_penalty: 0.5, presence_penalty: 0.5, logit_bias: logitBias }, passed: { presence_penalty: 0.5 }, dropped: ['frequency_penalty', 'logit_bias', 'logprobs'] },
    { provider: 'cerebras', send: { temperature: 2, frequency_penalty: 0.5, presence_penalty: 0.5, seed: 7 }, passed: { temperature: 1.5, seed: 7 }, dropped: ['frequency_penalty', 'presence_penalty'], clamped: ['temperature'] },
    { provider: 'nebius', send: { seed: 7, logit_bias: logitBias, user: 'u' }, passed: { logit_bias: logitBias, user: 'u' }, dropped: ['seed'] },
    { provider: 'featherless-ai', send: { logprobs: 1, user: 'u', seed: 7, presence_penalty: 0.5 }, passed: { seed: 7, presence_penalty: 0.5 }, dropped: ['logprobs', 'user'] },
    { provider: 'novita-ai', send: { logit_bias: logitBias, user: 'u', seed: 7 }, passed: { logit_bias: logitBias, seed: 7 }, dropped: ['user'] },
    { provider: 'sambanova', send: { temperature: 1.5, logprobs: 1, seed: 7, frequency_penalty: 0.5 }, passed: { temperature: 1, seed: 7, frequency_penalty: 0.5 }, dropped: ['logprobs'], clamped: ['temperature'] },
    { provider: 'ai21', send: { max_tokens: 5000, seed: 7 }, passed: { max_tokens: 4096 }, dropped: ['seed'], clamped: ['max_tokens'] },
  ];
  const names = (header: string | null) => (header ? header.split(',').sort() : []);

  it.each(cases)('$provider', async ({ provider, send, passed, dropped, clamped }) => {
    const row = rows.find((candidate) => candidate.provider === provider)!;
    const fixture = load(row.provider, row.fixture);
    running.upstream.enqueue(json(200, fixture.response));
    const { response } = await client(row)
      .completions.create({ ...callerRequest(fixture), ...send } as OpenAI.CompletionCreateParamsNonStreaming)
      .withResponse();
    expect(running.upstream.received.at(-1)!.body).toEqual({ ...fixture.request, ...passed });
    expect(names(response.headers.get('x-portkey-dropped-params'))).toEqual(dropped);
    expect(names(response.headers.get('x-portkey-clamped-params'))).toEqual(clamped ?? []);
  });

  it('sambanova answers n and echo by the gateway, one upstream call per choice', async () => {
    const row = rows.find((candidate) => candidate.provider === 'sambanova')!;
    const fixture = load(row.provider, row.fixture);
    running.upstream.enqueue(json(200, fixture.response), json(200, fixture.response));
    const data = await client(row).completions.create({ ...callerRequest(fixture), n: 2, echo: true });
    for (const request of running.upstream.received.slice(-2)) expect(request.body).toEqual(fixture.request);
    expect(data.choices.map((choice) => choice.text)).toEqual(['The capital of France is Paris.', 'The capital of France is Paris.']);
  });
});
