/**
 * The response cache wired into the gateway (issue #14), end to end through the real handler on
 * loopback, once with DynamoDB (dynalite, the gateway's own DynamoDB client) and once with the in-process store: the
 * config and header forms and their inheritance, MISS → HIT without an upstream call, REFRESH,
 * expiry on an injected clock, streams and JSON serving each other (the openai SDK on a replay),
 * credential scoping, what is never stored, store faults and oversized answers.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCacheMiddleware, type CacheMiddleware } from '../../lib/cache/cache-middleware.ts';
import type { CacheStore } from '../../lib/cache/cache-store.ts';
import { DynamoDbCacheStore } from '../../lib/cache/dynamodb-cache-store.ts';
import { MemoryCacheStore } from '../../lib/cache/memory-cache-store.ts';
import { ResponseCache } from '../../lib/cache/response-cache.ts';
import { createCustomHostGuard } from '../../lib/config/custom-host-guard.ts';
import { createFileKeyStore } from '../../lib/keys/file-key-store.ts';
import { installLambdaStreamingRuntime, PRELUDE_DELIMITER, type StreamingHandler } from '../../lib/local/lambda-streaming-runtime.ts';
import { setLogSink } from '../../lib/log.ts';
import type { FinishedRequest } from '../../lib/request-finished.ts';
import { json, sse, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { OPENAI_COMPLETION, openAIChunk } from '../fakes/openai-samples.ts';
import { readJsonFixture } from '../support/provider-fixtures.ts';
import { startGatewayWith, type RunningGateway } from '../support/start-gateway.ts';
import { dynaliteConnection, startDynalite, startDynamoDbProxy, TEST_TABLE, type Dynalite, type DynamoDbProxy } from '../support/dynalite.ts';

const STATUS = 'x-portkey-cache-status';
const REQUEST = { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7 };
const STREAM_EVENTS = [openAIChunk('\n\nThis'), openAIChunk(' is indeed'), openAIChunk(' a test', 'length'), { ...openAIChunk(''), choices: [], usage: OPENAI_COMPLETION.usage }];
const ALLOWED_CALLER = { userArn: 'arn:aws:sts::111122223333:assumed-role/team-a-app/s', accountId: '111122223333' };
const DENIED_CALLER = { userArn: 'arn:aws:sts::999988887777:assumed-role/other-app/s', accountId: '999988887777' };

/** A store around a real one whose reads and writes can be made to fail or to be slow. */
class FaultyStore implements CacheStore {
  fault: 'none' | 'error' | 'slow' = 'none';
  readonly kind: CacheStore['kind'];
  constructor(readonly inner: CacheStore) {
    this.kind = inner.kind;
  }
  ready() {
    return this.inner.ready?.() ?? Promise.resolve();
  }
  async get(key: string, options: { signal: AbortSignal }) {
    await this.#fault(options.signal);
    return this.inner.get(key, options);
  }
  async put(key: string, entry: Parameters<CacheStore['put']>[1], options: { signal: AbortSignal }) {
    await this.#fault(options.signal);
    return this.inner.put(key, entry, options);
  }
  async #fault(signal: AbortSignal) {
    if (this.fault === 'error') throw new Error('store unavailable (injected)');
    if (this.fault === 'slow') {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, 2_000);
        signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
      });
    }
  }
}

class CapturingStream extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void) {
    this.chunks.push(Buffer.from(chunk));
    callback();
  }
}

let dynalite: Dynalite;
let upstream: FakeUpstream;
const logs: Array<Record<string, unknown>> = [];
let restoreLog: () => void;

const logLevel = process.env.LOG_LEVEL;
beforeAll(async () => {
  process.env.LOG_LEVEL = 'info';
  restoreLog = setLogSink((line) => logs.push(JSON.parse(line) as Record<string, unknown>));
  [dynalite, upstream] = await Promise.all([startDynalite(), startFakeUpstream()]);
  installLambdaStreamingRuntime();
});
afterAll(async () => {
  restoreLog?.();
  if (logLevel === undefined) delete process.env.LOG_LEVEL;
  else process.env.LOG_LEVEL = logLevel;
  await Promise.all([dynalite?.close(), upstream?.close()]);
});

