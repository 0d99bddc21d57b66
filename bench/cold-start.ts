/**
 * Cold start under the real Lambda runtime: Node 24 and AWS's runtime interface client, started
 * as Lambda starts them (`lib/local/runtime-api/lambda-runtime-process.ts`), timed from the spawn
 * to the runtime's first `GET /runtime/invocation/next`: Lambda's Init phase, the part of a cold
 * start that is ours. Runs alternate between the deployed asset (built by the stack's own
 * `buildHandlerBundle`, `index.mjs` + `chunks/`) and an empty streaming handler bundled alike.
 * Each process then answers one plain request: its first, which pays for what init left to first
 * use (the provider's chunk, the upstream connection). The upstream takes 100 ms to answer, as a
 * provider would: work the gateway does while waiting for it costs the caller nothing, work it
 * does before sending the request (or after the answer) adds to the cold start. Then the asset's
 * first request as deployed, through a virtual key that Secrets Manager serves in 15 ms: when the
 * provider request leaves, and when the answer ends.
 *
 * `npx tsx bench/cold-start.ts [runs] [--baseline <git ref>]` on its own; `npm run bench` includes
 * it. `--baseline` also runs another commit's asset (bench/baseline-asset.ts), interleaved with the rest.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { buildHandlerBundle } from '../infra/build-handler-bundle.ts';
import { findLambdaRuntime, startLambdaRuntimeProcess, type LambdaRuntimeInstall } from '../lib/local/runtime-api/lambda-runtime-process.ts';
import { fakeAwsEnv, startFakeSecretsManager } from '../test/fakes/fake-secrets-manager.ts';
import { buildBaselineAsset } from './baseline-asset.ts';
import { buildDirectory, bundle, projectRoot } from './build.ts';
import { completionEvent } from './lambda-event.ts';
import { startBenchUpstream, type BenchUpstream } from './fake-upstream.ts';
import { median } from './stats.ts';

/** How long the bench's upstream takes to answer the first request: a fast provider's time to answer. */
const FIRST_REQUEST_UPSTREAM_MS = 100;

/** How long Secrets Manager takes to answer the virtual-key first request: an in-region `GetSecretValue`. */
const SECRETS_MANAGER_MS = 15;

/** What the stack sets (infra/gateway-stack.ts), so import-time configuration reads the same values. */
export const STACK_ENVIRONMENT = {
  GATEWAY_KEY_SOURCE: 'secretsmanager',
  GATEWAY_SECRETS_PREFIX: 'llm-gateway/',
  GATEWAY_SECRETS_TTL_SECONDS: '300',
  GATEWAY_ALLOWED_CUSTOM_HOSTS: '',
  GATEWAY_BEDROCK_REGIONS: 'eu-west-1',
  GATEWAY_METRICS: 'emf',
};

export interface LambdaAssets {
  /** The deployed asset's folder (`index.mjs` + `chunks/`). */
  gateway: string;
  /** An empty streaming handler's folder (`index.mjs`). */
  empty: string;
  /** The floor: a streaming handler that makes the same upstream call and pipes the answer. */
  floor: string;
}

/** Builds the three function folders under bench/.build/. */
export async function buildLambdaAssets(): Promise<LambdaAssets> {
  const assets = { gateway: join(buildDirectory, 'lambda-gateway'), empty: join(buildDirectory, 'lambda-empty'), floor: join(buildDirectory, 'lambda-floor') };
  for (const directory of Object.values(assets)) {
    rmSync(directory, { recursive: true, force: true });
    mkdirSync(directory, { recursive: true });
  }
  buildHandlerBundle({ projectRoot, outdir: assets.gateway, entryName: 'index' });
  await bundle('bench/empty-handler.ts', join(assets.empty, 'index.mjs'));
  await bundle('bench/lambda-floor-handler.ts', join(assets.floor, 'index.mjs'));
  return assets;
}

