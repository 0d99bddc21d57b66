/**
 * Turns the measurements into figures added over the direct path, side by side (ours, floor,
 * Portkey), with our own cost (ours minus floor) and the issue's goals, as a terminal table and
 * as `bench/results.md`.
 */
import type { BundleSize } from './build.ts';
import type { LatencyFigures, RateFigures, StreamFigures } from './scenarios.ts';
import { signed } from './stats.ts';

export interface BenchReport {
  mode: 'quick' | 'full';
  machine: { nproc: number; cpuModel: string; memoryGb: number; node: string; commit: string; date: string; loadAverage: string };
  settings: Record<string, number>;
  latency: Map<number, Map<string, LatencyFigures>>;
  streams: Map<string, StreamFigures>;
  rates: Map<string, RateFigures>;
  cpuPerRequestUs: Map<string, number>;
  memory: Map<string, { peakMb: number; rssMb: number }>;
  bundle: {
    /** `bytes` is what module load reads (the entry and the one chunk it imports); `chunkBytes` load on first `import()`. */
    handler: BundleSize & { chunkBytes: number; largestPackages: Array<{ name: string; bytes: number }> };
    emptyHandler: BundleSize;
    handlerLoadMs: number;
    emptyLoadMs: number;
    loadRuns: number;
  };
  upstreamAnswered: number;
  seconds: number;
}

const GATEWAYS = ['ours', 'floor', 'portkey'] as const;
type Row = [figure: string, ours: string, floor: string, portkey: string, own: string, goal: string];

