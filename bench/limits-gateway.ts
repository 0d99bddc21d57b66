/**
 * Limits through the whole gateway (issue 13, item 4): two `npm start` servers, one without a
 * limits document (limits off) and one with three rules applying to every request (requests,
 * tokens and cost counters) on a DynamoDB-compatible table whose every call takes `--store-ms`
 * (default 5, DynamoDB in-region). The provider answers after `--upstream-ms` (default 20; real ones
 * take hundreds). Requests alternate between the two, one at a time, so the machine's changing load
 * falls on both alike; the figure is the added p50 of the whole JSON answer with limits on.
 * The bound: at most 0.5 ms, since the reservation runs beside the upstream call.
 *
 * Run: `npx tsx bench/limits-gateway.ts [--runs 400] [--store-ms 5] [--upstream-ms 20]`; `npm run bench` runs it last.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TEST_TABLE } from '../test/support/dynalite.ts';
import { percentile, signed } from './stats.ts';

const { values } = parseArgs({ options: { runs: { type: 'string' }, 'store-ms': { type: 'string' }, 'upstream-ms': { type: 'string' } }, strict: false });
const RUNS = Number(values.runs ?? 400);
const STORE_MS = String(values['store-ms'] ?? 5);
const UPSTREAM_MS = String(values['upstream-ms'] ?? 20);
const WARMUP = 40;
const BOUND_MS = 0.5;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const children: ChildProcess[] = [];

/** Spawns `script` and resolves with the first stdout line matching `pattern`. */
function start(script: string, args: string[], env: NodeJS.ProcessEnv, pattern: RegExp): Promise<RegExpExecArray> {
  const child = spawn(process.execPath, [TSX, join(ROOT, script), ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) resolve(match);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${output}`)));
  });
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg()[0]!.toFixed(2);
  const servers = JSON.parse((await start('bench/limits-gateway-servers.ts', ['--store-ms', STORE_MS, '--upstream-ms', UPSTREAM_MS], process.env, /^\{.*\}$/m))[0]) as {
    store: string;
    upstream: string;
  };
  const directory = mkdtempSync(join(os.tmpdir(), 'limits-bench-'));
  const keys = (limits?: unknown) => {
    const file = join(directory, `${limits ? 'on' : 'off'}.keys.json`);
    writeFileSync(file, JSON.stringify({ virtual_keys: { bench: { provider: 'openai', api_key: 'sk-bench', custom_host: `${servers.upstream}/v1` } }, ...(limits ? { limits } : {}) }));
    return file;
  };
  const limits = { rules: [{ name: 'bench', per: 'caller', requests_per_minute: 1e9, tokens_per_minute: 1e12, cost_usd_per_day: 1e9 }] };
  const base = { ...process.env, PORT: '0', LOG_LEVEL: 'info', GATEWAY_KEY_SOURCE: 'file' };
  const url = /"url":"(http:\/\/[^"]+)"/;
  const [off, on] = await Promise.all([
    start('functions/completions/local.ts', [], { ...base, GATEWAY_KEYS_FILE: keys() }, url),
    start('functions/completions/local.ts', [], {
      ...base,
      GATEWAY_KEYS_FILE: keys(limits),
      GATEWAY_TABLE: TEST_TABLE,
      AWS_ENDPOINT_URL_DYNAMODB: servers.store,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'bench-not-a-secret',
    }, url),
  ].map((started) => started.then((match) => match[1]!)));

  const body = JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 16 });
  const send = async (server: string): Promise<Headers> => {
    const response = await fetch(`${server}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-portkey-virtual-key': 'bench' }, body });
    await response.text();
    if (response.status !== 200) throw new Error(`${server} answered ${response.status}`);
    return response.headers;
  };
  if (!(await send(on!)).has('x-ratelimit-limit-requests')) throw new Error('limits are not on in the "on" gateway');
  if ((await send(off!)).has('x-ratelimit-limit-requests')) throw new Error('limits are on in the "off" gateway');

  const samples = { off: [] as number[], on: [] as number[] };
  for (let round = 0; round < WARMUP + RUNS; round++) {
    for (const [name, server] of round % 2 ? ([['on', on], ['off', off]] as const) : ([['off', off], ['on', on]] as const)) {
      const started = performance.now();
      await send(server!);
      if (round >= WARMUP) samples[name].push(performance.now() - started);
    }
  }
  const p50 = { off: percentile(samples.off, 50), on: percentile(samples.on, 50) };
  const added = p50.on - p50.off;
  const lines = [
    `limits through the gateway: store ${STORE_MS} ms per call, upstream ${UPSTREAM_MS} ms, ${RUNS} requests each, alternating`,
    `  limits off  p50 ${p50.off.toFixed(2)} ms  p90 ${percentile(samples.off, 90).toFixed(2)} ms`,
    `  limits on   p50 ${p50.on.toFixed(2)} ms  p90 ${percentile(samples.on, 90).toFixed(2)} ms  (3 counters reserved alongside, settled after)`,
    `  added p50 ${signed(added)} ms (bound ${BOUND_MS} ms): ${added <= BOUND_MS ? 'within' : 'OVER'}`,
    `  load average ${loadAtStart} at start, ${os.loadavg()[0]!.toFixed(2)} at end, ${os.availableParallelism()} cores`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGTERM');
    process.exit(1);
  });
}
try {
  await main();
} finally {
  for (const child of children) child.kill('SIGTERM');
}
