/**
 * `npm run bench [-- --quick] [-- --no-soak]`: the gateway's overhead, streaming latency and cold
 * start, side by side with the floor proxy and the Portkey gateway, each as the cost added over
 * calling the fake upstream directly; then the soak (bench/soak.ts). Prints a table and writes
 * `bench/results.md`. Never part of `npm test`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { buildBench, projectRoot } from './build.ts';
import { completionBody, startBenchUpstream } from './fake-upstream.ts';
import { cpuMillisecondsOf, memoryOf, startGateways, waitUntilServing, type GatewayProcess } from './gateways.ts';
import { closedLoop, createClient, send, type Client, type Target } from './load-client.ts';
import { buildLambdaAssets, measureColdStart, renderColdStart } from './cold-start.ts';
import { measurePairedInvocationCost, renderPairedInvocationCost } from './invocation-cost-paired.ts';
import { measureModuleLoad } from './measure-module-load.ts';
import { measureCacheCosts } from './cache-scenario.ts';
import { renderMarkdown, renderTerminal, type BenchReport } from './report.ts';
import { renderSoak, runSoak } from './soak.ts';
import { measureLatency, measureStreams, searchSustainedRate, type LatencyFigures } from './scenarios.ts';
import { measureUsageRecording, renderUsageRecording } from './usage-recording.ts';
import { measureUsageRecordingUnderRuntime, renderUsageRecordingUnderRuntime } from './usage-recording-runtime.ts';

const quick = process.argv.includes('--quick');
const settings = quick
  ? { latencyRounds: 2, blockMs: 250, streamRounds: 2, streamsPerBlock: 4, streamConcurrency: 4, rateStepMs: 300, rateBisections: 1, moduleLoadRuns: 5, warmupMs: 1000, coldStartRuns: 7 }
  : { latencyRounds: 8, blockMs: 500, streamRounds: 4, streamsPerBlock: 8, streamConcurrency: 4, rateStepMs: 1500, rateBisections: 3, moduleLoadRuns: 15, warmupMs: 2000, coldStartRuns: 21 };
const CONCURRENCIES = [1, 16, 64] as const;
const STREAM_CHUNKS = 20;
const CHUNK_INTERVAL_MS = 20;
const ADDED_P50_BOUND_MS = 10;

const requestBody = JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 16, temperature: 0 });
const streamBody = JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 16, temperature: 0, stream: true });

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function machine(): BenchReport['machine'] {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'lib', 'functions', 'infra'], { cwd: projectRoot, encoding: 'utf8' }).trim();
    if (dirty) commit += ' + uncommitted changes in lib/functions/infra';
  } catch {
    // Not a git checkout: the figures stand without a commit.
  }
  return {
    nproc: os.availableParallelism(),
    cpuModel: model,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    commit,
    date: new Date().toISOString(),
    loadAverage: `${loadAtStart} at start, ${os.loadavg()[0]!.toFixed(2)} at end`,
  };
}

const loadAtStart = os.loadavg()[0]!.toFixed(2);

async function main(): Promise<void> {
  const started = performance.now();
  if (os.loadavg()[0]! > os.availableParallelism()) {
    log(`warning: load average ${loadAtStart} exceeds ${os.availableParallelism()} cores; other work on this machine will skew the figures`);
  }
  log(`mode: ${quick ? 'quick' : 'full'}; building bundles`);
  const built = await buildBench();

  log('module load: fresh node processes');
  const [handlerLoad, emptyLoad] = await measureModuleLoad([built.handler.file, built.emptyHandler.file], built.awslambdaPreload, settings.moduleLoadRuns);

  log('cold start and CPU per invocation under the real Lambda runtime (Node 24, aws-lambda-ric)');
  const lambdaAssets = await buildLambdaAssets();
  const coldStart = await measureColdStart(lambdaAssets, settings.coldStartRuns);
  const invocationSettings = quick ? { invocations: 200, processes: 1 } : { invocations: 1000, processes: 3 };
  const invocationCost = await measurePairedInvocationCost({ ...invocationSettings, log });
  const recordingSettings = quick ? { invocations: 100, processes: 1 } : { invocations: 600, processes: 3 };
  const recordingUnderRuntime = await measureUsageRecordingUnderRuntime({ ...recordingSettings, log });
  const lambdaRuntimeSection = `${renderColdStart(coldStart)}\n${renderPairedInvocationCost(invocationCost, invocationSettings)}\n${renderUsageRecordingUnderRuntime(recordingUnderRuntime, recordingSettings)}`;

  const upstream = await startBenchUpstream({ streamChunks: STREAM_CHUNKS, chunkIntervalMs: CHUNK_INTERVAL_MS });
  const gateways = await startGateways({ ...built, projectRoot });
  const processes: GatewayProcess[] = Object.values(gateways);
  try {
    const commonHeaders = {
      'content-type': 'application/json',
      authorization: 'Bearer sk-bench-not-a-key',
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `${upstream.url}/v1`,
    };
    const targets: Target[] = [
      { name: 'direct', url: `${upstream.url}/v1/completions`, headers: commonHeaders },
      ...processes.map((gateway) => ({ name: gateway.name, url: `http://127.0.0.1:${gateway.port}/v1/completions`, headers: commonHeaders })),
    ];
    await Promise.all(processes.map((gateway) => waitUntilServing(gateway, targets.find((target) => target.name === gateway.name)!, requestBody)));
    const clients = targets.map(createClient);
    await checkAnswers(clients);

    log('warming up');
    for (const client of clients) await closedLoop(client, requestBody, 8, settings.warmupMs);
    await measureStreams(clients, streamBody, STREAM_CHUNKS, 1, 4, 4);

    const latency = new Map<number, Map<string, LatencyFigures>>();
    const cpu = new Map<string, { milliseconds: number; requests: number }>();
    for (const concurrency of CONCURRENCIES) {
      log(`non-streaming latency at concurrency ${concurrency}`);
      const cpuBefore = new Map<string, number>();
      latency.set(
        concurrency,
        await measureLatency(clients, requestBody, concurrency, settings.latencyRounds, settings.blockMs, {
          before: (name) => {
            const gateway = gateways[name as keyof typeof gateways];
            if (gateway && concurrency === 16) cpuBefore.set(name, cpuMillisecondsOf(gateway.process.pid!));
          },
          after: (name, requests) => {
            const gateway = gateways[name as keyof typeof gateways];
            if (!gateway || concurrency !== 16) return;
            const sum = cpu.get(name) ?? { milliseconds: 0, requests: 0 };
            sum.milliseconds += cpuMillisecondsOf(gateway.process.pid!) - cpuBefore.get(name)!;
            sum.requests += requests;
            cpu.set(name, sum);
          },
        }),
      );
    }

    log(`streams: ${STREAM_CHUNKS} chunks ${CHUNK_INTERVAL_MS} ms apart`);
    const streams = await measureStreams(
      clients,
      streamBody,
      STREAM_CHUNKS,
      settings.streamRounds,
      settings.streamsPerBlock,
      settings.streamConcurrency,
      CHUNK_INTERVAL_MS / settings.streamConcurrency,
    );

    const directP50 = latency.get(1)!.get('direct')!.p50;
    log(`sustained rate: open loop, keeping pace, p50 <= ${(directP50 + ADDED_P50_BOUND_MS).toFixed(2)} ms (direct p50 at concurrency 1 + ${ADDED_P50_BOUND_MS} ms)`);
    const rates = await searchSustainedRate(clients, requestBody, {
      p50BoundMs: directP50 + ADDED_P50_BOUND_MS,
      startRate: 250,
      maxRate: 32_000,
      stepMs: settings.rateStepMs,
      bisections: settings.rateBisections,
      pauseMs: 200,
    });
    for (const [name, figures] of rates) log(`  ${name}: ${figures.sustained}/s (p50 ${figures.p50AtSustained.toFixed(2)} ms, p99 ${figures.p99AtSustained.toFixed(2)} ms), first failing ${figures.firstFailing}/s`);

    log('response cache: hit and miss against cache off and direct');
    const cacheSection = await measureCacheCosts({ gateway: gateways.ours, direct: targets[0]!, headers: commonHeaders, body: requestBody, rounds: settings.latencyRounds, blockMs: settings.blockMs });

    const report: BenchReport = {
      mode: quick ? 'quick' : 'full',
      machine: machine(),
      settings: {
        ...settings,
        streamChunks: STREAM_CHUNKS,
        chunkIntervalMs: CHUNK_INTERVAL_MS,
        addedP50BoundMs: ADDED_P50_BOUND_MS,
        answerBytes: completionBody('gpt-3.5-turbo-instruct', 120).length,
      },
      latency,
      streams,
      rates,
      cpuPerRequestUs: new Map([...cpu].map(([name, sum]) => [name, (sum.milliseconds * 1000) / sum.requests])),
      memory: new Map(processes.map((gateway) => [gateway.name, memoryOf(gateway.process.pid!)])),
      bundle: { handler: built.handler, emptyHandler: built.emptyHandler, handlerLoadMs: handlerLoad!.medianMs, emptyLoadMs: emptyLoad!.medianMs, loadRuns: settings.moduleLoadRuns },
      upstreamAnswered: upstream.answered,
      seconds: (performance.now() - started) / 1000,
    };
    for (const client of clients) client.agent.destroy();
    process.stdout.write(renderTerminal(report));
    // The usage record's own cost: recording on vs off, in processes of its own (bench/usage-recording.ts).
    const recording = renderUsageRecording(await measureUsageRecording({ quick, log }));
    process.stdout.write(`\n${cacheSection}\n${recording}\n${lambdaRuntimeSection}`);
    await writeFile(
      join(projectRoot, 'bench', 'results.md'),
      `${renderMarkdown(report)}\n${cacheSection}\n${recording}\n## Under the real Lambda runtime\n\n\`\`\`\n${lambdaRuntimeSection}\`\`\`\n`,
    );
    log('wrote bench/results.md');
    log('limits on vs off through the gateway (bench/limits-gateway.ts)');
    execFileSync(process.execPath, [join(projectRoot, 'node_modules/tsx/dist/cli.mjs'), join(projectRoot, 'bench/limits-gateway.ts'), ...(quick ? ['--runs', '100'] : [])], { stdio: 'inherit' });
  } finally {
    await Promise.all(processes.map((gateway) => gateway.stop()));
    await upstream.close();
  }
}

/** Every path must really answer a completion before its speed means anything. */
async function checkAnswers(clients: Client[]): Promise<void> {
  for (const client of clients) {
    const answer = await send(client, requestBody);
    const parsed = JSON.parse(answer.body) as { object?: string; choices?: Array<{ text?: string }> };
    if (answer.status !== 200 || parsed.object !== 'text_completion' || !parsed.choices?.[0]?.text) {
      throw new Error(`${client.target.name} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    }
  }
}

await main();
// The soak last, once the gateways above are stopped: its own gateway process, its own load.
if (!process.argv.includes('--no-soak')) {
  log(`soak: ${quick ? 5_000 : 30_000} mixed requests with callers that leave and upstreams that cut`);
  const soak = await runSoak({ requests: quick ? 5_000 : 30_000, concurrency: 32, warmup: quick ? 500 : 2_000 });
  const text = renderSoak(soak);
  process.stdout.write(`\n${text}\n`);
  await appendFile(join(projectRoot, 'bench', 'results.md'), `\n## Soak\n\n\`\`\`\n${text}\n\`\`\`\n`);
  if (!soak.gatewayAlive || (soak.socketsAfter.CLOSE_WAIT ?? 0) > 0) process.exitCode = 1;
}
