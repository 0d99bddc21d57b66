/**
 * CPU per invocation under the real Lambda runtime (Node 24, aws-lambda-ric): the runtime process's
 * own CPU time (user + system, /proc) over many invocations driven through the Runtime API
 * emulator, for the deployed asset and for the Lambda floor (`lambda-floor-handler.ts`, the same
 * upstream call piped back). A plain request, and a stream event: the difference between streamed
 * answers of many and of few events, per event. Invocations run one at a time, as Lambda sends
 * them to one instance.
 *
 * `npx tsx bench/invocation-cost.ts [invocations] [--baseline <git ref>] [--rounds <n>]` on its own;
 * `npm run bench` includes it. `--baseline` also measures another commit's asset
 * (bench/baseline-asset.ts) in the same run; `--rounds` repeats the three measurements in turn
 * (this tree, baseline, floor), so that a change of load hits them alike, and reports each round.
 */
import { buildBaselineAsset } from './baseline-asset.ts';
import { findLambdaRuntime, startLambdaRuntimeProcess, type LambdaRuntimeInstall } from '../lib/local/runtime-api/lambda-runtime-process.ts';
import { buildLambdaAssets, STACK_ENVIRONMENT, type LambdaAssets } from './cold-start.ts';
import { startBenchUpstream, type BenchUpstream } from './fake-upstream.ts';
import { projectRoot } from './build.ts';
import { completionEvent } from './lambda-event.ts';
import { cpuPerInvocation, type RuntimeProcess } from './runtime-invocations.ts';

const FEW_EVENTS = 2;
const MANY_EVENTS = 42;

export interface InvocationCost {
  /** Microseconds of CPU per plain (JSON) request. */
  plainUs: number;
  /** Microseconds of CPU per stream event. */
  streamEventUs: number;
}

export interface InvocationCostReport {
  invocations: number;
  gateway: InvocationCost;
  floor: InvocationCost;
  /** Another commit's asset, when asked for (`--baseline`), measured between the two. */
  baseline?: InvocationCost & { label: string };
}

/** CPU milliseconds the process spends on `count` invocations of `event`, one after another. */
async function cpuOf(runtime: RuntimeProcess, event: unknown, count: number): Promise<number> {
  return ((await cpuPerInvocation(runtime, event, count)) * count) / 1000;
}

async function costOf(install: LambdaRuntimeInstall, folder: string, upstreams: { few: BenchUpstream; many: BenchUpstream }, invocations: number): Promise<InvocationCost> {
  const runtime = await startLambdaRuntimeProcess({ install, taskRoot: folder, environment: { ...STACK_ENVIRONMENT, GATEWAY_ALLOWED_CUSTOM_HOSTS: 'loopback', LOG_LEVEL: 'silent' } });
  try {
    await runtime.ready;
    const plain = completionEvent(upstreams.few, false);
    const few = completionEvent(upstreams.few, true);
    const many = completionEvent(upstreams.many, true);
    // Warm: the first invocations load chunks, compile hot paths and open the upstream connection.
    await cpuOf(runtime, plain, 50);
    await cpuOf(runtime, few, 20);
    await cpuOf(runtime, many, 5);
    const plainMs = await cpuOf(runtime, plain, invocations);
    const fewMs = await cpuOf(runtime, few, invocations / 2);
    const manyMs = await cpuOf(runtime, many, invocations / 2);
    return {
      plainUs: (plainMs * 1000) / invocations,
      streamEventUs: ((manyMs - fewMs) * 1000) / ((invocations / 2) * (MANY_EVENTS - FEW_EVENTS)),
    };
  } finally {
    await runtime.stop();
  }
}

export async function measureInvocationCost(
  assets: LambdaAssets,
  invocations: number,
  baseline?: { directory: string; label: string },
): Promise<InvocationCostReport | undefined> {
  const install = findLambdaRuntime(projectRoot);
  if (!install) return undefined;
  const few = await startBenchUpstream({ streamChunks: FEW_EVENTS, chunkIntervalMs: 0 });
  const many = await startBenchUpstream({ streamChunks: MANY_EVENTS, chunkIntervalMs: 0 });
  try {
    const gateway = await costOf(install, assets.gateway, { few, many }, invocations);
    const baselineCost = baseline ? { ...(await costOf(install, baseline.directory, { few, many }, invocations)), label: baseline.label } : undefined;
    const floor = await costOf(install, assets.floor, { few, many }, invocations);
    return { invocations, gateway, floor, ...(baselineCost ? { baseline: baselineCost } : {}) };
  } finally {
    await Promise.all([few.close(), many.close()]);
  }
}

export function renderInvocationCost(report: InvocationCostReport | undefined): string {
  if (!report) return 'CPU per invocation under the real runtime: not measured (run `bash tools/lambda-runtime/install.sh`).\n';
  const row = (label: string, ours: number, floor: number) =>
    `  ${label}: gateway ${ours.toFixed(0)} µs, Lambda floor ${floor.toFixed(0)} µs: ${(ours / floor).toFixed(2)}× (goal <= 1.5×: ${ours / floor <= 1.5 ? 'met' : 'missed'})`;
  const { baseline } = report;
  return [
    `CPU under the real runtime (Node 24, aws-lambda-ric; runtime process user+system over ${report.invocations} sequential invocations each):`,
    row('per plain request', report.gateway.plainUs, report.floor.plainUs),
    row('per stream event ', report.gateway.streamEventUs, report.floor.streamEventUs),
    ...(baseline
      ? [
          `  baseline ${baseline.label}: plain ${baseline.plainUs.toFixed(0)} µs (${(baseline.plainUs / report.floor.plainUs).toFixed(2)}× the floor), ` +
            `stream event ${baseline.streamEventUs.toFixed(0)} µs (${(baseline.streamEventUs / report.floor.streamEventUs).toFixed(2)}×)`,
          `  this tree / baseline: plain ${(report.gateway.plainUs / baseline.plainUs).toFixed(2)}×, stream event ${(report.gateway.streamEventUs / baseline.streamEventUs).toFixed(2)}×`,
        ]
      : []),
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const at = args.indexOf(name);
    if (at < 0) return undefined;
    const value = args.splice(at, 2)[1];
    if (value === undefined) throw new Error(`${name} needs a value`);
    return value;
  };
  const baselineRef = option('--baseline');
  const rounds = Number(option('--rounds') ?? 1);
  const invocations = Number(args[0] ?? 2000);
  const assets = await buildLambdaAssets();
  const baseline = baselineRef ? buildBaselineAsset(projectRoot, baselineRef) : undefined;
  try {
    for (let round = 1; round <= rounds; round++) {
      if (rounds > 1) process.stdout.write(`round ${round} of ${rounds}\n`);
      process.stdout.write(renderInvocationCost(await measureInvocationCost(assets, invocations, baseline)));
    }
  } finally {
    baseline?.remove();
  }
}
