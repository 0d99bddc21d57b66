/**
 * CPU per invocation under the real Lambda runtime (Node 24, aws-lambda-ric), the gateway against
 * the Lambda floor in one function (bench/invocation-pair-handler.ts): each runtime process takes
 * the two in turn, invocation by invocation, and measures each invocation's CPU; per plain request
 * and per stream event (the median stream of many events less the median stream of few, per
 * event), the ratio of medians is taken inside each process. bench/invocation-cost.ts runs one
 * process per target, whose ratios swung between 0.9x and 2.2x from round to round here; blocks
 * of a few hundred invocations compared by their totals swung by ±20%.
 *
 * `npx tsx bench/invocation-cost-paired.ts [plain invocations per target and process] [processes]`;
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

const FEW_EVENTS = 2;
const MANY_EVENTS = 42;

type Target = 'gateway' | 'floor';
interface Upstreams {
  few: BenchUpstream;
  many: BenchUpstream;
}

function eventOf(target: Target, upstream: BenchUpstream, stream: boolean) {
  const event = completionEvent(upstream, stream);
  return target === 'floor' ? withHeader(event, 'x-bench-target', 'floor') : event;
}

/** One process: per target, the median CPU µs of a plain invocation and of a stream event. */
async function measureProcess(install: LambdaRuntimeInstall, folder: string, upstreams: Upstreams, options: { invocations: number }) {
  const runtime = await startLambdaRuntimeProcess({ install, taskRoot: folder, environment: { ...STACK_ENVIRONMENT, GATEWAY_ALLOWED_CUSTOM_HOSTS: 'loopback', LOG_LEVEL: 'silent' } });
  try {
    await runtime.ready;
    const plain = [eventOf('gateway', upstreams.few, false), eventOf('floor', upstreams.few, false)];
    const streams = [eventOf('gateway', upstreams.few, true), eventOf('floor', upstreams.few, true), eventOf('gateway', upstreams.many, true), eventOf('floor', upstreams.many, true)];
    // Warm both: hot paths compiled, the upstream connections open, the price table loaded.
    await cpuOfEachInvocation(runtime, plain, 50);
    await cpuOfEachInvocation(runtime, streams, 10);
    const [gatewayPlain, floorPlain] = (await cpuOfEachInvocation(runtime, plain, options.invocations)).map(median);
    const [gatewayFew, floorFew, gatewayMany, floorMany] = (await cpuOfEachInvocation(runtime, streams, options.invocations / 4)).map(median);
    const perEvent = (many: number, few: number) => (many - few) / (MANY_EVENTS - FEW_EVENTS);
    return {
      gateway: { plainUs: gatewayPlain!, streamEventUs: perEvent(gatewayMany!, gatewayFew!) },
      floor: { plainUs: floorPlain!, streamEventUs: perEvent(floorMany!, floorFew!) },
    };
  } finally {
    await runtime.stop();
  }
}

export interface PairedInvocationCost {
  /** Per process: gateway / floor, ascending. */
  plainRatios: number[];
  streamEventRatios: number[];
  gateway: { plainUs: number; streamEventUs: number };
  floor: { plainUs: number; streamEventUs: number };
}

export async function measurePairedInvocationCost(options: { invocations: number; processes: number; log: (message: string) => void }): Promise<PairedInvocationCost | undefined> {
  const install = findLambdaRuntime(projectRoot);
  if (!install) return undefined;
  const folder = await bundleFunction('bench/invocation-pair-handler.ts', 'lambda-invocation-pair');
  const upstreams = { few: await startBenchUpstream({ streamChunks: FEW_EVENTS, chunkIntervalMs: 0 }), many: await startBenchUpstream({ streamChunks: MANY_EVENTS, chunkIntervalMs: 0 }) };
  try {
    const processes: Array<Awaited<ReturnType<typeof measureProcess>>> = [];
    for (let index = 0; index < options.processes; index++) {
      options.log(`CPU per invocation, gateway and floor in one function: process ${index + 1} of ${options.processes}`);
      processes.push(await measureProcess(install, folder, upstreams, options));
    }
    const ratios = (key: 'plainUs' | 'streamEventUs') => processes.map((figures) => figures.gateway[key] / figures.floor[key]).sort((a, b) => a - b);
    const medianOf = (target: Target, key: 'plainUs' | 'streamEventUs') => median(processes.map((figures) => figures[target][key]));
    return {
      plainRatios: ratios('plainUs'),
      streamEventRatios: ratios('streamEventUs'),
      gateway: { plainUs: medianOf('gateway', 'plainUs'), streamEventUs: medianOf('gateway', 'streamEventUs') },
      floor: { plainUs: medianOf('floor', 'plainUs'), streamEventUs: medianOf('floor', 'streamEventUs') },
    };
  } finally {
    await Promise.all([upstreams.few.close(), upstreams.many.close()]);
  }
}

export function renderPairedInvocationCost(report: PairedInvocationCost | undefined, settings: { invocations: number; processes: number }): string {
  if (!report) return 'CPU per invocation, gateway and floor in one function: not measured (run `bash tools/lambda-runtime/install.sh`).\n';
  const row = (label: string, ours: number, floor: number, ratios: number[]) =>
    `  ${label}: gateway ${ours.toFixed(0)} µs, floor ${floor.toFixed(0)} µs; gateway / floor per process: median ${median(ratios).toFixed(2)}× ` +
    `(${ratios.map((ratio) => `${ratio.toFixed(2)}×`).join(', ')}) (goal <= 1.5×: ${median(ratios) <= 1.5 ? 'met' : 'missed'})`;
  return [
    `CPU per invocation under the real runtime (Node 24, aws-lambda-ric), the gateway and the Lambda floor in one function (${settings.processes} runtime processes, each ` +
      `${settings.invocations} plain and ${settings.invocations / 4} + ${settings.invocations / 4} streamed invocations (${FEW_EVENTS} and ${MANY_EVENTS} events) per target, taken in turn; medians):`,
    row('per plain request', report.gateway.plainUs, report.floor.plainUs, report.plainRatios),
    row('per stream event ', report.gateway.streamEventUs, report.floor.streamEventUs, report.streamEventRatios),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [invocations = 1000, processes = 3] = process.argv.slice(2).map(Number);
  const settings = { invocations, processes };
  const report = await measurePairedInvocationCost({ ...settings, log: (message) => process.stderr.write(`[bench] ${message}\n`) });
  process.stdout.write(renderPairedInvocationCost(report, settings));
}
