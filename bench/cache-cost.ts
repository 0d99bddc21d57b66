/**
 * What the response cache costs per request: a hit (key + read + decompress + render JSON, or
 * replay + render SSE), a miss (key + empty read + the upstream call + compress + write) and
 * direct (the upstream call alone, no cache), on the memory store and on DynamoDB (dynalite in a
 * child process on loopback: the wall column is dynalite's latency, not DynamoDB's; the CPU column
 * is this process's own, DynamoDB client included, and carries over). On DynamoDB the store as the
 * gateway has it (signed JSON POSTs, lib/store/dynamodb-http-client.ts) and as it was (the AWS SDK's
 * client, bench/cache-sdk-store.ts), interleaved in the same rounds.
 * Also the codec choice: gzip vs brotli sizes and times on answers of several sizes.
 * Run: `npx tsx bench/cache-cost.ts` (markdown tables; µs per operation, median of rounds).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseCompletionRequest } from '../lib/api/completion-request.ts';
import { renderResponse, renderStream } from '../lib/api/render-completion.ts';
import { cacheCredentialOf, cacheKey } from '../lib/cache/cache-key.ts';
import { resolveCacheSettings } from '../lib/cache/cache-settings.ts';
import type { CacheStore } from '../lib/cache/cache-store.ts';
import { DynamoDbCacheStore } from '../lib/cache/dynamodb-cache-store.ts';
import { SdkDynamoDbCacheStore } from './cache-sdk-store.ts';
import { MemoryCacheStore } from '../lib/cache/memory-cache-store.ts';
import { ResponseCache } from '../lib/cache/response-cache.ts';
import { withResponseCache } from '../lib/cache/with-response-cache.ts';
import { completeWithProvider } from '../lib/providers/complete-with-provider.ts';
import { openAIProvider } from '../lib/providers/openai/openai-provider.ts';
import { previewUpstreamRequest } from '../lib/providers/preview-upstream-request.ts';
import type { CompletionPart, ProviderCall } from '../lib/providers/provider.ts';
import { markCustomHostTrusted } from '../lib/keys/trusted-custom-host.ts';
import { json, startFakeUpstream } from '../test/fakes/fake-upstream.ts';

process.env.LOG_LEVEL ??= 'silent';

const WORDS = 'the model answered with an ordinary paragraph about caching responses in a gateway and why repeated prompts should cost nothing at all'.split(' ');
function englishish(length: number, seed = 7): string {
  let text = '';
  let state = seed;
  while (text.length < length) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    text += `${WORDS[state % WORDS.length]} `;
  }
  return text.slice(0, length);
}
const answerOf = (text: string) => ({
  id: 'cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7',
  object: 'text_completion',
  created: 1589478378,
  model: 'gpt-3.5-turbo-instruct',
  choices: [{ text, index: 0, logprobs: null, finish_reason: 'length' }],
  usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
});

interface Cost {
  wallUs: number;
  cpuUs: number;
}

/** Median over rounds of the mean wall and CPU µs per operation. */
async function measure(operations: number, run: () => unknown, roundCount = 7): Promise<Cost> {
  if (roundCount > 1) for (let i = 0; i < Math.min(operations, 200); i++) await run();
  const rounds: Cost[] = [];
  for (let round = 0; round < roundCount; round++) {
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let i = 0; i < operations; i++) await run();
    const wallUs = Number(process.hrtime.bigint() - start) / 1000 / operations;
    const used = process.cpuUsage(cpu);
    rounds.push({ wallUs, cpuUs: (used.user + used.system) / operations });
  }
  rounds.sort((a, b) => a.wallUs - b.wallUs);
  return rounds[Math.floor(rounds.length / 2)]!;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// --- the codec choice -----------------------------------------------------------------------
