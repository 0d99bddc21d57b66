/**
 * A/B of our gateway against itself, for one optimisation at a time:
 *   `npx tsx bench/ab.ts snapshot <name>`   bundles the working tree's local server as <name>;
 *   `npx tsx bench/ab.ts compare <a> <b> [<c>...] [rounds]`  runs the snapshots side by side, blocks
 * interleaved (order rotating per round), and prints CPU per request at c16, p50 at c1 and the
 * first stream byte p50 of each. Same machine, same run: the difference is the change's effect.
 */
import { join } from 'node:path';
import { buildDirectory, bundle } from './build.ts';
import { startBenchUpstream } from './fake-upstream.ts';
import { cpuMillisecondsOf, freePort, startProcess, waitUntilServing, type GatewayProcess } from './gateways.ts';
import { closedLoop, createClient, streamOnce, type Client } from './load-client.ts';
import { median, percentile } from './stats.ts';

const [command, ...names] = process.argv.slice(2);
const fileOf = (name: string) => join(buildDirectory, 'ab', `${name}.mjs`);

if (command === 'snapshot') {
  await bundle('functions/completions/local.ts', fileOf(names[0]!));
  console.log(`snapshot ${names[0]} -> ${fileOf(names[0]!)}`);
} else if (command === 'compare') {
  const rounds = /^\d+$/.test(names.at(-1) ?? '') ? Number(names.pop()) : 6;
  await compare(names, rounds);
} else {
  console.error('usage: ab.ts snapshot <name> | compare <a> <b> [<c>...] [rounds]');
  process.exitCode = 2;
}

async function compare(snapshots: string[], rounds: number): Promise<void> {
  const upstream = await startBenchUpstream({ streamChunks: 20, chunkIntervalMs: 20 });
  const body = JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 16, temperature: 0 });
  const streamBody = JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', stream: true });
  const runs: { name: string; gateway: GatewayProcess; client: Client; cpuMs: number; requests: number; streamCpuMs: number; streams: number; c1: number[]; ttfb: number[] }[] = [];
  for (const name of snapshots) {
    const port = await freePort();
    const gateway = await startProcess(name, [fileOf(name)], { HOST: '127.0.0.1', PORT: String(port), GATEWAY_ALLOWED_CUSTOM_HOSTS: 'loopback', LOG_LEVEL: 'warn' }, port);
    const target = {
      name,
      url: `http://127.0.0.1:${port}/v1/completions`,
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` },
    };
    await waitUntilServing(gateway, target, body);
    const client = createClient(target);
    await closedLoop(client, body, 16, 1000);
    runs.push({ name, gateway, client, cpuMs: 0, requests: 0, streamCpuMs: 0, streams: 0, c1: [], ttfb: [] });
  }
  for (let round = 0; round < rounds; round++) {
    const order = runs.map((_, index) => runs[(index + round) % runs.length]!);
    for (const run of order) {
      const before = cpuMillisecondsOf(run.gateway.process.pid!);
      const result = await closedLoop(run.client, body, 16, 1000);
      run.cpuMs += cpuMillisecondsOf(run.gateway.process.pid!) - before;
      run.requests += result.latencies.length;
    }
    for (const run of order) run.c1.push(...(await closedLoop(run.client, body, 1, 500)).latencies);
    for (const run of order) {
      const before = cpuMillisecondsOf(run.gateway.process.pid!);
      for (let index = 0; index < 4; index++) {
        run.ttfb.push((await streamOnce(run.client, streamBody, 20)).ttfb);
      }
      // Four streams at once on top, for the CPU per stream (20 events each).
      await Promise.all(Array.from({ length: 4 }, () => streamOnce(run.client, streamBody, 20)));
      run.streamCpuMs += cpuMillisecondsOf(run.gateway.process.pid!) - before;
      run.streams += 8;
    }
  }
  for (const run of runs) {
    console.log(
      `${run.name.padEnd(12)} cpu/request ${((run.cpuMs * 1000) / run.requests).toFixed(0).padStart(4)} us  c16 rate ${(run.requests / rounds).toFixed(0)}/s  c1 p50 ${percentile(run.c1, 50).toFixed(3)} ms  p99 ${percentile(run.c1, 99).toFixed(3)} ms  ttfb p50 ${median(run.ttfb).toFixed(3)} ms  cpu/stream ${((run.streamCpuMs * 1000) / run.streams).toFixed(0)} us`,
    );
    run.client.agent.destroy();
    await run.gateway.stop();
  }
  await upstream.close();
}