interface Goal {
  name: string;
  value: string;
  met: boolean;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

function rows(report: BenchReport): { rows: Row[]; goals: Goal[] } {
  const out: Row[] = [];
  const goals: Goal[] = [];
  const added = (figure: (name: string) => number) => {
    const values = Object.fromEntries(GATEWAYS.map((name) => [name, figure(name) - figure('direct')])) as Record<(typeof GATEWAYS)[number], number>;
    return values;
  };

  for (const [concurrency, figures] of report.latency) {
    const get = (key: 'p50' | 'p99') => (name: string) => figures.get(name)![key];
    for (const key of ['p50', 'p99'] as const) {
      const values = added(get(key));
      const own = values.ours - values.floor;
      let goal = '';
      if (concurrency === 1 && key === 'p50') {
        goal = 'own <= 0.15; ours <= portkey/3';
        goals.push({ name: 'own cost p50, non-streaming, c1 <= 0.15 ms', value: `${fixed(own, 3)} ms`, met: own <= 0.15 });
        goals.push({ name: 'added p50 c1 <= a third of Portkey\'s', value: `${fixed(values.ours, 3)} vs ${fixed(values.portkey / 3, 3)} ms`, met: values.ours <= values.portkey / 3 });
      }
      out.push([`added ${key} ms, c${concurrency} (direct ${fixed(figures.get('direct')![key])})`, signed(values.ours), signed(values.floor), signed(values.portkey), signed(own), goal]);
    }
  }
  const throughput = (name: string) => [...report.latency.values()].at(-1)!.get(name)!.rate;
  const highest = [...report.latency.keys()].at(-1);
  out.push([
    `closed-loop req/s at c${highest} (direct ${fixed(throughput('direct'), 0)})`,
    fixed(throughput('ours'), 0),
    fixed(throughput('floor'), 0),
    fixed(throughput('portkey'), 0),
    `${fixed((100 * throughput('ours')) / throughput('floor'), 0)}% of floor`,
    '',
  ]);
  const errorCounts = GATEWAYS.map((name) => [...report.latency.values()].reduce((sum, figures) => sum + figures.get(name)!.errors, 0));
  if (errorCounts.some((count) => count > 0)) out.push(['failed requests (latency runs)', ...errorCounts.map(String), '', ''] as Row);

  const rate = (name: string) => report.rates.get(name)!.sustained;
  // A rate of 0 means no step passed at all (a machine too busy to measure): no verdict then.
  const rated = rate('ours') > 0 && rate('floor') > 0 && rate('portkey') > 0;
  goals.push({ name: 'sustained rate >= 80% of floor', value: `${rate('ours')} vs ${Math.round(0.8 * rate('floor'))}/s`, met: rated && rate('ours') >= 0.8 * rate('floor') });
  goals.push({ name: 'sustained rate >= 3x Portkey', value: `${rate('ours')} vs ${3 * rate('portkey')}/s`, met: rated && rate('ours') >= 3 * rate('portkey') });
  out.push([
    `sustained req/s, keeping pace, p50 <= +${report.settings.addedP50BoundMs} ms (direct ${rate('direct')})`,
    String(rate('ours')),
    String(rate('floor')),
    String(rate('portkey')),
    `${fixed((100 * rate('ours')) / rate('floor'), 0)}% of floor`,
    '>= 80% floor, >= 3x portkey',
  ]);

  const stream = (key: keyof StreamFigures) => (name: string) => report.streams.get(name)![key];
  const ttfb = added(stream('ttfbP50'));
  goals.push({ name: 'own cost, first stream byte p50 <= 0.5 ms', value: `${fixed(ttfb.ours - ttfb.floor, 3)} ms`, met: ttfb.ours - ttfb.floor <= 0.5 });
  out.push([`added TTFB p50 ms, stream (direct ${fixed(report.streams.get('direct')!.ttfbP50)})`, signed(ttfb.ours), signed(ttfb.floor), signed(ttfb.portkey), signed(ttfb.ours - ttfb.floor), 'own <= 0.5']);
  const ttfb99 = added(stream('ttfbP99'));
  out.push(['added TTFB p99 ms, stream', signed(ttfb99.ours), signed(ttfb99.floor), signed(ttfb99.portkey), signed(ttfb99.ours - ttfb99.floor), '']);
  const gap = added(stream('maxGapP50'));
  out.push([`added largest chunk gap ms, median stream (direct ${fixed(report.streams.get('direct')!.maxGapP50)})`, signed(gap.ours), signed(gap.floor), signed(gap.portkey), signed(gap.ours - gap.floor), '']);
  const worst = added(stream('maxGapWorst'));
  out.push([`added largest chunk gap ms, worst stream`, signed(worst.ours), signed(worst.floor), signed(worst.portkey), signed(worst.ours - worst.floor), '']);
  const incomplete = GATEWAYS.map((name) => report.streams.get(name)!.incomplete);
  if (incomplete.some((count) => count > 0)) out.push(['incomplete streams', ...incomplete.map(String), '', ''] as Row);

  const cpu = (name: string) => report.cpuPerRequestUs.get(name) ?? Number.NaN;
  out.push(['gateway CPU per request, c16 (us)', fixed(cpu('ours'), 0), fixed(cpu('floor'), 0), fixed(cpu('portkey'), 0), signed(cpu('ours') - cpu('floor'), 0), '']);
  const memory = (name: string) => report.memory.get(name)!.peakMb;
  out.push(['peak RSS MB (VmHWM)', fixed(memory('ours'), 1), fixed(memory('floor'), 1), fixed(memory('portkey'), 1), signed(memory('ours') - memory('floor'), 1), '']);

  const { bundle } = report;
  goals.push({ name: 'bundle <= 400 KB minified', value: kb(bundle.handler.bytes), met: bundle.handler.bytes <= 400 * 1024 });
  goals.push({ name: 'module load <= 50 ms', value: `${fixed(bundle.handlerLoadMs, 1)} ms`, met: bundle.handlerLoadMs <= 50 });
  return { rows: out, goals };
}

function bundleLines(report: BenchReport): string[] {
  const { bundle } = report;
  return [
    `Lambda bundle: ${kb(bundle.handler.bytes)} minified loaded at import (the entry and its one chunk), ${kb(bundle.handler.gzipBytes)} gzipped, ` +
      `plus ${kb(bundle.handler.chunkBytes)} of chunks loaded on first use (providers, the price table, the tokenizer, the AWS SDK) ` +
      `(empty handler bundled the same way: ${kb(bundle.emptyHandler.bytes)}, ${kb(bundle.emptyHandler.gzipBytes)} gzipped)`,
    `Module load (median of ${bundle.loadRuns} fresh node processes, import() only): ${fixed(bundle.handlerLoadMs, 1)} ms ` +
      `(empty handler ${fixed(bundle.emptyLoadMs, 1)} ms)`,
    `Largest inputs of what loads at import: ${bundle.handler.largestPackages.map((input) => `${input.name} ${kb(input.bytes)}`).join(', ')}`,
  ];
}

const HEADER: Row = ['figure (added over direct)', 'ours', 'floor', 'portkey', 'own (ours-floor)', 'goal'];

export function renderTerminal(report: BenchReport): string {
  const { rows: body, goals } = rows(report);
  const table = [HEADER, ...body];
  const widths = HEADER.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  const line = (row: Row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [
    '',
    line(HEADER),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...body.map(line),
    '',
    ...bundleLines(report),
    '',
    'Goals:',
    ...goals.map((goal) => `  [${goal.met ? 'met' : 'MISSED'}] ${goal.name}: ${goal.value}`),
    `(${report.mode} run, ${fixed(report.seconds, 1)} s, ${report.upstreamAnswered} upstream answers, load average ${report.machine.loadAverage})`,
    '',
  ].join('\n');
}

export function renderMarkdown(report: BenchReport): string {
  const { rows: body, goals } = rows(report);
  const { machine } = report;
  const cell = (text: string) => text.replaceAll('|', '\\|');
  return `# Benchmark results

Written by \`npm run bench${report.mode === 'quick' ? ' -- --quick' : ''}\` (${report.mode} run, ${fixed(report.seconds, 0)} s) on ${machine.date}.

Machine: ${machine.nproc} cores (\`nproc\`), ${machine.cpuModel}, ${machine.memoryGb} GiB, Node ${machine.node}. Commit ${machine.commit}.
Load average (1 min) during the run: ${machine.loadAverage}; above ${machine.nproc}, other work shared the cores and the
latency figures carry its noise (CPU per request is the steadier figure).

Every figure is the cost **added over calling the fake upstream directly** (a), measured in the same
run with the targets interleaved block by block: **ours** is the \`npm start\` server (the local
entry bundled by esbuild with the Lambda bundle's options, run with plain \`node\`: the full Middy
handler path), **floor** is \`bench/floor-proxy.ts\` (read, JSON.parse, JSON.stringify, forward over
keep-alive, pipe back), **portkey** is \`@portkey-ai/gateway\` 1.15.2 (\`build/start-server.js\`,
custom host pointed at the fake). **own** = ours minus floor: our gateway's own cost per request.

| ${HEADER.map(cell).join(' | ')} |
| ${HEADER.map((_, column) => (column === 0 ? '---' : '---:')).join(' | ')} |
${body.map((row) => `| ${row.map(cell).join(' | ')} |`).join('\n')}

${bundleLines(report).map((line) => `- ${line}`).join('\n')}

## Goals (issue 7)

${goals.map((goal) => `- ${goal.met ? 'met' : '**missed**'}: ${goal.name} — ${goal.value}`).join('\n')}

## Method

- Client and fake upstream share one process (node:http, keep-alive agents); each gateway is its own
  \`node\` process on loopback. Request: \`{"model":"gpt-3.5-turbo-instruct","prompt":"Say this is a test","max_tokens":16,"temperature":0}\`,
  answer: OpenAI's example completion object, ${report.settings.answerBytes} bytes of JSON.
- Latency: closed loop at concurrency 1, 16, 64; ${report.settings.latencyRounds} rounds of ${report.settings.blockMs} ms blocks per target, order rotating per round.
- Sustained rate: open loop (latency counted from each request's scheduled start), doubling from 250/s then bisecting,
  ${report.settings.rateStepMs} ms per step; a step passes when every request succeeds, answers keep pace (completed/s >= 95% of offered)
  and p50 <= direct p50 at c1 + ${report.settings.addedP50BoundMs} ms (a p99 bound measured the shared machine's stalls: floor 0/s).
  The direct figure is the harness's own ceiling: no gateway can show more.
- Streams: ${report.settings.streamChunks} chunks ${report.settings.chunkIntervalMs} ms apart, ${report.settings.streamConcurrency} at a time, started ${report.settings.chunkIntervalMs! / report.settings.streamConcurrency!} ms apart
  (so no two chunks reach a gateway at once); TTFB is send to the first body byte;
  the gap is the largest time between two body chunks of a stream.
- CPU per request: utime+stime of the gateway process (/proc/<pid>/stat) over the c16 blocks, divided by their requests.
- Peak RSS: VmHWM of each gateway process after all load. Module load: \`import()\` of the bundle in a fresh
  \`node --import awslambda-preload\` process (the local stand-in of the streaming runtime), median.
`;
}
