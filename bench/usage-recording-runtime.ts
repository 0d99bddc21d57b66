/**
 * What the usage record costs per invocation as deployed: the handler under the real Lambda
 * runtime (Node 24, aws-lambda-ric), with the record (JSON line + EMF line on the runtime's stdout
 * pipe) and without it, both in one function (bench/usage-recording-handler.ts: a header of the
 * event picks one). Each runtime process runs alternating blocks of the two and measures the CPU of
 * its threads per invocation, for plain requests (usage reported: priced from the table) and for
 * streams whose upstream reports no usage (the record counts tokens: the dearest case).
 *
 * `npx tsx bench/usage-recording-runtime.ts [JSON invocations per block] [rounds] [processes]`;
 * `npm run bench` includes it.
 */
import { fileURLToPath } from 'node:url';
import { findLambdaRuntime, startLambdaRuntimeProcess, type LambdaRuntimeInstall } from '../lib/local/runtime-api/lambda-runtime-process.ts';
import { projectRoot } from './build.ts';
import { STACK_ENVIRONMENT } from './cold-start.ts';
import { startBenchUpstream, type BenchUpstream } from './fake-upstream.ts';
import { completionEvent } from './lambda-event.ts';
import { bundleFunction, cpuPerInvocation, withHeader } from './runtime-invocations.ts';
import { median } from './stats.ts';

const STREAM_CHUNKS = 20;

export interface RuntimeRecordingFigures {
  kind: 'json' | 'stream';
  /** Median over processes of CPU µs per invocation. */
  offUs: number;
  onUs: number;
  /** (on - off) / off in each process, ascending. */
  processDifferences: number[];
}


/** The bench's completion event, sent to the handler without its record when `record` is false. */
function eventOf(upstream: BenchUpstream, stream: boolean, record: boolean) {
  const event = completionEvent(upstream, stream);
  return record ? event : withHeader(event, 'x-bench-usage-record', 'off');
}

/**
 * One runtime process: `rounds` rounds of a block with the record and a block without, in
 * alternating order; per kind, the CPU per invocation summed over the blocks of each variant.
 */
async function measureProcess(install: LambdaRuntimeInstall, folder: string, upstreams: { json: BenchUpstream; stream: BenchUpstream }, options: { invocations: number; rounds: number }) {
  const runtime = await startLambdaRuntimeProcess({ install, taskRoot: folder, environment: { ...STACK_ENVIRONMENT, GATEWAY_ALLOWED_CUSTOM_HOSTS: 'loopback', LOG_LEVEL: 'warn' } });
  try {
    await runtime.ready;
    const figures = { json: { on: 0, off: 0 }, stream: { on: 0, off: 0 } };
    for (const kind of ['json', 'stream'] as const) {
      const count = kind === 'json' ? options.invocations : options.invocations / 2;
      // Warm both: chunks, the price table, the tokenizer, hot paths compiled, the upstream connection open.
      for (const record of [true, false]) await cpuPerInvocation(runtime, eventOf(upstreams[kind], kind === 'stream', record), 50);
      for (let round = 0; round < options.rounds; round++) {
        for (const record of round % 2 === 0 ? [true, false] : [false, true]) {
          figures[kind][record ? 'on' : 'off'] += (await cpuPerInvocation(runtime, eventOf(upstreams[kind], kind === 'stream', record), count)) / options.rounds;
        }
      }
    }
    return figures;
  } finally {
    await runtime.stop();
  }
}

export async function measureUsageRecordingUnderRuntime(options: { invocations: number; rounds: number; processes: number; log: (message: string) => void }): Promise<RuntimeRecordingFigures[] | undefined> {
  const install = findLambdaRuntime(projectRoot);
  if (!install) return undefined;
  const folder = await bundleFunction('bench/usage-recording-handler.ts', 'lambda-usage-recording');
  const upstreams = {
    json: await startBenchUpstream(),
    // The bench upstream reports no usage in a stream: the record counts its tokens.
    stream: await startBenchUpstream({ streamChunks: STREAM_CHUNKS, chunkIntervalMs: 0 }),
  };
  try {
    const processes: Array<Awaited<ReturnType<typeof measureProcess>>> = [];
    for (let index = 0; index < options.processes; index++) {
      options.log(`usage record under the runtime: process ${index + 1} of ${options.processes}`);
      processes.push(await measureProcess(install, folder, upstreams, options));
    }
    return (['json', 'stream'] as const).map((kind) => ({
      kind,
      offUs: median(processes.map((figures) => figures[kind].off)),
      onUs: median(processes.map((figures) => figures[kind].on)),
      processDifferences: processes.map((figures) => (figures[kind].on - figures[kind].off) / figures[kind].off).sort((a, b) => a - b),
    }));
  } finally {
    await Promise.all([upstreams.json.close(), upstreams.stream.close()]);
  }
}

export function renderUsageRecordingUnderRuntime(figures: readonly RuntimeRecordingFigures[] | undefined, settings: { invocations: number; rounds: number; processes: number }): string {
  if (!figures) return 'Usage record under the real runtime: not measured (run `bash tools/lambda-runtime/install.sh`).\n';
  const share = (value: number) => `${(value * 100).toFixed(1)}%`;
  return [
    `Usage record on vs off under the real runtime (Node 24, aws-lambda-ric; one function serving both, ${settings.processes} runtime processes, ` +
      `each ${settings.rounds} alternating rounds of ${settings.invocations} JSON / ${settings.invocations / 2} stream invocations per variant; CPU of the process per invocation):`,
    ...figures.map(
      (figure) =>
        `  ${figure.kind.padEnd(6)}: off ${figure.offUs.toFixed(0)} µs, on ${figure.onUs.toFixed(0)} µs; difference per process: median ${share(median(figure.processDifferences))} ` +
        `(${figure.processDifferences.map(share).join(', ')}) (goal < 10%: ${median(figure.processDifferences) < 0.1 ? 'met' : 'missed'})`,
    ),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [invocations = 200, rounds = 6, processes = 3] = process.argv.slice(2).map(Number);
  const settings = { invocations, rounds, processes };
  const figures = await measureUsageRecordingUnderRuntime({ ...settings, log: (message) => process.stderr.write(`[bench] ${message}\n`) });
  process.stdout.write(renderUsageRecordingUnderRuntime(figures, settings));
}
