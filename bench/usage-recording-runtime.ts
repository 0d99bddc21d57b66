/**
 * What the usage record costs per invocation as deployed: the handler under the real Lambda
 * runtime (Node 24, aws-lambda-ric), with the record (JSON line + EMF line on the runtime's stdout
 * pipe) and without it, both in one function (bench/usage-recording-handler.ts: a header of the
 * event picks one). Each runtime process takes the two in turn, invocation by invocation, and
 * measures the CPU of its threads for each, for plain requests (usage reported: priced from the
 * table) and for streams whose upstream reports no usage (the record counts tokens: the dearest
 * case). Blocks of a few hundred invocations per variant, compared by their totals, swung by ±20%
 * here (a neighbour on the shared host slows a block); medians of single invocations do not.
 *
 * `npx tsx bench/usage-recording-runtime.ts [JSON invocations per variant and process] [processes]`;
 * `npm run bench` includes it.
 */
import { fileURLToPath } from 'node:url';
import { findLambdaRuntime, startLambdaRuntimeProcess, type LambdaRuntimeInstall } from '../lib/local/runtime-api/lambda-runtime-process.ts';
import { projectRoot } from './build.ts';
import { STACK_ENVIRONMENT } from './cold-start.ts';
import { startBenchUpstream, type BenchUpstream } from './fake-upstream.ts';
import { completionEvent } from './lambda-event.ts';
import { bundleFunction, cpuOfEachInvocation, withHeader } from './runtime-invocations.ts';
import { median } from './stats.ts';

const STREAM_CHUNKS = 20;

export interface RuntimeRecordingFigures {
  kind: 'json' | 'stream';
  /** Median CPU µs per invocation over every process's invocations. */
  offUs: number;
  onUs: number;
  /** Per process, (median on - median off) / median off, ascending. */
  processDifferences: number[];
  /** The same from means (every invocation counted, a neighbour's noise too), per process, ascending. */
  meanDifferences: number[];
  invocations: number;
}

/** The bench's completion event, sent to the handler without its record when `record` is false. */
function eventOf(upstream: BenchUpstream, stream: boolean, record: boolean) {
  const event = completionEvent(upstream, stream);
  return record ? event : withHeader(event, 'x-bench-usage-record', 'off');
}

/** One runtime process: per kind, the CPU of each invocation with the record and without, taken in turn. */
async function measureProcess(install: LambdaRuntimeInstall, folder: string, upstreams: { json: BenchUpstream; stream: BenchUpstream }, options: { invocations: number }) {
  const runtime = await startLambdaRuntimeProcess({ install, taskRoot: folder, environment: { ...STACK_ENVIRONMENT, GATEWAY_ALLOWED_CUSTOM_HOSTS: 'loopback', LOG_LEVEL: 'warn' } });
  try {
    await runtime.ready;
    const figures = {} as Record<'json' | 'stream', { on: number[]; off: number[] }>;
    for (const kind of ['json', 'stream'] as const) {
      const events = [true, false].map((record) => eventOf(upstreams[kind], kind === 'stream', record));
      // Warm both: chunks, the price table, the tokenizer, hot paths compiled, the upstream connection open.
      await cpuOfEachInvocation(runtime, events, 50);
      const [on, off] = await cpuOfEachInvocation(runtime, events, kind === 'json' ? options.invocations : options.invocations / 2);
      figures[kind] = { on: on!, off: off! };
    }
    return figures;
  } finally {
    await runtime.stop();
  }
}

export async function measureUsageRecordingUnderRuntime(options: { invocations: number; processes: number; log: (message: string) => void }): Promise<RuntimeRecordingFigures[] | undefined> {
  const install = findLambdaRuntime(projectRoot);
  if (!install) return undefined;
  const folder = await bundleFunction('bench/usage-recording-handler.ts', 'lambda-usage-recording');
  const upstreams = {
    json: await startBenchUpstream(),
    // The bench upstream reports no usage in a stream: the record counts its tokens.
    stream: await startBenchUpstream({ streamChunks: STREAM_CHUNKS, chunkIntervalMs: 0, streamUsage: false }),
  };
  try {
    const processes: Array<Awaited<ReturnType<typeof measureProcess>>> = [];
    for (let index = 0; index < options.processes; index++) {
      options.log(`usage record under the runtime: process ${index + 1} of ${options.processes}`);
      processes.push(await measureProcess(install, folder, upstreams, options));
    }
    const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    return (['json', 'stream'] as const).map((kind) => ({
      kind,
      offUs: median(processes.flatMap((figures) => figures[kind].off)),
      onUs: median(processes.flatMap((figures) => figures[kind].on)),
      processDifferences: processes.map(({ [kind]: { on, off } }) => (median(on) - median(off)) / median(off)).sort((a, b) => a - b),
      meanDifferences: processes.map(({ [kind]: { on, off } }) => (mean(on) - mean(off)) / mean(off)).sort((a, b) => a - b),
      invocations: processes.reduce((sum, figures) => sum + figures[kind].on.length, 0),
    }));
  } finally {
    await Promise.all([upstreams.json.close(), upstreams.stream.close()]);
  }
}

export function renderUsageRecordingUnderRuntime(figures: readonly RuntimeRecordingFigures[] | undefined, settings: { invocations: number; processes: number }): string {
  if (!figures) return 'Usage record under the real runtime: not measured (run `bash tools/lambda-runtime/install.sh`).\n';
  const share = (value: number) => `${(value * 100).toFixed(1)}%`;
  return [
    `Usage record on vs off under the real runtime (Node 24, aws-lambda-ric; one function serving both, ${settings.processes} runtime processes, ` +
      `each ${settings.invocations} JSON / ${settings.invocations / 2} stream invocations per variant, taken in turn; CPU of the process per invocation):`,
    ...figures.map(
      (figure) =>
        `  ${figure.kind.padEnd(6)}: median off ${figure.offUs.toFixed(0)} µs, on ${figure.onUs.toFixed(0)} µs; difference of medians per process: ${figure.processDifferences.map(share).join(', ')} ` +
        `(goal < 10%: ${median(figure.processDifferences) < 0.1 ? 'met' : 'missed'}); of means: ${figure.meanDifferences.map(share).join(', ')}`,
    ),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [invocations = 1000, processes = 3] = process.argv.slice(2).map(Number);
  const settings = { invocations, processes };
  const figures = await measureUsageRecordingUnderRuntime({ ...settings, log: (message) => process.stderr.write(`[bench] ${message}\n`) });
  process.stdout.write(renderUsageRecordingUnderRuntime(figures, settings));
}
