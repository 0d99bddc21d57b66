/**
 * The response cache against its two stores: DynamoDB (dynalite on loopback, the gateway's own
 * signed client; the real @aws-sdk/client-dynamodb reads back what it wrote) and process memory.
 * Same behaviour from both; then the faults only a networked store has.
 */
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { completionChunkSchema } from '../../lib/api/completion-response.ts';
import { UpstreamError } from '../../lib/api/errors.ts';
import { renderResponse, renderStream } from '../../lib/api/render-completion.ts';
import { cacheKey, type CacheCredential } from '../../lib/cache/cache-key.ts';
import { createResponseCache } from '../../lib/cache/create-response-cache.ts';
import { CACHE_ITEM_OVERHEAD_BYTES, DYNAMODB_MAX_ITEM_BYTES, DynamoDbCacheStore } from '../../lib/cache/dynamodb-cache-store.ts';
import { MemoryCacheStore } from '../../lib/cache/memory-cache-store.ts';
import { observeParts } from '../../lib/cache/observe-parts.ts';
import { replayParts } from '../../lib/cache/replay-parts.ts';
import { DEFAULT_MAX_ENTRY_BYTES, ResponseCache } from '../../lib/cache/response-cache.ts';
import { setLogSink } from '../../lib/log.ts';
import type { CompletionPart } from '../../lib/providers/provider.ts';
import { startDynalite, startDynamoDbProxy, TEST_TABLE, type Dynalite } from '../support/dynalite.ts';

const TABLE = TEST_TABLE;
const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
const region = 'us-east-1';
const signal = new AbortController().signal;

let dynalite: Dynalite;
let endpoint: string;
let client: DynamoDBClient;

beforeAll(async () => {
  dynalite = await startDynalite();
  endpoint = dynalite.url;
  client = new DynamoDBClient({ endpoint, region, credentials });
});

afterAll(async () => {
  client?.destroy();
  await dynalite?.close();
});