export interface ColdStartSample {
  /** Spawn to the first `/next`. */
  initMs: number;
  /** CPU time of the process's main thread by then (/proc/<pid>/schedstat, ns): steadier than `initMs` on a busy machine. */
  initCpuMs: number;
  /** The first invocation, `/next` answered to the answer's end (when an event was given). */
  firstInvocationMs: number;
  /** CPU time of the main thread during the first invocation (its schedstat after the answer, less `initCpuMs`). */
  firstInvocationCpuMs: number;
  /** From `/next` answered to the upstream receiving the provider request (when an upstream was given). */
  firstRequestSentMs: number;
}

/** One fresh runtime process: its init, and its first invocation of `event` if given. */
export async function measureColdStartOnce(
  install: LambdaRuntimeInstall,
  taskRoot: string,
  event?: unknown,
  environment: Record<string, string> = {},
  upstream?: BenchUpstream,
): Promise<ColdStartSample> {
  const runtime = await startLambdaRuntimeProcess({
    install,
    taskRoot,
    environment: { ...STACK_ENVIRONMENT, GATEWAY_ALLOWED_CUSTOM_HOSTS: 'loopback', LOG_LEVEL: 'silent', ...environment },
  });
  try {
    const initMs = (await runtime.ready) - runtime.startedAt;
    const initCpuMs = mainThreadCpuMilliseconds(runtime.child.pid!);
    if (event === undefined) return { initMs, initCpuMs, firstInvocationMs: Number.NaN, firstInvocationCpuMs: Number.NaN, firstRequestSentMs: Number.NaN };
    const started = performance.now();
    const outcome = await runtime.emulator.invoke(event).done;
    const firstInvocationMs = performance.now() - started;
    if (outcome.kind !== 'response') throw new Error(`first invocation failed: ${JSON.stringify(outcome)}\n${runtime.output().slice(-2000)}`);
    // Its work after the answer (usage record, settling) ends when the runtime polls again.
    await runtime.emulator.waitForNextPoll();
    const firstInvocationCpuMs = mainThreadCpuMilliseconds(runtime.child.pid!) - initCpuMs;
    const firstRequestSentMs = upstream && upstream.lastRequestAt >= started ? upstream.lastRequestAt - started : Number.NaN;
    return { initMs, initCpuMs, firstInvocationMs, firstInvocationCpuMs, firstRequestSentMs };
  } finally {
    await runtime.stop();
  }
}