const codecs: Record<string, { compress: (bytes: Buffer) => Buffer; decompress: (bytes: Buffer) => Buffer }> = {
  'gzip -6': { compress: (bytes) => gzipSync(bytes, { level: 6 }), decompress: (bytes) => gunzipSync(bytes) },
  'gzip -1': { compress: (bytes) => gzipSync(bytes, { level: 1 }), decompress: (bytes) => gunzipSync(bytes) },
  ...Object.fromEntries(
    [4, 5, 11].map((quality) => [
      `brotli q${quality}`,
      {
        compress: (bytes: Buffer) =>
          brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength } }),
        decompress: (bytes: Buffer) => brotliDecompressSync(bytes),
      },
    ]),
  ),
};
const codecRows: string[] = [];
for (const size of [300, 3_000, 30_000, 300_000]) {
  const bytes = Buffer.from(JSON.stringify(answerOf(englishish(size))));
  for (const [name, codec] of Object.entries(codecs)) {
    const compressed = codec.compress(bytes);
    const operations = size >= 300_000 ? 5 : size >= 30_000 ? 50 : 500;
    const write = await measure(operations, () => codec.compress(bytes));
    const read = await measure(operations, () => codec.decompress(compressed));
    codecRows.push(`| ${bytes.byteLength} | ${name} | ${compressed.byteLength} | ${write.cpuUs.toFixed(0)} | ${read.cpuUs.toFixed(0)} |`);
  }
}

// --- hit, miss and direct -------------------------------------------------------------------
const upstream = await startFakeUpstream(json(200, answerOf(englishish(600))));
// Operators' host (as if from a secret): the engine checks a caller's host's addresses at connect time.
const target = markCustomHostTrusted({ provider: 'openai', api_key: 'sk-bench', custom_host: `${upstream.url}/v1` });
const callOf = (prompt: string, stream: boolean): ProviderCall => ({
  params: parseCompletionRequest({ model: 'gpt-3.5-turbo-instruct', prompt, max_tokens: 128, stream }),
  target,
  stream,
  forwardedHeaders: {},
  strict: false,
});
const keyOf = async (call: ProviderCall) => {
  const request = await previewUpstreamRequest(openAIProvider, call);
  return cacheKey({ provider: 'openai', url: request.url, body: request.body, credential: cacheCredentialOf(target) });
};
const settings = resolveCacheSettings({ headers: { 'x-portkey-cache': 'simple' } });

async function renderResult(result: { kind: 'response'; part: CompletionPart } | { kind: 'stream'; parts: AsyncIterable<CompletionPart> }): Promise<number> {
  if (result.kind === 'response') return JSON.stringify(renderResponse(result.part, { model: 'm' })).length;
  let length = 0;
  for await (const text of renderStream(result.parts, { model: 'm', includeUsage: true })) length += text.length;
  return length;
}

/** Every path once per round, rounds interleaved, so a busy machine's drift hits all paths alike. */
async function interleaved(paths: Array<[string, () => unknown]>, operations: number): Promise<Array<[string, Cost]>> {
  const costs = new Map<string, Cost[]>(paths.map(([label]) => [label, []]));
  for (const [, run] of paths) for (let i = 0; i < 100; i++) await run();
  for (let round = 0; round < 9; round++) {
    for (const [label, run] of paths) costs.get(label)!.push(await measure(operations, run, 1));
  }
  return paths.map(([label]) => {
    const sorted = costs.get(label)!.sort((a, b) => a.wallUs - b.wallUs);
    return [label, sorted[Math.floor(sorted.length / 2)]!];
  });
}

/** The paths on each store (labelled when more than one), plus the two that use none; all interleaved. */
async function scenarios(stores: Array<[string, CacheStore]>, operations: number): Promise<Array<[string, Cost]>> {
  const fixed = callOf('Say this is a test', false);
  let unique = 0;
  const paths: Array<[string, () => unknown]> = [['key only (build request + hash)', () => keyOf(fixed)]];
  for (const [label, store] of stores) paths.push(...(await storePaths(store, label, () => unique++)));
  paths.push(['direct, JSON: upstream call + render (no cache)', async () => renderResult(await completeWithProvider(openAIProvider, callOf(`prompt ${unique++}`, false), {}))]);
  return interleaved(paths, operations);
}

