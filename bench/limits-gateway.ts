/**
 * Limits through the whole gateway (issue 13, item 4): two `npm start` servers, identical (same
 * code, same environment, the same DynamoDB-compatible table) but for the keys file: the "on" one
 * has a limits document whose rule applies to every request with three measures (requests and
 * tokens per minute, cost per day), the "off" one has none. The table answers each call
 * `--store-ms` after it arrives (default 5, DynamoDB in-region; the median it really took is
 * printed); the provider answers after `--upstream-ms` (default 20; real ones take hundreds). The
 * provider is also called directly, the harness's own floor.
 *
 * Requests go one at a time, rotating direct / off / on, so the machine's changing load falls on
 * all alike. Figures: the added p50 of the whole JSON answer with limits on over off (bound: 0.5 ms,
 * the reservation runs beside the upstream call), and the CPU per request of each gateway process
 * (utime+stime from /proc, corrections after the answer included).
 *
 * `--before <checkout>` adds a third gateway, limits on, run from another checkout's
 * `functions/completions/local.ts` (e.g. the main branch), measured in the same rotation: an A/B
 * of a change to limits on the same machine at the same moment.
 *
 * Run: `npx tsx bench/limits-gateway.ts [--runs 400] [--store-ms 5] [--upstream-ms 20] [--before /work/main]`; `npm run bench` runs it last.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TEST_TABLE } from '../test/support/dynalite.ts';
import { cpuMillisecondsOf, freePort, type GatewayProcess, startProcess, waitUntilServing } from './gateways.ts';
import { type Client, createClient, send } from './load-client.ts';
import { percentile, signed } from './stats.ts';

const { values } = parseArgs({ options: { runs: { type: 'string' }, 'store-ms': { type: 'string' }, 'upstream-ms': { type: 'string' }, before: { type: 'string' } }, strict: false });
const RUNS = Number(values.runs ?? 400);
const STORE_MS = String(values['store-ms'] ?? 5);
const UPSTREAM_MS = String(values['upstream-ms'] ?? 20);
const WARMUP = 40;
const BOUND_MS = 0.5;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const children: ChildProcess[] = [];
type GatewayName = 'off' | 'on' | 'before';
type Name = 'direct' | GatewayName;
const gateways: GatewayProcess[] = [];

/** Starts a role of `bench/limits-gateway-servers.ts` in its own process and reads the URL it prints. */
function startRemote(args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/limits-gateway-servers.ts'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const line = /^\{.*\}$/m.exec(output);
      if (!line) return;
      child.stdout!.off('data', read);
      child.stdout!.resume();
      resolve((JSON.parse(line[0]) as { url: string }).url);
    };
    child.stdout!.on('data', read);
    child.once('exit', (code) => reject(new Error(`limits-gateway-servers ${args.join(' ')} exited with ${code}: ${output}`)));
  });
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg()[0]!.toFixed(2);
  const [store, upstream] = await Promise.all([startRemote(['--role', 'store', '--store-ms', STORE_MS]), startRemote(['--role', 'upstream', '--upstream-ms', UPSTREAM_MS])]);
  const directory = mkdtempSync(join(os.tmpdir(), 'limits-bench-'));
  const keysFile = (name: string, limits?: unknown) => {
    const file = join(directory, `${name}.keys.json`);
    writeFileSync(file, JSON.stringify({ virtual_keys: { bench: { provider: 'openai', api_key: 'sk-bench', custom_host: `${upstream}/v1` } }, ...(limits ? { limits } : {}) }));
    return file;
  };
  const limits = { rules: [{ name: 'bench', per: 'caller', requests_per_minute: 1e9, tokens_per_minute: 1e12, cost_usd_per_day: 1e9 }] };
  const environment = {
    LOG_LEVEL: 'info',
    GATEWAY_KEY_SOURCE: 'file',
    GATEWAY_TABLE: TEST_TABLE,
    AWS_ENDPOINT_URL_DYNAMODB: store,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'bench-not-a-secret',
  };
  const before = typeof values.before === 'string' ? values.before : undefined;
  const [offPort, onPort, beforePort] = await Promise.all([freePort(), freePort(), freePort()]);
  const local = join(ROOT, 'functions/completions/local.ts');
  // `node --import tsx` (not the tsx CLI, which forks): the pid is the gateway, whose CPU /proc reports.
  gateways.push(
    ...(await Promise.all([
      startProcess('off', ['--import', 'tsx', local], { ...environment, PORT: String(offPort), GATEWAY_KEYS_FILE: keysFile('off') }, offPort),
      startProcess('on', ['--import', 'tsx', local], { ...environment, PORT: String(onPort), GATEWAY_KEYS_FILE: keysFile('on', limits) }, onPort),
      ...(before
        ? [startProcess('before', ['--import', 'tsx', join(before, 'functions/completions/local.ts')], { ...environment, PORT: String(beforePort), GATEWAY_KEYS_FILE: keysFile('on', limits) }, beforePort)]
        : []),
    ])),
  );

  const body = JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 16 });
  const headers = { 'content-type': 'application/json', 'x-portkey-virtual-key': 'bench' };
  const targets = {
    direct: { name: 'direct', url: `${upstream}/v1/completions`, headers },
    off: { name: 'off', url: `http://127.0.0.1:${offPort}/v1/completions`, headers },
    on: { name: 'on', url: `http://127.0.0.1:${onPort}/v1/completions`, headers },
    before: { name: 'before', url: `http://127.0.0.1:${beforePort}/v1/completions`, headers },
  };
  await Promise.all(gateways.map((gateway) => waitUntilServing(gateway, targets[gateway.name as GatewayName], body)));
  const limited = async (url: string) => (await fetch(url, { method: 'POST', headers, body })).headers.has('x-ratelimit-limit-requests');
  if (!(await limited(targets.on.url))) throw new Error('limits are not on in the "on" gateway');
  if (before && !(await limited(targets.before.url))) throw new Error('limits are not on in the "before" gateway');
  if (await limited(targets.off.url)) throw new Error('limits are on in the "off" gateway');

  const names: Name[] = before ? ['direct', 'off', 'on', 'before'] : ['direct', 'off', 'on'];
  const clients = Object.fromEntries(names.map((name) => [name, createClient(targets[name])])) as Record<Name, Client>;
  const pid = (name: GatewayName) => gateways.find((gateway) => gateway.name === name)!.process.pid!;
  const samples: Record<Name, number[]> = { direct: [], off: [], on: [], before: [] };
  const cpuMs: Record<GatewayName, number> = { off: 0, on: 0, before: 0 };
  const measured = names.filter((name): name is GatewayName => name !== 'direct');
  let storeCalls = { calls: 0, medianMs: Number.NaN };
  for (let round = 0; round < WARMUP + RUNS; round++) {
    if (round === WARMUP) {
      await fetch(`${store}/stats`); // resets the store's timings: the measured calls only
      for (const name of measured) cpuMs[name] = -cpuMillisecondsOf(pid(name));
    }
    // Rotated each round, so neither gateway always follows the other.
    for (let index = 0; index < names.length; index++) {
      const name = names[(round + index) % names.length]!;
      const started = performance.now();
      const answer = await send(clients[name], body);
      if (answer.status !== 200) throw new Error(`${name} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
      if (round >= WARMUP) samples[name].push(performance.now() - started);
    }
  }
  // Corrections run after the answers: give the last ones time to finish before reading the CPU.
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (const name of measured) cpuMs[name] += cpuMillisecondsOf(pid(name));
  storeCalls = (await (await fetch(`${store}/stats`)).json()) as typeof storeCalls;
  for (const client of Object.values(clients)) client.agent.destroy();

  const p50 = (name: Name) => percentile(samples[name], 50);
  const added = p50('on') - p50('off');
  const cpu = (name: GatewayName) => (cpuMs[name] * 1_000) / RUNS;
  const line = (label: string, name: Name) =>
    `  ${label.padEnd(12)}p50 ${p50(name).toFixed(2)} ms  p90 ${percentile(samples[name], 90).toFixed(2)} ms${name === 'direct' ? '' : `  CPU ${cpu(name).toFixed(0)} us/request`}`;
  const lines = [
    `limits through the gateway: store ${STORE_MS} ms per call, upstream ${UPSTREAM_MS} ms, ${RUNS} requests each, rotating ${names.join('/')}`,
    line('direct', 'direct'),
    line('limits off', 'off'),
    `${line('limits on', 'on')} (1 rule, 3 measures in 2 windows: 1 item)`,
    ...(before ? [`${line('on, before', 'before')} (${before})`] : []),
    `  store: ${(storeCalls.calls / RUNS).toFixed(2)} calls per limited request${before ? ' (both "on" gateways together)' : ''}, median ${storeCalls.medianMs.toFixed(2)} ms from arrival to answer`,
    `  added p50 ${signed(added)} ms (bound ${BOUND_MS} ms): ${added <= BOUND_MS ? 'within' : 'OVER'}; added CPU ${signed(cpu('on') - cpu('off'), 0)} us/request`,
    ...(before ? [`  before: added p50 ${signed(p50('before') - p50('off'))} ms, added CPU ${signed(cpu('before') - cpu('off'), 0)} us/request`] : []),
    `  load average ${loadAtStart} at start, ${os.loadavg()[0]!.toFixed(2)} at end, ${os.availableParallelism()} cores`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function stopAll(): Promise<void> {
  await Promise.all(gateways.map((gateway) => gateway.stop()));
  for (const child of children) child.kill('SIGTERM');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stopAll().finally(() => process.exit(1));
  });
}
try {
  await main();
} finally {
  await stopAll();
}