/** Time the main thread of `pid` has run on a CPU, from /proc/<pid>/schedstat (nanoseconds). */
function mainThreadCpuMilliseconds(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

export interface InitFigures {
  medianMs: number;
  cpuMedianMs: number;
  samples: number[];
  firstInvocationMedianMs: number;
  firstInvocationCpuMedianMs: number;
}

/** Medians over `runs` fresh processes per folder, alternating so that drift hits all alike. */
export async function measureInit(install: LambdaRuntimeInstall, folders: string[], runs: number, event?: unknown, environment: Record<string, string> = {}): Promise<InitFigures[]> {
  const samples = folders.map(() => [] as ColdStartSample[]);
  // One unmeasured start each: the first spawn pays for the page cache.
  for (const folder of folders) await measureColdStartOnce(install, folder, event, environment);
  for (let run = 0; run < runs; run++) {
    for (const [index, folder] of folders.entries()) samples[index]!.push(await measureColdStartOnce(install, folder, event, environment));
  }
  return samples.map((values) => ({
    medianMs: median(values.map((sample) => sample.initMs)),
    cpuMedianMs: median(values.map((sample) => sample.initCpuMs)),
    samples: values.map((sample) => Math.round(sample.initMs * 10) / 10),
    firstInvocationMedianMs: median(values.map((sample) => sample.firstInvocationMs)),
    firstInvocationCpuMedianMs: median(values.map((sample) => sample.firstInvocationCpuMs)),
  }));
}

/** A cold start's first request as deployed: its provider key a virtual key read from Secrets Manager. */
export interface VirtualKeyFirstRequest {
  /** Medians: `/next` answered to the provider request's arrival, and to the answer's end. */
  sentMs: number;
  answeredMs: number;
  sentSamples: number[];
}

export interface ColdStartReport {
  runs: number;
  node: string;
  gateway: InitFigures;
  empty: InitFigures;
  floor: InitFigures;
  /** Another commit's asset, when asked for (`--baseline`). */
  baseline?: InitFigures & { label: string };
  /** The gateway's first request through a virtual key (and the baseline's, when given). */
  virtualKey: { gateway: VirtualKeyFirstRequest; baseline?: VirtualKeyFirstRequest };
  /** The 1-minute load average before and after the runs. */
  load: [number, number];
}

/**
 * Init of the asset, the empty handler and the floor (and a baseline asset, if given); each then
 * answers one plain request (the empty one ignores it).
 */
export async function measureColdStart(assets: LambdaAssets, runs: number, baseline?: { directory: string; label: string }): Promise<ColdStartReport | undefined> {
  const install = findLambdaRuntime(projectRoot);
  if (!install) return undefined;
  const upstream = await startBenchUpstream({ latencyMs: FIRST_REQUEST_UPSTREAM_MS });
  // As on Lambda, the role's credentials are in the environment, and the first request reads the
  // limits document (`llm-gateway/limits`, absent here as in most deployments) from Secrets Manager.
  const secrets = await startFakeSecretsManager();
  const secretsEnvironment = { ...fakeAwsEnv(secrets), AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEXAMPLE' };
  const loadBefore = loadavg()[0]!;
  try {
    const event = completionEvent(upstream, false);
    const folders = [assets.gateway, assets.empty, assets.floor, ...(baseline ? [baseline.directory] : [])];
    const [gateway, empty, floor, baselineFigures] = await measureInit(install, folders, runs, event, secretsEnvironment);
    secrets.put('llm-gateway/bench-key', { provider: 'openai', api_key: 'sk-bench-not-a-key', custom_host: `${upstream.url}/v1` });
    secrets.delayMs = SECRETS_MANAGER_MS;
    const [virtualKeyGateway, virtualKeyBaseline] = await measureVirtualKeyFirstRequest(install, [assets.gateway, ...(baseline ? [baseline.directory] : [])], runs, upstream, secretsEnvironment);
    return {
      runs,
      node: 'v24.21.0',
      gateway: gateway!,
      empty: empty!,
      floor: floor!,
      ...(baseline && baselineFigures ? { baseline: { ...baselineFigures, label: baseline.label } } : {}),
      virtualKey: { gateway: virtualKeyGateway!, ...(virtualKeyBaseline ? { baseline: virtualKeyBaseline } : {}) },
      load: [loadBefore, loadavg()[0]!],
    };
  } finally {
    await upstream.close();
    await secrets.close();
  }
}

/** The same request through the virtual key `bench-key`: the key read from Secrets Manager comes first, as deployed. */
async function measureVirtualKeyFirstRequest(
  install: LambdaRuntimeInstall,
  folders: string[],
  runs: number,
  upstream: BenchUpstream,
  environment: Record<string, string>,
): Promise<VirtualKeyFirstRequest[]> {
  const plain = completionEvent(upstream, false);
  const { 'x-portkey-provider': _provider, 'x-portkey-custom-host': _host, authorization: _key, ...headers } = plain.headers;
  const event = { ...plain, headers: { ...headers, 'x-portkey-virtual-key': 'bench-key' } };
  const samples = folders.map(() => [] as ColdStartSample[]);
  for (let run = 0; run < runs; run++) {
    for (const [index, folder] of folders.entries()) samples[index]!.push(await measureColdStartOnce(install, folder, event, environment, upstream));
  }
  return samples.map((values) => {
    if (values.some((sample) => Number.isNaN(sample.firstRequestSentMs))) throw new Error('a virtual-key first request never reached the upstream');
    return {
      sentMs: median(values.map((sample) => sample.firstRequestSentMs)),
      answeredMs: median(values.map((sample) => sample.firstInvocationMs)),
      sentSamples: values.map((sample) => Math.round(sample.firstRequestSentMs * 10) / 10),
    };
  });
}

export function renderColdStart(report: ColdStartReport | undefined): string {
  if (!report) return 'Cold start under the real runtime: not measured (run `bash tools/lambda-runtime/install.sh`).\n';
  const added = report.gateway.medianMs - report.empty.medianMs;
  return [
    `Cold start under the real runtime (Node ${report.node}, aws-lambda-ric; init = spawn to first /next; medians of ${report.runs} fresh processes each):`,
    `  init: gateway asset ${report.gateway.medianMs.toFixed(1)} ms, empty handler ${report.empty.medianMs.toFixed(1)} ms, Lambda floor ${report.floor.medianMs.toFixed(1)} ms; gateway - empty = +${added.toFixed(1)} ms (goal <= +20 ms: ${added <= 20 ? 'met' : 'missed'})`,
    `  init CPU of the main thread: gateway ${report.gateway.cpuMedianMs.toFixed(1)} ms, empty ${report.empty.cpuMedianMs.toFixed(1)} ms, floor ${report.floor.cpuMedianMs.toFixed(1)} ms; gateway - empty = +${(report.gateway.cpuMedianMs - report.empty.cpuMedianMs).toFixed(1)} ms`,
    `  first plain request after init (the upstream answers in ${FIRST_REQUEST_UPSTREAM_MS} ms): gateway ${report.gateway.firstInvocationMedianMs.toFixed(1)} ms (main-thread CPU ${report.gateway.firstInvocationCpuMedianMs.toFixed(1)} ms), ` +
      `Lambda floor ${report.floor.firstInvocationMedianMs.toFixed(1)} ms (CPU ${report.floor.firstInvocationCpuMedianMs.toFixed(1)} ms); gateway - floor = +${(report.gateway.firstInvocationMedianMs - report.floor.firstInvocationMedianMs).toFixed(1)} ms`,
    `  first request through a virtual key (Secrets Manager answers in ${SECRETS_MANAGER_MS} ms, the upstream in ${FIRST_REQUEST_UPSTREAM_MS} ms): the provider request left ` +
      `${report.virtualKey.gateway.sentMs.toFixed(1)} ms after the invocation began, the answer ended at ${report.virtualKey.gateway.answeredMs.toFixed(1)} ms` +
      (report.virtualKey.baseline ? ` (baseline: ${report.virtualKey.baseline.sentMs.toFixed(1)} and ${report.virtualKey.baseline.answeredMs.toFixed(1)} ms)` : ''),
    ...(report.baseline ? renderBaseline(report.gateway, report.baseline) : []),
    `  init samples, gateway: ${report.gateway.samples.join(', ')}`,
    `  init samples, empty:   ${report.empty.samples.join(', ')}`,
    `  load average (1 min): ${report.load[0].toFixed(2)} before, ${report.load[1].toFixed(2)} after`,
    '',
  ].join('\n');
}

/** This tree's asset against another commit's, measured in the same run. */
function renderBaseline(gateway: InitFigures, baseline: InitFigures & { label: string }): string[] {
  const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}x`;
  return [
    `  baseline ${baseline.label}: init ${baseline.medianMs.toFixed(1)} ms, CPU ${baseline.cpuMedianMs.toFixed(1)} ms; first request ${baseline.firstInvocationMedianMs.toFixed(1)} ms, CPU ${baseline.firstInvocationCpuMedianMs.toFixed(1)} ms`,
    `  this tree / baseline: init ${ratio(gateway.medianMs, baseline.medianMs)}, init CPU ${ratio(gateway.cpuMedianMs, baseline.cpuMedianMs)}, ` +
      `init + first request CPU ${ratio(gateway.cpuMedianMs + gateway.firstInvocationCpuMedianMs, baseline.cpuMedianMs + baseline.firstInvocationCpuMedianMs)}`,
    `  init samples, baseline: ${baseline.samples.join(', ')}`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const baselineAt = args.indexOf('--baseline');
  const baselineRef = baselineAt >= 0 ? args.splice(baselineAt, 2)[1] : undefined;
  if (baselineAt >= 0 && !baselineRef) throw new Error('--baseline needs a git ref, e.g. --baseline main');
  const runs = Number(args[0] ?? 15);
  const assets = await buildLambdaAssets();
  const baseline = baselineRef ? buildBaselineAsset(projectRoot, baselineRef) : undefined;
  try {
    process.stdout.write(renderColdStart(await measureColdStart(assets, runs, baseline)));
  } finally {
    baseline?.remove();
  }
}
