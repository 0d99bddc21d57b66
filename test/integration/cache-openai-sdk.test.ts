/**
 * The cache's building blocks end to end, before the seam exists: a small loopback endpoint
 * completes with the real OpenAI provider module against a fake upstream, wrapped in
 * `withResponseCache`, and the real `openai` SDK calls it. What the gateway will do once wired:
 * MISS then HIT without an upstream call, stream and JSON serving each other, include_usage on a
 * replayed stream, REFRESH, credential scoping, and nothing stored from a broken stream.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseCompletionRequest } from '../../lib/api/completion-request.ts';
import { toGatewayError } from '../../lib/api/errors.ts';
import { renderResponse, renderStream } from '../../lib/api/render-completion.ts';
import { cacheCredentialOf, cacheKey } from '../../lib/cache/cache-key.ts';
import { CACHE_STATUS_HEADER, resolveCacheSettings } from '../../lib/cache/cache-settings.ts';
import { MemoryCacheStore } from '../../lib/cache/memory-cache-store.ts';
import { ResponseCache } from '../../lib/cache/response-cache.ts';
import { withResponseCache } from '../../lib/cache/with-response-cache.ts';
import { completeWithProvider } from '../../lib/providers/complete-with-provider.ts';
import { openAIProvider } from '../../lib/providers/openai/openai-provider.ts';
import { previewUpstreamRequest } from '../../lib/providers/preview-upstream-request.ts';
import type { ProviderCall } from '../../lib/providers/provider.ts';
import { markCustomHostTrusted } from '../../lib/keys/trusted-custom-host.ts';
import { OPENAI_COMPLETION, openAIChunk } from '../fakes/openai-samples.ts';
import { json, sse, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';

let upstream: FakeUpstream;
let endpoint: http.Server;
let baseURL: string;
let cache: ResponseCache;
const writes: Array<Promise<unknown>> = [];

/** Reads the body, completes through the cache, answers like the gateway. */
async function serve(raw: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of raw) chunks.push(chunk as Buffer);
  const headers = Object.fromEntries(Object.entries(raw.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : value]));
  try {
    const params = parseCompletionRequest(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    const stream = params.stream === true;
    // Operators' host (as if from a secret): the engine checks a caller's host's addresses at connect time.
    const target = markCustomHostTrusted({ provider: 'openai', api_key: headers.authorization!.replace(/^Bearer /, ''), custom_host: `${upstream.url}/v1` });
    const call: ProviderCall = { params, target, stream, forwardedHeaders: {}, strict: false };
    const { status, result } = await withResponseCache({
      cache,
      settings: resolveCacheSettings({ headers }),
      stream,
      key: async () => {
        const request = await previewUpstreamRequest(openAIProvider, call);
        return cacheKey({ provider: 'openai', url: request.url, body: request.body, credential: cacheCredentialOf(target) });
      },
      complete: () => completeWithProvider(openAIProvider, call, {}),
      onWrite: (write) => writes.push(write),
    });
    if (result.kind === 'response') {
      response.writeHead(200, { 'content-type': 'application/json', [CACHE_STATUS_HEADER]: status });
      response.end(JSON.stringify(renderResponse(result.part, { model: params.model })));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', [CACHE_STATUS_HEADER]: status });
    for await (const text of renderStream(result.parts, { model: params.model, includeUsage: params.stream_options?.include_usage === true })) response.write(text);
    response.end();
  } catch (error) {
    const gatewayError = toGatewayError(error);
    response.writeHead(gatewayError.statusCode, { 'content-type': 'application/json' });
    response.end(JSON.stringify(gatewayError.toOpenAIError()));
  }
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
  endpoint = http.createServer((raw, response) => void serve(raw, response));
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  endpoint.closeAllConnections();
  await new Promise<void>((resolve) => endpoint.close(() => resolve()));
  await upstream.close();
});

beforeEach(() => {
  cache = new ResponseCache({ store: new MemoryCacheStore() });
  upstream.received.length = 0;
});

const client = (apiKey = 'sk-alice', headers: Record<string, string> = { 'x-portkey-cache': 'simple' }) => new OpenAI({ apiKey, baseURL, defaultHeaders: headers, maxRetries: 0 });
const REQUEST = { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7 };
const STREAM_EVENTS = [openAIChunk('\n\nThis'), openAIChunk(' is indeed'), openAIChunk(' a test', 'length'), { ...openAIChunk(''), choices: [], usage: OPENAI_COMPLETION.usage }];

async function settle() {
  await Promise.all(writes.splice(0));
}

