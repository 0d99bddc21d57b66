/**
 * What limits cost a request (issue 13, item 4), before they are wired into the handler: a real
 * DynamoDB API (dynalite) behind a loopback proxy that holds every call `--store-ms` (default 5,
 * DynamoDB's typical in-region latency), and a loopback "provider" whose first byte comes after
 * `--upstream-ms` (default 20; real providers take hundreds). Both run in a child process
 * (`bench/limits-servers.ts`): in this one, dynalite's CPU would be charged to the gateway.
 *
 * Scenarios, each run sequentially `--runs` times after a warm-up (the three first-byte ones
 * interleaved, so the machine's changing load falls on each alike):
 * - one UpdateItem through the proxy (the store's floor);
 * - reserve + settle on three counters (requests and tokens per minute, cost per day: one item), awaited one after the other;
 * - time to the provider's first byte without limits, with the reservation run alongside (what the
 *   seam will do: hold the first byte until the reservation answers), and with it awaited first;
 * - reserve + settle on the in-process table (the gateway's own CPU per request).
 *
 * Run: `npx tsx bench/limits-latency.ts [--runs 300] [--store-ms 5] [--upstream-ms 20]`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLimiter, type Limiter } from '../lib/limits/create-limiter.ts';
import { parseLimitsDocument } from '../lib/limits/limits-document.ts';
import { createDynamoDbGatewayTable } from '../lib/store/dynamodb-gateway-table.ts';
import { createMemoryGatewayTable } from '../lib/store/memory-gateway-table.ts';
import { TEST_TABLE } from '../test/support/dynalite.ts';
import { percentile, signed } from './stats.ts';

const { values } = parseArgs({ options: { runs: { type: 'string' }, 'store-ms': { type: 'string' }, 'upstream-ms': { type: 'string' } } });
const RUNS = Number(values.runs ?? 300);
const STORE_MS = Number(values['store-ms'] ?? 5);
const UPSTREAM_MS = Number(values['upstream-ms'] ?? 20);
const WARMUP = 30;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

// Limits high enough never to refuse: the bench measures the granted path.
const document = parseLimitsDocument(
  { rules: [{ name: 'bench', per: 'caller', requests_per_minute: 1e9, tokens_per_minute: 1e12, cost_usd_per_day: 1e9 }] },
  'bench',
);
const subject = { caller: { userArn: 'arn:aws:iam::123456789012:user/bench', accountId: '123456789012' } };
const estimate = { tokens: 500, costUsd: 0.001 };
const actual = { tokens: 120, costUsd: 0.0003 };

/** Starts `bench/limits-servers.ts` in its own process and reads the URLs it prints. */
async function startServers(): Promise<{ store: string; upstream: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'bench/limits-servers.ts'), '--store-ms', String(STORE_MS), '--upstream-ms', String(UPSTREAM_MS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.includes('\n')) resolve(buffered.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`bench/limits-servers.ts exited with ${code}`)));
  });
  return { ...(JSON.parse(line) as { store: string; upstream: string }), child };
}

/** Sends a request and resolves at its first body byte; the rest drains in the background. */
async function firstByte(url: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', body: '{}' });
  const reader = response.body!.getReader();
  await reader.read();
  void (async () => {
    while (!(await reader.read()).done);
  })();
}

async function measure(name: string, run: () => Promise<void>, runs = RUNS): Promise<{ name: string; samples: number[] }> {
  for (let index = 0; index < WARMUP; index++) await run();
  const samples: number[] = [];
  for (let index = 0; index < runs; index++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return { name, samples };
}

/** Runs the scenarios in turn, one sample each per round, so a machine's changing load falls on all alike. */
async function measureInterleaved(scenarios: Array<[string, () => Promise<void>]>): Promise<Array<{ name: string; samples: number[] }>> {
  for (let index = 0; index < WARMUP; index++) for (const [, run] of scenarios) await run();
  const results = scenarios.map(([name]) => ({ name, samples: [] as number[] }));
  for (let index = 0; index < RUNS; index++) {
    for (const [position, [, run]] of scenarios.entries()) {
      const start = performance.now();
      await run();
      results[position]!.samples.push(performance.now() - start);
    }
  }
  return results;
}

async function main(): Promise<void> {
  const servers = await startServers();
  const table = createDynamoDbGatewayTable({
    tableName: TEST_TABLE,
    endpoint: servers.store,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench-not-a-secret' },
  });
  const limiter: Limiter = createLimiter({ table });
  const memoryLimiter = createLimiter({ table: createMemoryGatewayTable() });
  const settleLater: Array<Promise<void>> = [];

  const results = [
    await measure('store: one UpdateItem', async () => {
      await table.add({ pk: 'limits#bench-floor#*', sk: 'x' }, { requests_per_minute: 1 }, { ttl: Math.floor(Date.now() / 1000) + 3600 });
    }),
    await measure('reserve + settle, awaited (3 counters)', async () => {
      const reservation = await limiter.reserve(document, subject, estimate);
      await reservation.settle(actual);
    }),
    ...(await measureInterleaved([
      ['first byte, limits off', () => firstByte(servers.upstream)],
      [
        'first byte, limits on, reservation alongside',
        async () => {
          const reserved = limiter.reserve(document, subject, estimate);
          await firstByte(servers.upstream);
          const reservation = await reserved; // the seam holds the first byte until here
          settleLater.push(reservation.settle(actual)); // after the last byte, off the caller's path
        },
      ],
      [
        'first byte, limits on, reservation first',
        async () => {
          const reservation = await limiter.reserve(document, subject, estimate);
          await firstByte(servers.upstream);
          settleLater.push(reservation.settle(actual));
        },
      ],
    ])),
    await measure(
      'reserve + settle, in-process table',
      async () => {
        const reservation = await memoryLimiter.reserve(document, subject, estimate);
        await reservation.settle(actual);
      },
      RUNS * 10,
    ),
  ];
  await Promise.all(settleLater);

  // The part that cannot overlap the upstream wait: this process's CPU per reserve + settle on DynamoDB.
  const cpuBefore = process.cpuUsage();
  for (let index = 0; index < RUNS; index++) await (await limiter.reserve(document, subject, estimate)).settle(actual);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMsPerRequest = (cpu.user + cpu.system) / 1_000 / RUNS;

  const p50 = (name: string) => percentile(results.find((result) => result.name === name)!.samples, 50);
  console.log(`\nLimits latency: store ${STORE_MS} ms behind a proxy, upstream first byte ${UPSTREAM_MS} ms, ${RUNS} runs (ms)\n`);
  console.log('| scenario | p50 | p90 | p99 |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const { name, samples } of results) {
    console.log(`| ${name} | ${percentile(samples, 50).toFixed(3)} | ${percentile(samples, 90).toFixed(3)} | ${percentile(samples, 99).toFixed(3)} |`);
  }
  console.log(`\nadded p50, reservation alongside: ${signed(p50('first byte, limits on, reservation alongside') - p50('first byte, limits off'), 3)} ms`);
  console.log(`added p50, reservation first:     ${signed(p50('first byte, limits on, reservation first') - p50('first byte, limits off'), 3)} ms`);
  console.log(`CPU per reserve + settle on DynamoDB (1 item: 2 calls): ${cpuMsPerRequest.toFixed(3)} ms`);

  table.destroy();
  servers.child.kill();
}

await main();
