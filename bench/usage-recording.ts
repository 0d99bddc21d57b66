/**
 * What the usage record costs per request (issue #12: "CPU per request and p50 with recording on
 * and off; the difference stays under 10% of our own cost"). One gateway process on two ports, identical but
 * for the record (bench/usage-recording-server.ts), and the upstream called directly, measured in
 * interleaved blocks: p50 at concurrency 1 (added over direct); and the CPU of each request, the
 * two variants taken in turn one request at a time, the process idle in between, compared by
 * medians (blocks of requests at concurrency 16 compared by their totals swung from -26% to +150%
 * here: a neighbour on the shared host slows a block). For JSON answers (usage reported: priced
 * from the table) and for streams whose upstream sends no usage (the record counts tokens with the
 * tokenizer: the dearest case).
 * Run by `npm run bench` after its main part, or alone: `npx tsx bench/usage-recording.ts [--quick]`.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from './build.ts';
import { startBenchUpstream } from './fake-upstream.ts';
import { cpuMillisecondsOf, freePort, startProcess, waitUntilServing } from './gateways.ts';
import { closedLoop, createClient, send, type Client, type Target } from './load-client.ts';
import { measureLatency } from './scenarios.ts';
import { median } from './stats.ts';

const requestBody = JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 16, temperature: 0 });
const streamBody = JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 16, temperature: 0, stream: true });

export interface RecordingFigures {
  kind: 'json' | 'stream';
  /** p50 at concurrency 1, ms, minus the direct call's p50. */
  addedP50Ms: { on: number; off: number };
  /** Median CPU µs of the gateway process per request. */
  cpuPerRequestUs: { on: number; off: number };
  /** The same from means: every request counted, a neighbour's noise too. */
  meanCpuPerRequestUs: { on: number; off: number };
  /** Requests measured per variant. */
  requests: number;
}

export async function measureUsageRecording(options: { quick: boolean; log: (message: string) => void }): Promise<RecordingFigures[]> {
  const settings = options.quick ? { rounds: 3, blockMs: 300, warmupMs: 1000, requests: 300 } : { rounds: 12, blockMs: 500, warmupMs: 2000, requests: 2000 };
  const upstream = await startBenchUpstream({ streamChunks: 20, chunkIntervalMs: 1, streamUsage: false });
  const server = join(projectRoot, 'bench', 'usage-recording-server.ts');
  const [onPort, offPort] = await Promise.all([freePort(), freePort()]);
  const gateway = await startProcess('on+off', ['--import', 'tsx', server], { PORT: String(onPort), PORT_OFF: String(offPort), LOG_LEVEL: 'warn' }, onPort);
  const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-bench-not-a-key', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` };
  const targets: Target[] = [
    { name: 'direct', url: `${upstream.url}/v1/completions`, headers },
    { name: 'on', url: `http://127.0.0.1:${onPort}/v1/completions`, headers },
    { name: 'off', url: `http://127.0.0.1:${offPort}/v1/completions`, headers },
  ];
  let clients: Client[] = [];
  try {
    for (const target of targets.slice(1)) await waitUntilServing(gateway, target, requestBody);
    clients = targets.map(createClient);
    const figures: RecordingFigures[] = [];
    for (const [kind, body] of [['json', requestBody], ['stream', streamBody]] as const) {
      options.log(`usage recording on/off: ${kind}, warming up`);
      // Warm-up also loads the price table and the tokenizer in the recording process.
      for (const client of clients) await closedLoop(client, body, 8, settings.warmupMs);
      options.log(`usage recording on/off: ${kind}, p50 at concurrency 1`);
      const latency = await measureLatency(clients, body, 1, settings.rounds, settings.blockMs);
      options.log(`usage recording on/off: ${kind}, CPU of each request`);
      const [on, off] = await cpuOfEachRequest(gateway.process.pid!, [clients[1]!, clients[2]!], body, settings.requests);
      const direct = latency.get('direct')!.p50;
      figures.push({
        kind,
        addedP50Ms: { on: latency.get('on')!.p50 - direct, off: latency.get('off')!.p50 - direct },
        cpuPerRequestUs: { on: median(on!), off: median(off!) },
        meanCpuPerRequestUs: { on: mean(on!), off: mean(off!) },
        requests: on!.length,
      });
    }
    return figures;
  } finally {
    for (const client of clients) client.agent.destroy();
    await gateway.stop();
    await upstream.close();
  }
}

/**
 * CPU µs of the process for each request, the clients taken in turn (`count` requests each, the
 * order reversed every other turn). The record is written after the last byte, so each request is
 * followed by a pause long enough for that work to end before the next reading.
 */
async function cpuOfEachRequest(pid: number, clients: readonly Client[], body: string, count: number): Promise<number[][]> {
  const figures = clients.map(() => [] as number[]);
  for (let turn = 0; turn < count; turn++) {
    for (let step = 0; step < clients.length; step++) {
      const index = turn % 2 === 0 ? step : clients.length - 1 - step;
      const before = cpuMillisecondsOf(pid);
      const { status } = await send(clients[index]!, body);
      if (status !== 200) throw new Error(`${clients[index]!.target.name}: status ${status}`);
      await sleep(AFTER_REQUEST_MS);
      figures[index]!.push((cpuMillisecondsOf(pid) - before) * 1000);
    }
  }
  return figures;
}

/** The record takes tens of µs after the last byte; a pause of 2 ms leaves it ample time. */
const AFTER_REQUEST_MS = 2;

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Markdown lines: one table row per kind, and the difference as a share of the gateway's own cost. */
export function renderUsageRecording(figures: readonly RecordingFigures[]): string {
  const percent = (on: number, off: number) => `${(((on - off) / off) * 100).toFixed(1)}%`;
  const rows = figures.map(
    (figure) =>
      `| ${figure.kind} | ${figure.cpuPerRequestUs.off.toFixed(0)} | ${figure.cpuPerRequestUs.on.toFixed(0)} | ${percent(figure.cpuPerRequestUs.on, figure.cpuPerRequestUs.off)} | ` +
      `${percent(figure.meanCpuPerRequestUs.on, figure.meanCpuPerRequestUs.off)} | ` +
      `${figure.addedP50Ms.off.toFixed(2)} | ${figure.addedP50Ms.on.toFixed(2)} | ${(figure.addedP50Ms.on - figure.addedP50Ms.off).toFixed(2)} ms | ${figure.requests} |`,
  );
  return [
    '## Usage record: recording on vs off',
    '',
    'One gateway process serving two ports, identical but for the usage record (JSON line + EMF line on stdout,',
    'as deployed). CPU of the process for each request (its threads\' run time, /proc schedstat), the two ports taken in turn one ',
    'request at a time with the process idle in between: medians, and means as a cross-check. Added p50 over the direct call at ',
    'concurrency 1, interleaved blocks. Streams: 20 chunks, the upstream reports no usage, so the record counts tokens with the ',
    'tokenizer (the dearest case). Target: CPU difference < 10% of off.',
    '',
    '| answer | CPU/request off (µs, median) | on (µs) | difference | difference of means | added p50 off (ms) | on (ms) | difference | requests per variant |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await measureUsageRecording({ quick: process.argv.includes('--quick'), log: (message) => process.stderr.write(`[bench] ${message}\n`) });
  process.stdout.write(`${renderUsageRecording(figures)}\n`);
}