async function storePaths(store: CacheStore, label: string, next: () => number): Promise<Array<[string, () => unknown]>> {
  const cache = new ResponseCache({ store, readBudgetMs: 5_000 });
  const fixed = callOf('Say this is a test', false);
  const fixedStream = callOf('Say this is a test', true);
  const firstWrites: Array<Promise<unknown>> = [];
  await withResponseCache({ cache, settings, stream: false, key: () => keyOf(fixed), complete: () => completeWithProvider(openAIProvider, fixed, {}), onWrite: (write) => firstWrites.push(write) });
  await Promise.all(firstWrites);
  const named = (name: string) => (label ? `${label}: ${name}` : name);
  return (
    [
      ['hit, JSON: key + read + decompress + render', async () => {
        const { result } = await withResponseCache({ cache, settings, stream: false, key: () => keyOf(fixed), complete: () => Promise.reject(new Error('miss')) });
        return renderResult(result);
      }],
      ['hit, stream: key + read + decompress + replay + render SSE', async () => {
        const { result } = await withResponseCache({ cache, settings, stream: true, key: () => keyOf(fixedStream), complete: () => Promise.reject(new Error('miss')) });
        return renderResult(result);
      }],
      ['miss, JSON: key + empty read + upstream call + compress + write', async () => {
        const call = callOf(`prompt ${next()}`, false);
        const writes: Array<Promise<unknown>> = [];
        const { result } = await withResponseCache({ cache, settings, stream: false, key: () => keyOf(call), complete: () => completeWithProvider(openAIProvider, call, {}), onWrite: (write) => writes.push(write) });
        const length = await renderResult(result);
        await Promise.all(writes);
        return length;
      }],
    ] satisfies Array<[string, () => unknown]>
  ).map(([name, run]) => [named(name), run]);
}

const memoryRows = await scenarios([['', new MemoryCacheStore()]], 200);

// dynalite in its own process, so the CPU column is the gateway's (SDK client included), not dynalite's.
const port = await freePort();
const dynaliteProcess = spawn(process.execPath, [createRequire(import.meta.url).resolve('dynalite/cli.js'), '--host', '127.0.0.1', '--port', String(port), '--createTableMs', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((resolve, reject) => {
  dynaliteProcess.stdout!.once('data', () => resolve());
  dynaliteProcess.once('exit', (code) => reject(new Error(`dynalite exited with ${code}`)));
});
const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
await client.send(new CreateTableCommand({
  TableName: 'bench-table',
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
}));
const signedStore = new DynamoDbCacheStore({ tableName: 'bench-table', endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const dynamoRows = await scenarios(
  [
    ['signed JSON (now)', signedStore],
    ['SDK client (before)', new SdkDynamoDbCacheStore('bench-table', client)],
  ],
  40,
);

signedStore.destroy();
client.destroy();
dynaliteProcess.kill();
await upstream.close();

console.log(`Node ${process.version}, ${new Date().toISOString()}\n`);
console.log('Codec (CPU µs per answer; the stored value is the compressed JSON of the part):\n');
console.log('| JSON bytes | codec | stored bytes | compress µs | decompress µs |\n| ---: | --- | ---: | ---: | ---: |');
console.log(codecRows.join('\n'));
for (const [name, rows] of [['memory store', memoryRows], ['DynamoDB store (dynalite in a child process on loopback)', dynamoRows]] as const) {
  console.log(`\nPer request, ${name}; upstream = fake OpenAI on loopback, 600-character answer:\n`);
  console.log('| path | wall µs | CPU µs |\n| --- | ---: | ---: |');
  for (const [label, cost] of rows) console.log(`| ${label} | ${cost.wallUs.toFixed(1)} | ${cost.cpuUs.toFixed(1)} |`);
}