describe('the cache with the openai SDK', () => {
  it('answers a repeated request from the cache, HIT and no upstream call', async () => {
    upstream.enqueue(json(200, OPENAI_COMPLETION));
    const first = await client().completions.create(REQUEST).withResponse();
    await settle();
    const second = await client().completions.create(REQUEST).withResponse();
    expect(first.response.headers.get(CACHE_STATUS_HEADER)).toBe('MISS');
    expect(second.response.headers.get(CACHE_STATUS_HEADER)).toBe('HIT');
    expect(upstream.received).toHaveLength(1);
    expect(second.data.choices).toEqual(first.data.choices);
    expect(second.data.usage).toEqual(OPENAI_COMPLETION.usage);
  });

  it('replays a stored JSON answer to a streaming SDK caller, with usage when asked', async () => {
    upstream.enqueue(json(200, OPENAI_COMPLETION));
    await client().completions.create(REQUEST);
    await settle();
    const { data: stream, response } = await client().completions.create({ ...REQUEST, stream: true, stream_options: { include_usage: true } }).withResponse();
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(response.headers.get(CACHE_STATUS_HEADER)).toBe('HIT');
    expect(text).toBe(OPENAI_COMPLETION.choices[0]!.text);
    expect(usage).toEqual(OPENAI_COMPLETION.usage);
    expect(upstream.received).toHaveLength(1);
  });

  it('stores a stream at its end and answers a JSON caller from it', async () => {
    upstream.enqueue(sse(STREAM_EVENTS));
    let streamed = '';
    for await (const chunk of await client().completions.create({ ...REQUEST, stream: true, stream_options: { include_usage: true } })) streamed += chunk.choices[0]?.text ?? '';
    await settle();
    const { data, response } = await client().completions.create(REQUEST).withResponse();
    expect(response.headers.get(CACHE_STATUS_HEADER)).toBe('HIT');
    expect(data.choices[0]).toMatchObject({ text: streamed, finish_reason: 'length' });
    expect(data.usage).toEqual(OPENAI_COMPLETION.usage);
    expect(upstream.received).toHaveLength(1);
  });

  it('goes upstream on force refresh, says REFRESH, and serves the fresh answer afterwards', async () => {
    upstream.enqueue(json(200, OPENAI_COMPLETION), json(200, { ...OPENAI_COMPLETION, choices: [{ ...OPENAI_COMPLETION.choices[0]!, text: 'fresh' }] }));
    await client().completions.create(REQUEST);
    await settle();
    const refreshed = await client('sk-alice', { 'x-portkey-cache': 'simple', 'x-portkey-cache-force-refresh': 'true' }).completions.create(REQUEST).withResponse();
    await settle();
    expect(refreshed.response.headers.get(CACHE_STATUS_HEADER)).toBe('REFRESH');
    expect(refreshed.data.choices[0]!.text).toBe('fresh');
    expect((await client().completions.create(REQUEST)).choices[0]!.text).toBe('fresh');
    expect(upstream.received).toHaveLength(2);
  });

  it('never serves one caller’s entry to another caller with their own key', async () => {
    upstream.enqueue(json(200, OPENAI_COMPLETION), json(200, OPENAI_COMPLETION));
    await client('sk-alice').completions.create(REQUEST);
    await settle();
    const bob = await client('sk-bob').completions.create(REQUEST).withResponse();
    expect(bob.response.headers.get(CACHE_STATUS_HEADER)).toBe('MISS');
    expect(upstream.received).toHaveLength(2);
  });

  it('says DISABLED and stores nothing without a cache header', async () => {
    upstream.enqueue(json(200, OPENAI_COMPLETION), json(200, OPENAI_COMPLETION));
    const first = await client('sk-alice', {}).completions.create(REQUEST).withResponse();
    await settle();
    await client('sk-alice', {}).completions.create(REQUEST);
    expect(first.response.headers.get(CACHE_STATUS_HEADER)).toBe('DISABLED');
    expect(upstream.received).toHaveLength(2);
  });

  it('stores nothing from a stream that broke: the next request goes upstream', async () => {
    upstream.enqueue(sse(STREAM_EVENTS.slice(0, 2), { done: false }), json(200, OPENAI_COMPLETION));
    await expect(async () => {
      for await (const _chunk of await client().completions.create({ ...REQUEST, stream: true })) {
        // the SDK throws on the in-band error event
      }
    }).rejects.toThrow(/before \[DONE\]/);
    await settle();
    const next = await client().completions.create(REQUEST).withResponse();
    expect(next.response.headers.get(CACHE_STATUS_HEADER)).toBe('MISS');
    expect(upstream.received).toHaveLength(2);
  });
});