const answer = (text: string, extra: Partial<CompletionPart> = {}): CompletionPart => ({
  id: 'cmpl-cached',
  model: 'gpt-3.5-turbo-instruct',
  choices: [{ index: 0, text, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
  ...extra,
});

const BODY = '{"model":"gpt-3.5-turbo-instruct","prompt":"Say this is a test","max_tokens":7}';
const keyFor = (credential: CacheCredential, body = BODY) => cacheKey({ provider: 'openai', url: 'https://api.openai.com/v1/completions', body, credential });
const VK: CacheCredential = { kind: 'virtual-key', name: 'openai-prod' };

let clockMs = Date.UTC(2026, 0, 1);
const now = () => clockMs;

/** The cache's DynamoDB store as the gateway builds it, pointed at dynalite. */
const dynamoDbStore = (tableName = TABLE) => new DynamoDbCacheStore({ tableName, endpoint, region, credentials });

const stores = {
  dynamodb: () => dynamoDbStore(),
  memory: () => new MemoryCacheStore({ now }),
};

describe.each(Object.keys(stores) as Array<keyof typeof stores>)('ResponseCache on %s', (kind) => {
  let cache: ResponseCache;
  beforeEach(() => {
    clockMs += 365 * 24 * 3600 * 1000; // a fresh year per test: nothing earlier is still valid
    // A generous budget: dynalite on a busy 2-core machine is slower than DynamoDB in-region.
    cache = new ResponseCache({ store: stores[kind](), now, readBudgetMs: 2000 });
  });
  const uniqueKey = (label: string) => keyFor(VK, BODY.replace('Say this', `${label} ${clockMs}`));

  it('misses, then hits with the answer it stored', async () => {
    const key = uniqueKey('miss-hit');
    expect(await cache.lookup(key)).toBeUndefined();
    expect(await cache.save(key, answer('\n\nThis is indeed a test'), 600)).toBe('stored');
    expect(await cache.lookup(key)).toEqual(answer('\n\nThis is indeed a test'));
    expect(cache.stats).toMatchObject({ misses: 1, hits: 1, stored: 1 });
  });

  it('replaces an entry on refresh: a later read gets the fresh answer', async () => {
    const key = uniqueKey('refresh');
    await cache.save(key, answer('old'), 600);
    await cache.save(key, answer('fresh'), 600);
    expect((await cache.lookup(key))?.choices[0]?.text).toBe('fresh');
  });

  it('serves an entry until its max age and not a second after (injected clock; DynamoDB deletes late)', async () => {
    const key = uniqueKey('expiry');
    await cache.save(key, answer('x'), 60);
    clockMs += 59_000;
    expect(await cache.lookup(key)).toBeDefined();
    clockMs += 1_000;
    expect(await cache.lookup(key)).toBeUndefined();
    expect(cache.stats.expired).toBe(1);
  });

  it('stores a stream as it passes and answers it whole to a JSON caller', async () => {
    const key = uniqueKey('stream-to-json');
    const live: CompletionPart[] = [
      { id: 'cmpl-live', model: 'gpt-3.5-turbo-instruct', choices: [{ index: 0, text: '\n\nThis', logprobs: null, finish_reason: null }] },
      { choices: [{ index: 0, text: ' is indeed a test', logprobs: null, finish_reason: 'length' }] },
      { choices: [], usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } },
    ];
    const saves: Array<Promise<unknown>> = [];
    const observed = observeParts(toAsync(live), (whole) => saves.push(cache.save(key, whole, 600)));
    const sent: string[] = [];
    for await (const chunk of renderStream(observed, { model: 'gpt-3.5-turbo-instruct', includeUsage: false })) sent.push(chunk);
    await Promise.all(saves);
    const hit = await cache.lookup(key);
    expect(renderResponse(hit!, { model: 'asked', created: 1 })).toEqual({
      id: 'cmpl-live',
      object: 'text_completion',
      created: 1,
      model: 'gpt-3.5-turbo-instruct',
      choices: [{ index: 0, text: '\n\nThis is indeed a test', logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
    });
  });

  it('replays a stored JSON answer to a streaming caller as OpenAI chunks, usage when asked', async () => {
    const key = uniqueKey('json-to-stream');
    await cache.save(key, answer('\n\nThis is indeed a test', { choices: [
      { index: 0, text: 'first', logprobs: null, finish_reason: 'stop' },
      { index: 1, text: 'second', logprobs: null, finish_reason: 'length' },
    ] }), 600);
    const chunks: string[] = [];
    for await (const chunk of renderStream(replayParts((await cache.lookup(key))!), { model: 'asked', includeUsage: true })) chunks.push(chunk);
    expect(chunks.at(-1)).toBe('data: [DONE]\n\n');
    const parsed = chunks.slice(0, -1).map((chunk) => completionChunkSchema.parse(JSON.parse(chunk.slice(6))));
    expect(parsed.map((chunk) => chunk.choices.map((choice) => [choice.index, choice.text, choice.finish_reason]))).toEqual([[[0, 'first', 'stop']], [[1, 'second', 'length']], []]);
    expect(parsed.at(-1)!.usage).toEqual({ prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 });
  });

  it('keeps one entry per credential for one request, and never answers across them', async () => {
    const body = BODY.replace('Say this', `scoped ${clockMs}`);
    const alice: CacheCredential = { kind: 'secret', values: ['sk-alice'] };
    const bob: CacheCredential = { kind: 'secret', values: ['sk-bob'] };
    await cache.save(keyFor(alice, body), answer('for alice'), 600);
    expect(await cache.lookup(keyFor(bob, body))).toBeUndefined();
    expect(await cache.lookup(keyFor(VK, body))).toBeUndefined();
    await cache.save(keyFor(bob, body), answer('for bob'), 600);
    expect((await cache.lookup(keyFor(alice, body)))?.choices[0]?.text).toBe('for alice');
    expect((await cache.lookup(keyFor(bob, body)))?.choices[0]?.text).toBe('for bob');
  });

  it('stores nothing after an in-band error or when the caller left', async () => {
    const key = uniqueKey('broken');
    const onComplete = (whole: CompletionPart) => void cache.save(key, whole, 600);
    const failing = async function* () {
      yield answer('partial', { choices: [{ index: 0, text: 'partial', logprobs: null, finish_reason: null }] });
      throw new UpstreamError('openai ended the stream before [DONE].', { provider: 'openai', statusCode: 502, code: 'stream_truncated' });
    };
    for await (const _chunk of renderStream(observeParts(failing(), onComplete), { model: 'm', includeUsage: false }));
    for await (const _part of observeParts(toAsync([answer('a'), answer('b')]), onComplete)) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await cache.lookup(key)).toBeUndefined();
    expect(cache.stats.stored).toBe(0);
  });

  it('does not store an unfinished answer', async () => {
    const key = uniqueKey('unfinished');
    expect(await cache.save(key, answer('x', { choices: [{ index: 0, text: 'x', logprobs: null, finish_reason: null }] }), 600)).toBe('incomplete');
    expect(await cache.lookup(key)).toBeUndefined();
  });

  it('does not store an answer too large for an item, and counts it', async () => {
    const key = uniqueKey('oversized');
    // Random text does not compress much: ~700 KB of it stays well above 400 KB.
    const text = Buffer.from(Array.from({ length: 525_000 }, () => Math.floor(Math.random() * 256))).toString('base64');
    expect(await cache.save(key, answer(text), 600)).toBe('oversized');
    expect(cache.stats.oversized).toBe(1);
    expect(await cache.lookup(key)).toBeUndefined();
    // A large answer that compresses below the limit is kept.
    expect(await cache.save(key, answer('the same words again '.repeat(40_000)), 600)).toBe('stored');
  });
});

describe('DynamoDbCacheStore', () => {
  it("writes the table's layout: pk cache#<key>, sk answer, binary v, ttl in epoch seconds", async () => {
    const key = keyFor(VK, BODY.replace('Say', 'layout'));
    const cache = new ResponseCache({ store: dynamoDbStore(), now: () => 1_800_000_000_000, readBudgetMs: 2000 });
    await cache.save(key, answer('x'), 600);
    const { Item } = await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `cache#${key}` }, sk: { S: 'answer' } } }));
    expect(Item?.ttl?.N).toBe(String(1_800_000_000 + 600));
    expect(Item?.v?.B).toBeInstanceOf(Uint8Array);
    // Compressed, and never the prompt or the answer in clear.
    expect(Buffer.from(Item!.v!.B!).toString('latin1')).not.toContain('gpt-3.5');
  });

  it('keeps the largest answer the cache lets through within the 400 KB item limit; one item limit more is refused by DynamoDB', async () => {
    const store = dynamoDbStore();
    const key = 'f'.repeat(64);
    expect(DEFAULT_MAX_ENTRY_BYTES).toBe(DYNAMODB_MAX_ITEM_BYTES - CACHE_ITEM_OVERHEAD_BYTES);
    await store.put(key, { value: new Uint8Array(DEFAULT_MAX_ENTRY_BYTES), expiresAt: 2_000_000_000 }, { signal });
    expect((await store.get(key, { signal }))?.value.byteLength).toBe(DEFAULT_MAX_ENTRY_BYTES);
    await expect(store.put(key, { value: new Uint8Array(DYNAMODB_MAX_ITEM_BYTES), expiresAt: 2_000_000_000 }, { signal })).rejects.toThrow(/size/i);
  });

  it('is what createResponseCache picks with GATEWAY_TABLE, reaching the table through AWS_ENDPOINT_URL_DYNAMODB', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', endpoint);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey);
    try {
      const cache = createResponseCache({ GATEWAY_TABLE: TABLE, GATEWAY_CACHE_READ_BUDGET_MS: '2000' });
      expect(cache.store.kind).toBe('dynamodb');
      const key = keyFor(VK, BODY.replace('Say', 'from-env'));
      expect(await cache.save(key, answer('via env'), 600)).toBe('stored');
      const { Item } = await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: `cache#${key}` }, sk: { S: 'answer' } } }));
      expect(Item).toBeDefined();
      expect(createResponseCache({}).store.kind).toBe('memory');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('store faults never fail a request', () => {
  let lines: Array<Record<string, unknown>>;
  let restoreSink: () => void;
  beforeEach(() => {
    vi.stubEnv('LOG_LEVEL', 'info');
    lines = [];
    restoreSink = setLogSink((line) => lines.push(JSON.parse(line) as Record<string, unknown>));
    return () => {
      restoreSink();
      vi.unstubAllEnvs();
    };
  });

  it('treats a store error as a miss and logs it; a failed write is logged', async () => {
    const cache = new ResponseCache({ store: dynamoDbStore('no-such-table'), readBudgetMs: 2000 });
    const key = keyFor(VK);
    expect(await cache.lookup(key, { traceId: 't-1' })).toBeUndefined();
    expect(await cache.save(key, answer('x'), 600, { traceId: 't-1' })).toBe('failed');
    expect(cache.stats).toMatchObject({ readErrors: 1, writeErrors: 1, hits: 0 });
    expect(lines.map((line) => line.message)).toEqual(['cache read failed, treated as a miss', 'cache write failed']);
    expect(lines[0]).toMatchObject({ level: 'warn', traceId: 't-1', store: 'dynamodb', error: 'ResourceNotFoundException' });
  });

  it('treats a store slower than the read budget as a miss, aborts the read, and logs it', async () => {
    // A "DynamoDB" that accepts connections and never answers.
    const sockets = new Set<Socket>();
    let closed = 0;
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.resume(); // read what the client sends, so its close is seen
      socket.on('close', () => closed++);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    // The client's own deadline is far beyond the test's wait: only the cache's abort can close the calls in time.
    const slowStore = new DynamoDbCacheStore({
      tableName: TABLE,
      endpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      region,
      credentials,
      maxAttempts: 1,
      requestTimeoutMs: 30_000,
    });
    try {
      const cache = new ResponseCache({ store: slowStore, readBudgetMs: 30, writeTimeoutMs: 30 });
      expect(await cache.lookup(keyFor(VK), { traceId: 't-2' })).toBeUndefined();
      expect(cache.stats.readTimeouts).toBe(1);
      expect(lines[0]).toMatchObject({ level: 'warn', message: 'cache read over budget, treated as a miss', budgetMs: 30, traceId: 't-2' });
      expect(await cache.save(keyFor(VK), answer('x'), 600)).toBe('failed');
      // The abandoned calls were aborted: their connections close (bounded wait).
      for (let attempt = 0; attempt < 100 && closed < sockets.size; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(sockets.size).toBeGreaterThan(0);
      expect(closed).toBe(sockets.size);
    } finally {
      slowStore.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('ends a throttled read at its abort, without waiting to retry', async () => {
    const proxy = await startDynamoDbProxy(endpoint);
    // A retry delay far beyond the test's timeout: only the abort can end the read in time.
    const store = new DynamoDbCacheStore({ tableName: TABLE, endpoint: proxy.url, region, credentials, maxAttempts: 3, retryBaseDelayMs: 60_000 });
    try {
      proxy.throttleNext(3);
      const controller = new AbortController();
      const read = store.get(keyFor(VK), { signal: controller.signal });
      for (let attempt = 0; attempt < 100 && proxy.requests === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 100)); // the throttle's answer is read: the client is waiting to retry
      const reason = new Error('over budget');
      controller.abort(reason);
      await expect(read).rejects.toBe(reason);
      expect(proxy.requests).toBe(1);
    } finally {
      store.destroy();
      await proxy.close();
    }
  });

  it('treats an unreadable entry as a miss', async () => {
    const store = new MemoryCacheStore();
    await store.put(keyFor(VK), { value: new Uint8Array([2, 1, 2, 3]), expiresAt: 2_000_000_000 });
    const cache = new ResponseCache({ store });
    expect(await cache.lookup(keyFor(VK))).toBeUndefined();
    expect(lines[0]).toMatchObject({ message: 'cache entry unreadable, treated as a miss' });
  });
});

async function* toAsync<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}