const stores = {
  dynamodb: () => new DynamoDbCacheStore({ tableName: TEST_TABLE, ...dynaliteConnection(dynalite.url) }),
  memory: (now: () => number) => new MemoryCacheStore({ now }),
};

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('the response cache on %s, through the gateway', (kind) => {
  let clockMs = Date.UTC(2026, 0, 1);
  const now = () => clockMs;
  let store: FaultyStore;
  let cache: ResponseCache;
  let wired: CacheMiddleware;
  let gateway: RunningGateway;
  let handler: StreamingHandler;
  const finished: FinishedRequest[] = [];
  // Each test asks its own prompt, so entries of earlier tests (the table is shared) never answer it.
  let prompt = '';
  let testNumber = 0;

  beforeAll(async () => {
    store = new FaultyStore(stores[kind](now));
    cache = new ResponseCache({ store, now, readBudgetMs: 300, writeTimeoutMs: 1_000 });
    wired = createCacheMiddleware({ cache });
    const keyStore = createFileKeyStore({
      virtual_keys: {
        'openai-prod': { provider: 'openai', api_key: 'sk-prod-0000', custom_host: `${upstream.url}/v1` },
        'team-a': { provider: 'openai', api_key: 'sk-team-a', custom_host: `${upstream.url}/v1`, allowed_principals: ['111122223333'] },
      },
    });
    const dependencies = {
      customHostGuard: createCustomHostGuard('loopback', { defaultAllowed: '' }),
      keyStore,
      middlewares: [wired.middleware],
      settle: wired.settle,
      onRequestFinished: (request: FinishedRequest) => finished.push(request),
    };
    gateway = await startGatewayWith(dependencies);
    const { createCompletionsHandler } = await import('../../functions/completions/handler.ts');
    handler = createCompletionsHandler(dependencies) as unknown as StreamingHandler;
  });
  afterAll(async () => {
    await gateway?.close();
  });
  beforeEach(() => {
    store.fault = 'none';
    upstream.received.length = 0;
    upstream.fallback = json(200, OPENAI_COMPLETION);
    finished.length = 0;
    prompt = `${kind} prompt ${++testNumber}`;
  });

  /** Plain headers: the caller's own key and the fake upstream as custom host. */
  const direct = (apiKey = 'sk-alice') => ({ authorization: `Bearer ${apiKey}`, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` });
  const headerCache = (extra: Record<string, string> = {}) => ({ ...direct(), 'x-portkey-cache': 'simple', ...extra });

  async function complete(headers: Record<string, string>, body: Record<string, unknown> = {}, signal?: AbortSignal) {
    const response = await fetch(`${gateway.baseURL}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ ...REQUEST, prompt, ...body }),
      ...(signal ? { signal } : {}),
    });
    const text = await response.text();
    // The caller has every byte; the write ends before the next request is sent.
    await wired.settle();
    return { status: response.status, cache: response.headers.get(STATUS), text, body: text.startsWith('{') ? JSON.parse(text) : undefined };
  }

  const client = (headers: Record<string, string>) =>
    new OpenAI({ apiKey: headers.authorization?.replace('Bearer ', '') ?? 'unused', baseURL: gateway.baseURL, defaultHeaders: headers, maxRetries: 0 });

  it('answers a repeated request from the store: MISS, then HIT without an upstream call, costing nothing in the usage record', async () => {
    const first = await complete(headerCache());
    const second = await complete(headerCache());
    expect([first.cache, second.cache]).toEqual(['MISS', 'HIT']);
    expect(upstream.received).toHaveLength(1);
    expect(second.body.choices).toEqual(first.body.choices);
    expect(second.body.usage).toEqual(OPENAI_COMPLETION.usage);
    // What usage and limits read: the answer's header in the route outcome.
    expect(finished.map((request) => request.outcome.headers[STATUS])).toEqual(['MISS', 'HIT']);
    expect(second.status).toBe(200);
  });

  it('says DISABLED and stores nothing without a cache setting', async () => {
    const first = await complete(direct());
    const second = await complete(direct());
    expect([first.cache, second.cache]).toEqual(['DISABLED', 'DISABLED']);
    expect(upstream.received).toHaveLength(2);
  });

  it('goes upstream on force refresh, says REFRESH, and serves the fresh answer afterwards', async () => {
    await complete(headerCache());
    upstream.enqueue(json(200, { ...OPENAI_COMPLETION, choices: [{ ...OPENAI_COMPLETION.choices[0]!, text: 'fresh' }] }));
    const refreshed = await complete(headerCache({ 'x-portkey-cache-force-refresh': 'true' }));
    const after = await complete(headerCache());
    expect([refreshed.cache, after.cache]).toEqual(['REFRESH', 'HIT']);
    expect(after.body.choices[0].text).toBe('fresh');
    expect(upstream.received).toHaveLength(2);
  });

  it('serves an entry until its age and not after (an injected clock), the 60 s minimum applied', async () => {
    await complete(headerCache({ 'cache-control': 'max-age=5' }));
    clockMs += 59_000;
    expect((await complete(headerCache({ 'cache-control': 'max-age=5' }))).cache).toBe('HIT');
    clockMs += 2_000;
    expect((await complete(headerCache({ 'cache-control': 'max-age=5' }))).cache).toBe('MISS');
    expect(upstream.received).toHaveLength(2);
  });

  it('stores a stream at its end and answers a JSON caller from it', async () => {
    upstream.enqueue(sse(STREAM_EVENTS));
    const streamed = await complete(headerCache(), { stream: true });
    expect(streamed.cache).toBe('MISS');
    expect(streamed.text).toContain('data: [DONE]');
    const hit = await complete(headerCache());
    expect(hit.cache).toBe('HIT');
    expect(hit.body.choices[0]).toMatchObject({ text: '\n\nThis is indeed a test', finish_reason: 'length' });
    expect(hit.body.usage).toEqual(OPENAI_COMPLETION.usage);
    expect(upstream.received).toHaveLength(1);
  });

  it('replays a stored JSON answer to the openai SDK streaming, with usage only when asked', async () => {
    await complete(headerCache());
    const sdk = client(headerCache());
    const { data: stream, response } = await sdk.completions.create({ ...REQUEST, prompt, stream: true, stream_options: { include_usage: true } }).withResponse();
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(response.headers.get(STATUS)).toBe('HIT');
    expect(text).toBe(OPENAI_COMPLETION.choices[0]!.text);
    expect(usage).toEqual(OPENAI_COMPLETION.usage);
    const plain = await complete(headerCache(), { stream: true });
    expect(plain.cache).toBe('HIT');
    expect(plain.text).not.toContain('"usage"');
    expect(upstream.received).toHaveLength(1);
  });

  it('keeps callers with their own keys apart: two keys and one request make two entries', async () => {
    const alice = { ...direct('sk-alice'), 'x-portkey-cache': 'simple' };
    const bob = { ...direct('sk-bob'), 'x-portkey-cache': 'simple' };
    expect((await complete(alice)).cache).toBe('MISS');
    expect((await complete(bob)).cache).toBe('MISS');
    expect((await complete(alice)).cache).toBe('HIT');
    expect((await complete(bob)).cache).toBe('HIT');
    expect(upstream.received).toHaveLength(2);
    expect(upstream.received.map((request) => request.headers.authorization)).toEqual(['Bearer sk-alice', 'Bearer sk-bob']);
  });

  it('shares a virtual key’s entries among its callers, and gives a caller denied the key no hit through it', async () => {
    const headers = { 'x-portkey-virtual-key': 'team-a', 'x-portkey-cache': 'simple' };
    const allowed = await invoke(ALLOWED_CALLER, headers);
    const again = await invoke(ALLOWED_CALLER, headers);
    expect([allowed.statusCode, allowed.cache, again.cache]).toEqual([200, 'MISS', 'HIT']);
    const denied = await invoke(DENIED_CALLER, headers);
    expect(denied.statusCode).toBe(403);
    expect(denied.body.error.code).toBe('virtual_key_not_allowed');
    expect(denied.cache).toBe('DISABLED');
    expect(upstream.received).toHaveLength(1);
    // Another virtual key to the same upstream is another credential: its own entry.
    expect((await complete({ 'x-portkey-virtual-key': 'openai-prod', 'x-portkey-cache': 'simple' })).cache).toBe('MISS');
    expect(upstream.received).toHaveLength(2);
  });

  it('stores a fan-out whole, keyed on every prompt it was split into', async () => {
    // DeepInfra takes one prompt per call: the gateway splits the array and merges the answers.
    const headers = { authorization: 'Bearer sk-alice', 'x-portkey-provider': 'deepinfra', 'x-portkey-custom-host': `${upstream.url}/v1`, 'x-portkey-cache': 'simple' };
    const first = await complete(headers, { prompt: [`${prompt} a`, `${prompt} b`] });
    expect(first.cache).toBe('MISS');
    expect(upstream.received).toHaveLength(2);
    const hit = await complete(headers, { prompt: [`${prompt} a`, `${prompt} b`] });
    expect(hit.cache).toBe('HIT');
    expect(hit.body.choices.map((choice: { index: number }) => choice.index)).toEqual([0, 1]);
    expect(upstream.received).toHaveLength(2);
    // Same first prompt, another second one: not the stored answer.
    expect((await complete(headers, { prompt: [`${prompt} a`, `${prompt} c`] })).cache).toBe('MISS');
  });

  it('keys on n where the gateway emulates it: n=2 and n=1 are different answers', async () => {
    // Mistral has no n: the gateway makes n calls with the same upstream body and merges them.
    upstream.fallback = json(200, readJsonFixture(new URL('../../lib/providers/mistral-ai/__fixtures__/mistral-chat.json', import.meta.url)));
    const headers = { authorization: 'Bearer sk-alice', 'x-portkey-provider': 'mistral-ai', 'x-portkey-custom-host': `${upstream.url}/v1`, 'x-portkey-cache': 'simple' };
    const two = await complete(headers, { model: 'mistral-small-latest', n: 2 });
    expect([two.cache, two.body.choices.length]).toEqual(['MISS', 2]);
    const one = await complete(headers, { model: 'mistral-small-latest', n: 1 });
    expect([one.cache, one.body.choices.length]).toEqual(['MISS', 1]);
    expect((await complete(headers, { model: 'mistral-small-latest', n: 2 })).cache).toBe('HIT');
    expect(upstream.received).toHaveLength(3);
  });

  it('stores nothing from a stream that broke in-band', async () => {
    upstream.enqueue(sse(STREAM_EVENTS.slice(0, 2), { done: false }));
    const broken = await complete(headerCache(), { stream: true });
    expect(broken.text).toContain('"error"');
    expect((await complete(headerCache())).cache).toBe('MISS');
    expect(upstream.received).toHaveLength(2);
  });

  it('stores nothing when the caller left before the end', async () => {
    upstream.enqueue(sse(STREAM_EVENTS, { delayMs: 150 }));
    const controller = new AbortController();
    const response = await fetch(`${gateway.baseURL}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headerCache() },
      body: JSON.stringify({ ...REQUEST, prompt, stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.read().catch(() => undefined);
    // Long enough for the upstream to have finished, had it not been torn down.
    await new Promise((resolve) => setTimeout(resolve, 800));
    await wired.settle();
    expect((await complete(headerCache())).cache).toBe('MISS');
    expect(upstream.received).toHaveLength(2);
  });

  it('treats a failing store as a miss: the request is answered, nothing breaks', async () => {
    store.fault = 'error';
    const first = await complete(headerCache());
    const second = await complete(headerCache());
    expect([first.status, first.cache, second.status, second.cache]).toEqual([200, 'MISS', 200, 'MISS']);
    expect(upstream.received).toHaveLength(2);
    expect(logs.some((line) => line.message === 'cache read failed, treated as a miss')).toBe(true);
    expect(logs.some((line) => line.message === 'cache write failed')).toBe(true);
  });

  it('treats a store slower than the read budget as a miss', async () => {
    await complete(headerCache());
    store.fault = 'slow';
    const slow = await complete(headerCache());
    expect([slow.status, slow.cache]).toEqual([200, 'MISS']);
    expect(upstream.received).toHaveLength(2);
    store.fault = 'none';
    expect((await complete(headerCache())).cache).toBe('HIT');
  });

  it('does not store an answer too large for an item, and counts it', async () => {
    const before = cache.stats.oversized;
    // Random text compresses poorly: well over DynamoDB's 400 KB once encoded.
    const large = randomBytes(450_000).toString('base64');
    upstream.enqueue(json(200, { ...OPENAI_COMPLETION, choices: [{ ...OPENAI_COMPLETION.choices[0]!, text: large }] }));
    const first = await complete(headerCache());
    expect(first.body.choices[0].text).toBe(large);
    expect(cache.stats.oversized).toBe(before + 1);
    expect((await complete(headerCache())).cache).toBe('MISS');
    expect(upstream.received).toHaveLength(2);
  });

  it('takes the config form at any level: targets inherit it, a child’s own wins, the config wins over the headers', async () => {
    const target = { provider: 'openai', api_key: 'sk-alice', custom_host: `${upstream.url}/v1` };
    const config = {
      cache: { mode: 'simple', max_age: 3600 },
      strategy: { mode: 'fallback' },
      targets: [
        { ...target, cache: { mode: 'simple', max_age: 60 }, override_params: { max_tokens: 8 } },
        { ...target, override_params: { max_tokens: 9 } },
      ],
    };
    const headers = { 'x-portkey-config': JSON.stringify(config), 'x-portkey-cache': 'simple', 'cache-control': 'max-age=60' };
    // The first target answers and is stored with its own 60 s.
    expect((await complete(headers)).cache).toBe('MISS');
    expect((await complete(headers)).cache).toBe('HIT');
    // 61 s on, the first target's entry has expired (the child's 60 s, not the root's hour); it fails,
    // and the second target answers and is stored with the inherited hour.
    clockMs += 61_000;
    upstream.enqueue(json(500, { error: { message: 'down', type: 'server_error' } }));
    expect((await complete(headers)).cache).toBe('MISS');
    // Two minutes on, the second target's entry still answers: the root's hour, not the header's 60 s.
    clockMs += 120_000;
    upstream.enqueue(json(500, { error: { message: 'down', type: 'server_error' } }));
    expect((await complete(headers)).cache).toBe('HIT');
    expect(upstream.received.map((request) => (request.body as { max_tokens: number }).max_tokens)).toEqual([8, 8, 9, 8]);
  });

  it('takes a cache on one target only: its sibling says DISABLED', async () => {
    const target = { provider: 'openai', api_key: 'sk-alice', custom_host: `${upstream.url}/v1` };
    const config = { strategy: { mode: 'fallback' }, targets: [{ ...target, override_params: { max_tokens: 3 } }, { ...target, cache: { mode: 'simple' } }] };
    const headers = { 'x-portkey-config': JSON.stringify(config) };
    expect((await complete(headers)).cache).toBe('DISABLED');
    upstream.enqueue(json(500, { error: { message: 'down', type: 'server_error' } }));
    expect((await complete(headers)).cache).toBe('MISS');
  });

  it('carries the status on an error answer of a cached target', async () => {
    upstream.enqueue(json(400, { error: { message: 'bad prompt', type: 'invalid_request_error' } }));
    const failed = await complete(headerCache());
    expect([failed.status, failed.cache]).toEqual([400, 'MISS']);
    expect((await complete(headerCache())).cache).toBe('MISS');
  });

  /** The handler driven with an API Gateway event naming an IAM caller (the local server names none). */
  async function invoke(caller: { userArn: string; accountId: string }, headers: Record<string, string>) {
    const event = {
      resource: '/v1/completions',
      path: '/v1/completions',
      httpMethod: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      multiValueHeaders: {},
      queryStringParameters: null,
      body: JSON.stringify({ ...REQUEST, prompt }),
      isBase64Encoded: false,
      requestContext: { accountId: '999999999999', stage: 'prod', requestId: 'r-1', identity: { ...caller, sourceIp: '10.0.0.1' } },
    };
    const stream = new CapturingStream();
    await handler(event as never, stream, { getRemainingTimeInMillis: () => 900_000, awsRequestId: 'r-1' } as never);
    const all = Buffer.concat(stream.chunks);
    const split = all.indexOf(PRELUDE_DELIMITER);
    const prelude = JSON.parse(all.subarray(0, split).toString()) as { statusCode: number; headers: Record<string, string> };
    return { statusCode: prelude.statusCode, cache: prelude.headers[STATUS], body: JSON.parse(all.subarray(split + PRELUDE_DELIMITER.length).toString()) };
  }
});

describe('the response cache on DynamoDB that is slow for real', () => {
  let proxy: DynamoDbProxy;
  let gateway: RunningGateway;
  let wired: CacheMiddleware;

  beforeAll(async () => {
    proxy = await startDynamoDbProxy(dynalite.url, { delayMs: 200 });
    const cache = new ResponseCache({ store: new DynamoDbCacheStore({ tableName: TEST_TABLE, ...dynaliteConnection(proxy.url) }), readBudgetMs: 50 });
    wired = createCacheMiddleware({ cache });
    gateway = await startGatewayWith({
      customHostGuard: createCustomHostGuard('loopback', { defaultAllowed: '' }),
      keyStore: createFileKeyStore({}),
      middlewares: [wired.middleware],
      settle: wired.settle,
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await proxy?.close();
  });

  it('answers from upstream within about the read budget and says MISS', async () => {
    upstream.received.length = 0;
    upstream.fallback = json(200, OPENAI_COMPLETION);
    const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-alice', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1`, 'x-portkey-cache': 'simple' };
    const response = await fetch(`${gateway.baseURL}/completions`, { method: 'POST', headers, body: JSON.stringify({ ...REQUEST, prompt: 'slow store' }) });
    expect(response.status).toBe(200);
    expect(response.headers.get(STATUS)).toBe('MISS');
    expect(upstream.received).toHaveLength(1);
    expect(proxy.requests).toBeGreaterThanOrEqual(1);
    await wired.settle();
  });
});
