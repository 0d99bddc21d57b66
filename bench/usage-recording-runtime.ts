/**
 * What the usage record costs per invocation as deployed: the handler under the real Lambda
 * runtime (Node 24, aws-lambda-ric), with the record (JSON line + EMF line on the runtime's stdout
 * pipe) and without it (bench/usage-recording-handler.ts, one bundle, an environment variable
 * apart). Each round starts a fresh runtime process per variant, warms it, then measures the CPU
 * of the process's threads over plain requests (usage reported: priced from the table) and over
 * streams whose upstream reports no usage (the record counts tokens: the dearest case). Fresh
 * processes per round, because two processes of the same code differ by several percent here.
 *
 * `npx tsx bench/usage-recording-runtime.ts [invocations per round] [rounds]`; `npm run bench` includes it.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLambdaRuntime, startLambdaRuntimeProcess, type LambdaRuntimeInstall } from '../lib/local/runtime-api/lambda-runtime-process.ts';
import { buildDirectory, bundle, projectRoot } from './build.ts';
import { STACK_ENVIRONMENT } from './cold-start.ts';
import { startBenchUpstream, type BenchUpstream } from './fake-upstream.ts';
import { cpuMillisecondsOf } from './gateways.ts';
import { completionEvent } from './lambda-event.ts';
import { median } from './stats.ts';

const STREAM_CHUNKS = 20;

export interface RuntimeRecordingFigures {
  kind: 'json' | 'stream';
  /** Median over rounds of CPU µs per invocation. */
  offUs: number;
  onUs: number;
  /** (on - off) / off of each round, ascending. */
  roundDifferences: number[];
}

type Runtime = Awaited<ReturnType<typeof startLambdaRuntimeProcess>>;

async function cpuPerInvocation(runtime: Runtime, event: unknown, count: number): Promise<number> {
  const before = cpuMillisecondsOf(runtime.child.pid!);
  for (let index = 0; index < count; index++) {
    const outcome = await runtime.emulator.invoke(event).done;
    if (outcome.kind !== 'response') throw new Error(`invocation failed: ${JSON.stringify(outcome)}\n${runtime.output().slice(-2000)}`);
  }
  // The last invocation's record is written before the runtime polls again.
  await runtime.emulator.waitForNextPoll();
  return ((cpuMillisecondsOf(runtime.child.pid!) - before) * 1000) / count;
}

async function measureVariant(install: LambdaRuntimeInstall, folder: string, record: boolean, upstreams: { json: BenchUpstream; stream: BenchUpstream }, invocations: number) {
  const runtime = await startLambdaRuntimeProcess({
    install,
    taskRoot: folder,
    environment: { ...STACK_ENVIRONMENT, GATEWAY_ALLOWED_CUSTOM_HOSTS: 'loopback', LOG_LEVEL: 'warn', BENCH_USAGE_RECORD: record ? 'on' : 'off' },
  });
  try {
    await runtime.ready;
    const json = completionEvent(upstreams.json, false);
    const stream = completionEvent(upstreams.stream, true);
    // Warm: chunks, the price table, the tokenizer, hot paths compiled, the upstream connection open.
    await cpuPerInvocation(runtime, json, 100);
    await cpuPerInvocation(runtime, stream, 50);
    return { json: await cpuPerInvocation(runtime, json, invocations), stream: await cpuPerInvocation(runtime, stream, invocations / 2) };
  } finally {
    await runtime.stop();
  }
}

export async function measureUsageRecordingUnderRuntime(options: { invocations: number; rounds: number; log: (message: string) => void }): Promise<RuntimeRecordingFigures[] | undefined> {
  const install = findLambdaRuntime(projectRoot);
  if (!install) return undefined;
  const folder = join(buildDirectory, 'lambda-usage-recording');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  await bundle('bench/usage-recording-handler.ts', join(folder, 'index.mjs'));
  const upstreams = {
    json: await startBenchUpstream(),
    // The bench upstream reports no usage in a stream: the record counts its tokens.
    stream: await startBenchUpstream({ streamChunks: STREAM_CHUNKS, chunkIntervalMs: 0 }),
  };
  try {
    const rounds: Array<{ on: { json: number; stream: number }; off: { json: number; stream: number } }> = [];
    for (let round = 0; round < options.rounds; round++) {
      options.log(`usage record under the runtime: round ${round + 1} of ${options.rounds}`);
      // Alternate which goes first, so that a drift in load hits both alike.
      const order = round % 2 === 0 ? [true, false] : [false, true];
      const figures: Record<string, { json: number; stream: number }> = {};
      for (const record of order) figures[record ? 'on' : 'off'] = await measureVariant(install, folder, record, upstreams, options.invocations);
      rounds.push({ on: figures.on!, off: figures.off! });
      options.log(`  on ${JSON.stringify(figures.on)} off ${JSON.stringify(figures.off)}`);
    }
    return (['json', 'stream'] as const).map((kind) => ({
      kind,
      offUs: median(rounds.map((round) => round.off[kind])),
      onUs: median(rounds.map((round) => round.on[kind])),
      roundDifferences: rounds.map((round) => (round.on[kind] - round.off[kind]) / round.off[kind]).sort((a, b) => a - b),
    }));
  } finally {
    await Promise.all([upstreams.json.close(), upstreams.stream.close()]);
  }
}

export function renderUsageRecordingUnderRuntime(figures: readonly RuntimeRecordingFigures[] | undefined, rounds: number): string {
  if (!figures) return 'Usage record under the real runtime: not measured (run `bash tools/lambda-runtime/install.sh`).\n';
  const share = (value: number) => `${(value * 100).toFixed(1)}%`;
  return [
    `Usage record on vs off under the real runtime (Node 24, aws-lambda-ric; CPU of the runtime process per invocation, medians of ${rounds} rounds, fresh processes each round):`,
    ...figures.map(
      (figure) =>
        `  ${figure.kind.padEnd(6)}: off ${figure.offUs.toFixed(0)} µs, on ${figure.onUs.toFixed(0)} µs; difference per round: median ${share(median(figure.roundDifferences))} ` +
        `(${share(figure.roundDifferences[0]!)} to ${share(figure.roundDifferences.at(-1)!)}) (goal < 10%: ${median(figure.roundDifferences) < 0.1 ? 'met' : 'missed'})`,
    ),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [invocations = 600, rounds = 6] = process.argv.slice(2).map(Number);
  const figures = await measureUsageRecordingUnderRuntime({ invocations, rounds, log: (message) => process.stderr.write(`[bench] ${message}\n`) });
  process.stdout.write(renderUsageRecordingUnderRuntime(figures, rounds));
}
