/**
 * What the usage record costs per request (issue #12: "CPU per request and p50 with recording on
 * and off; the difference stays under 10% of our own cost"). One gateway process on two ports, identical but
 * for the record (bench/usage-recording-server.ts), and the upstream called directly, measured in
 * interleaved blocks: p50 at concurrency 1 (added over direct) and CPU per request at concurrency
 * 16, for JSON answers (usage reported: priced from the table) and for streams whose upstream sends
 * no usage (the record counts tokens with the tokenizer: the dearest case).
 * Run by `npm run bench` after its main part, or alone: `npx tsx bench/usage-recording.ts [--quick]`.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { projectRoot } from './build.ts';
import { startBenchUpstream } from './fake-upstream.ts';
import { cpuMillisecondsOf, freePort, startProcess, waitUntilServing } from './gateways.ts';
import { closedLoop, createClient, type Client, type Target } from './load-client.ts';
import { measureLatency } from './scenarios.ts';
import { median } from './stats.ts';

const requestBody = JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 16, temperature: 0 });
const streamBody = JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 16, temperature: 0, stream: true });

export interface RecordingFigures {
  kind: 'json' | 'stream';
  /** p50 at concurrency 1, ms, minus the direct call's p50. */
  addedP50Ms: { on: number; off: number };
  /** CPU per request at concurrency 16, microseconds, of the gateway process. */
  cpuPerRequestUs: { on: number; off: number };
  /** (on - off) / off of each round's adjacent blocks, ascending: the spread the pooled figure hides. */
  roundDifferences: number[];
  requests: { on: number; off: number };
}

export async function measureUsageRecording(options: { quick: boolean; log: (message: string) => void }): Promise<RecordingFigures[]> {
  const settings = options.quick ? { rounds: 3, blockMs: 300, warmupMs: 1000 } : { rounds: 12, blockMs: 500, warmupMs: 2000 };
  const upstream = await startBenchUpstream({ streamChunks: 20, chunkIntervalMs: 1 });
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
      options.log(`usage recording on/off: ${kind}, CPU at concurrency 16`);
      const cpu = new Map<string, { milliseconds: number; requests: number }>();
      const blocks = new Map<string, number[]>();
      const before = new Map<string, number>();
      // Both variants share the process: a block's CPU is that of the variant it loaded.
      const pidOf = (name: string) => (name === 'direct' ? undefined : gateway.process.pid);
      await measureLatency(clients, body, 16, settings.rounds, settings.blockMs, {
        before: (name) => {
          const pid = pidOf(name);
          if (pid) before.set(name, cpuMillisecondsOf(pid));
        },
        after: (name, requests) => {
          const pid = pidOf(name);
          if (!pid) return;
          const sum = cpu.get(name) ?? { milliseconds: 0, requests: 0 };
          const milliseconds = cpuMillisecondsOf(pid) - before.get(name)!;
          sum.milliseconds += milliseconds;
          sum.requests += requests;
          cpu.set(name, sum);
          blocks.set(name, [...(blocks.get(name) ?? []), (milliseconds * 1000) / requests]);
        },
      });
      const direct = latency.get('direct')!.p50;
      const perRequest = (name: string) => (cpu.get(name)!.milliseconds * 1000) / cpu.get(name)!.requests;
      figures.push({
        kind,
        addedP50Ms: { on: latency.get('on')!.p50 - direct, off: latency.get('off')!.p50 - direct },
        cpuPerRequestUs: { on: perRequest('on'), off: perRequest('off') },
        roundDifferences: blocks.get('on')!.map((on, round) => (on - blocks.get('off')![round]!) / blocks.get('off')![round]!).sort((a, b) => a - b),
        requests: { on: cpu.get('on')!.requests, off: cpu.get('off')!.requests },
      });
    }
    return figures;
  } finally {
    for (const client of clients) client.agent.destroy();
    await gateway.stop();
    await upstream.close();
  }
}

/** Markdown lines: one table row per kind, and the difference as a share of the gateway's own cost. */
export function renderUsageRecording(figures: readonly RecordingFigures[]): string {
  const percent = (on: number, off: number) => `${(((on - off) / off) * 100).toFixed(1)}%`;
  const share = (value: number) => `${(value * 100).toFixed(1)}%`;
  const rows = figures.map(
    (figure) =>
      `| ${figure.kind} | ${figure.cpuPerRequestUs.off.toFixed(0)} | ${figure.cpuPerRequestUs.on.toFixed(0)} | ${percent(figure.cpuPerRequestUs.on, figure.cpuPerRequestUs.off)} | ` +
      `${share(median(figure.roundDifferences))} (${share(figure.roundDifferences[0]!)} to ${share(figure.roundDifferences.at(-1)!)}) | ` +
      `${figure.addedP50Ms.off.toFixed(2)} | ${figure.addedP50Ms.on.toFixed(2)} | ${(figure.addedP50Ms.on - figure.addedP50Ms.off).toFixed(2)} ms | ${figure.requests.off} / ${figure.requests.on} |`,
  );
  return [
    '## Usage record: recording on vs off',
    '',
    'One gateway process serving two ports, identical but for the usage record (JSON line + EMF line on stdout,',
    'as deployed), loaded in interleaved blocks. CPU per request at concurrency 16 (the run time of the process\'s threads, /proc schedstat); ',
    'per round: the difference between the round\'s adjacent on and off blocks (median, and the range over rounds). ',
    'added p50 over the direct call at concurrency 1. Streams: 20 chunks, the upstream reports no usage, ',
    'so the record counts tokens with the tokenizer (the dearest case). Target: CPU difference < 10% of off.',
    '',
    '| answer | CPU/request off (µs) | on (µs) | difference | per round: median (range) | added p50 off (ms) | on (ms) | difference | requests (CPU) off / on |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const figures = await measureUsageRecording({ quick: process.argv.includes('--quick'), log: (message) => process.stderr.write(`[bench] ${message}\n`) });
  process.stdout.write(`${renderUsageRecording(figures)}\n`);
}
