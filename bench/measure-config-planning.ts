/**
 * What routing costs per request before any upstream call: reading `x-portkey-config`
 * (JSON.parse, key normalisation, zod validation, provider / host / query checks) and planning
 * the inherited route tree. Not a test: run it and read the numbers.
 *
 *   npx tsx bench/measure-config-planning.ts
 */
import { createCustomHostGuard } from '../lib/config/custom-host-guard.ts';
import { readConfigHeader } from '../lib/config/read-config-header.ts';
import { targetFieldsFromHeaders } from '../lib/config/target-from-headers.ts';
import { planRoute } from '../lib/routing/plan-route.ts';

const customHostGuard = createCustomHostGuard('loopback', { defaultAllowed: '' });
const caller = {};

/** Three levels, seven leaves, every strategy, camelCase keys, override_params at each level. */
const NESTED = JSON.stringify({
  strategy: { mode: 'fallback', onStatusCodes: [429, 500, 502, 503, 504] },
  retry: { attempts: 2, useRetryAfterHeader: true },
  requestTimeout: 10_000,
  overrideParams: { temperature: 0.2 },
  targets: [
    {
      strategy: {
        mode: 'conditional',
        conditions: [
          { query: { 'metadata.plan': { $in: ['pro', 'team'] } }, then: 'premium' },
          { query: { $or: [{ 'params.max_tokens': { $gt: 1000 } }, { 'params.model': { $regex: '^big-' } }] }, then: 'large' },
        ],
        default: 'pool',
      },
      targets: [
        { name: 'premium', provider: 'openai', customHost: 'http://127.0.0.1:8001/v1', overrideParams: { model: 'premium-model' } },
        { name: 'large', provider: 'openai', customHost: 'http://127.0.0.1:8002/v1', overrideParams: { max_tokens: 1500 } },
        {
          name: 'pool',
          strategy: { mode: 'loadbalance' },
          targets: [
            { provider: 'openai', customHost: 'http://127.0.0.1:8003/v1', weight: 0.7 },
            { provider: 'openai', customHost: 'http://127.0.0.1:8004/v1', weight: 0.3 },
            { provider: 'openai', customHost: 'http://127.0.0.1:8005/v1', weight: 0 },
          ],
        },
      ],
    },
    { provider: 'openai', apiKey: 'sk-backup', customHost: 'http://127.0.0.1:8006/v1', retry: { attempts: 0 } },
    { provider: 'openai', virtualKey: 'vk-last-resort' },
  ],
});
const FLAT = JSON.stringify({ provider: 'openai', customHost: 'http://127.0.0.1:8000/v1', requestTimeout: 5000 });

const headers = (config: string) => ({
  authorization: 'Bearer sk-caller',
  'x-portkey-provider': 'openai',
  'x-portkey-forward-headers': 'x-request-id',
  'x-portkey-config': config,
});

async function perRequest(config: string): Promise<void> {
  const request = headers(config);
  const parsed = await readConfigHeader(request['x-portkey-config'], { customHostGuard, caller });
  planRoute(parsed, targetFieldsFromHeaders(request));
}

async function measure(label: string, run: (index: number) => Promise<void>, iterations = 20_000, batches = 10): Promise<void> {
  for (let warm = 0; warm < 3_000; warm++) await run(iterations + warm);
  const perBatch: number[] = [];
  let index = 0;
  for (let batch = 0; batch < batches; batch++) {
    const started = process.hrtime.bigint();
    for (let each = 0; each < iterations / batches; each++) await run(index++);
    perBatch.push(Number(process.hrtime.bigint() - started) / 1000 / (iterations / batches));
  }
  perBatch.sort((x, y) => x - y);
  const median = perBatch[Math.floor(perBatch.length / 2)]!;
  // On a shared machine the fastest batch is the best estimate of the cost itself.
  console.log(`${label.padEnd(64)} best ${perBatch[0]!.toFixed(1).padStart(6)} µs  median ${median.toFixed(1).padStart(6)} µs`);
}

/** Distinct texts, so the config cache never answers: the cost of a config seen for the first time. */
const variants = (config: string, count: number) =>
  Array.from({ length: count }, (_, index) => config.replace(/"requestTimeout":\d+/, `"requestTimeout":${1_000 + index}`));
const nestedVariants = variants(NESTED, 23_000);
const flatVariants = variants(FLAT, 23_000);

console.log(`node ${process.version}, ${NESTED.length}-byte nested config, ${FLAT.length}-byte flat config, per request`);
await measure('no config (headers only)', async () => {
  planRoute(undefined, targetFieldsFromHeaders(headers('')));
});
await measure('flat config, first sight: parse + validate + plan', (index) => perRequest(flatVariants[index]!));
await measure('nested config (3 levels, 7 leaves), first sight: parse + validate + plan', (index) => perRequest(nestedVariants[index]!));
await measure('nested config, repeated (cached): plan', () => perRequest(NESTED));
