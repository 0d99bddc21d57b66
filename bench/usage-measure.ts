/**
 * What the usage building blocks cost a cold start (issue #12): for each candidate library, the
 * minified ESM bundle esbuild makes of it, and the time a fresh `node` process takes to `import()`
 * that bundle and make its first call (median over many processes); for the tokenizers also
 * tokens per second on a warm encoder.
 *
 * The candidates we do not ship (js-tiktoken, Powertools Metrics/Logger/Tracer) are never
 * installed in the project: install them in a scratch folder and point `USAGE_SCRATCH` at it
 * (`npm install js-tiktoken @aws-lambda-powertools/{metrics,logger,tracer}` in /tmp/usage-scratch).
 * Candidates whose packages are missing are skipped.
 *
 *   USAGE_SCRATCH=/tmp/usage-scratch npx tsx bench/usage-measure.ts [runs] [name filter]
 *
 * Recorded 2026-11-27, node 20.20, 2 shared cores under load (load average ~9: absolute times are
 * ~2-3x a quiet machine's; compare the "+" over the empty-module floor). 41 processes, interleaved:
 *
 * | candidate                                  | bundle  | import + first call (over floor) | warm              |
 * | empty module (node floor)                  |    0 KB |   21.9 ms                        |                   |
 * | gpt-tokenizer o200k_base                   | 2698 KB |  481.0 ms (+459.0)               | 0.77 M tokens/s   |
 * | gpt-tokenizer cl100k_base                  |  971 KB |  236.1 ms (+214.2)               | 0.55 M tokens/s   |
 * | js-tiktoken/lite + o200k_base              | 2276 KB | 2164.6 ms (+2142.7)              | 0.14 M tokens/s   |
 * | js-tiktoken/lite + cl100k_base             | 1070 KB | 1053.8 ms (+1031.8)              | 0.12 M tokens/s   |
 * | @pydantic/genai-prices (table + calcPrice) |  466 KB |  130.4 ms (+108.5)               | 271 µs/call       |
 * | lib/usage/format-emf-metrics.ts (ours)     |    1 KB |   22.2 ms (+0.2)                 |                   |
 * | @aws-lambda-powertools/metrics 2.36        |   15 KB |   34.2 ms (+12.3)                |                   |
 * | lib/log.ts (ours)                          |    1 KB |   24.1 ms (+2.2)                 |                   |
 * | @aws-lambda-powertools/logger 2.36         |   23 KB |   47.5 ms (+25.6)                |                   |
 * | @aws-lambda-powertools/tracer 2.36 (X-Ray) |  125 KB |  105.3 ms (+83.4)                |                   |
 *
 * An earlier quieter run (9 processes, not interleaved): cl100k 115 ms and 1.9 M tokens/s, o200k
 * 329 ms and 0.72 M tokens/s, js-tiktoken cl100k 573 ms / o200k 832 ms and ~0.2 M tokens/s,
 * genai-prices 77 ms, Powertools Metrics 12.7 ms against lib/log.ts 8.2 ms.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { median } from './stats.ts';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = process.env.USAGE_SCRATCH ?? '/tmp/usage-scratch';
const runs = Number(process.argv[2] ?? 9);
const only = process.argv[3];

interface Candidate {
  name: string;
  /** A package that must resolve for the candidate to run. */
  needs: string;
  /** ESM source whose default export is the "first call" (run after import, timed with it). */
  source: string;
  /** For tokenizers: a `count(text)` export for the throughput run. */
  counts?: boolean;
  /** Time the warm default export per call (what a request pays once loaded). */
  timesCalls?: boolean;
}

const lib = (path: string) => JSON.stringify(join(projectRoot, path));

const candidates: Candidate[] = [
  {
    name: 'empty module (node floor)',
    needs: 'gpt-tokenizer',
    source: 'export default () => 0;',
  },
  {
    name: 'gpt-tokenizer o200k_base',
    needs: 'gpt-tokenizer',
    counts: true,
    source: `import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
      export const count = (text) => countTokens(text);
      export default () => countTokens('hello world');`,
  },
  {
    name: 'gpt-tokenizer cl100k_base',
    needs: 'gpt-tokenizer',
    counts: true,
    source: `import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
      export const count = (text) => countTokens(text);
      export default () => countTokens('hello world');`,
  },
  {
    name: 'js-tiktoken/lite + o200k_base',
    needs: 'js-tiktoken',
    counts: true,
    source: `import { Tiktoken } from 'js-tiktoken/lite';
      import ranks from 'js-tiktoken/ranks/o200k_base';
      let encoder;
      export const count = (text) => (encoder ??= new Tiktoken(ranks)).encode(text).length;
      export default () => count('hello world');`,
  },
  {
    name: 'js-tiktoken/lite + cl100k_base',
    needs: 'js-tiktoken',
    counts: true,
    source: `import { Tiktoken } from 'js-tiktoken/lite';
      import ranks from 'js-tiktoken/ranks/cl100k_base';
      let encoder;
      export const count = (text) => (encoder ??= new Tiktoken(ranks)).encode(text).length;
      export default () => count('hello world');`,
  },
  {
    name: '@pydantic/genai-prices (table + calcPrice)',
    needs: '@pydantic/genai-prices',
    timesCalls: true,
    source: `import { calcPrice } from '@pydantic/genai-prices';
      export default () => calcPrice({ input_tokens: 10, output_tokens: 10 }, 'gpt-4o-mini', { providerId: 'openai' });`,
  },
  {
    name: 'lib/usage/format-emf-metrics.ts (ours)',
    needs: 'gpt-tokenizer',
    source: `import { formatUsageMetrics } from ${lib('lib/usage/format-emf-metrics.ts')};
      const record = { message: 'request', traceId: 't', caller: null, account: null, virtualKey: null, config: null, provider: 'openai', model: 'gpt-4o-mini', target: null, status: 200, errorCode: null, stream: false, retries: 0, fallbacks: 0, cache: 'DISABLED', latencyMs: 12, firstByteMs: 12, promptTokens: 5, completionTokens: 7, totalTokens: 12, tokensEstimated: false, costUsd: 0.00001 };
      export default () => formatUsageMetrics(record, { limitRejected: false }, { namespace: 'LlmGateway', provider: 'openai', model: 'other' }, Date.now());`,
  },
  {
    name: '@aws-lambda-powertools/metrics',
    needs: '@aws-lambda-powertools/metrics',
    source: `import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
      export default () => {
        const metrics = new Metrics({ namespace: 'LlmGateway', serviceName: 'gateway' });
        metrics.addDimensions({ Provider: 'openai', Model: 'gpt-4o-mini' });
        metrics.addMetric('Requests', MetricUnit.Count, 1);
        metrics.publishStoredMetrics();
      };`,
  },
  {
    name: 'lib/log.ts (ours)',
    needs: 'gpt-tokenizer',
    source: `import { log } from ${lib('lib/log.ts')};
      export default () => log.info('request', { status: 200 });`,
  },
  {
    name: '@aws-lambda-powertools/logger',
    needs: '@aws-lambda-powertools/logger',
    source: `import { Logger } from '@aws-lambda-powertools/logger';
      export default () => new Logger({ serviceName: 'gateway' }).info('request', { status: 200 });`,
  },
  {
    name: '@aws-lambda-powertools/tracer (X-Ray SDK)',
    needs: '@aws-lambda-powertools/tracer',
    source: `import { Tracer } from '@aws-lambda-powertools/tracer';
      export default () => new Tracer({ serviceName: 'gateway' });`,
  },
];

const nodePaths = [join(projectRoot, 'node_modules'), join(scratch, 'node_modules')];

function resolvable(packageName: string): boolean {
  return nodePaths.some((path) => existsSync(join(path, packageName, 'package.json')));
}

const PROBE = `
const started = performance.now();
const module = await import(process.env.BENCH_MODULE_URL);
await module.default();
process.stdout.write(String(performance.now() - started));
`;

function loadOnce(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '--eval', PROBE],
      // Powertools writes its log lines to stdout too: keep only the last line, our number.
      { env: { ...process.env, BENCH_MODULE_URL: pathToFileURL(file).href, LOG_LEVEL: 'silent', POWERTOOLS_DEV: '', AWS_LAMBDA_FUNCTION_NAME: 'bench' }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${file}: ${stderr || error.message}`));
        resolve(Number(stdout.trim().split('\n').at(-1)!.replace(/^.*}/, '')));
      },
    );
  });
}

/** ~200 KB of mixed English prose, code and digits: what prompts are made of. */
function corpus(): string {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const code = readFileSync(join(projectRoot, 'lib/log.ts'), 'utf8');
  let text = '';
  for (let index = 0; text.length < 200_000 && index < 1000; index++) text += `${readme}\n${code}\n${index * 7919}\n`;
  return text;
}

async function warmCallMicroseconds(file: string): Promise<number> {
  const module = (await import(pathToFileURL(file).href)) as { default: () => unknown };
  for (let call = 0; call < 100; call++) module.default();
  const calls = 2000;
  const started = performance.now();
  for (let call = 0; call < calls; call++) module.default();
  return ((performance.now() - started) * 1000) / calls;
}

async function throughput(file: string, text: string): Promise<{ tokens: number; tokensPerSecond: number }> {
  const module = (await import(pathToFileURL(file).href)) as { count: (text: string) => number };
  module.count('warm up');
  const rounds = 5;
  let tokens = 0;
  const started = performance.now();
  for (let round = 0; round < rounds; round++) tokens = module.count(text);
  const seconds = (performance.now() - started) / 1000;
  return { tokens, tokensPerSecond: Math.round((tokens * rounds) / seconds) };
}

const directory = mkdtempSync(join(tmpdir(), 'usage-measure-'));
const text = corpus();
console.log(`node ${process.version}, ${runs} fresh processes each; corpus ${text.length} characters\n`);
console.log('| candidate | bundle (min) | import + first call, median | tokens/s or µs/call (warm) |');
console.log('| --- | ---: | ---: | ---: |');
const built: Array<{ candidate: Candidate; output: string; samples: number[] }> = [];
for (const [index, candidate] of candidates.entries()) {
  if (only && !candidate.name.includes(only)) continue;
  if (!resolvable(candidate.needs)) {
    console.log(`| ${candidate.name} | skipped: ${candidate.needs} not installed | | |`);
    continue;
  }
  const entry = join(directory, `entry-${index}.mjs`);
  const output = join(directory, `bundle-${index}.mjs`);
  writeFileSync(entry, candidate.source);
  await build({
    entryPoints: [entry], outfile: output, bundle: true, minify: true, format: 'esm', platform: 'node', target: 'node20', nodePaths, logLevel: 'error',
    // CommonJS dependencies (the X-Ray SDK) `require` Node built-ins; ESM has no `require` of its own.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  built.push({ candidate, output, samples: [] });
}
// Round-robin over the candidates, so load from other processes on the machine hits all alike.
for (let run = 0; run < runs; run++) {
  for (const item of built) item.samples.push(await loadOnce(item.output));
}
const floor = built.find((item) => item.candidate.name.startsWith('empty module'));
const floorMs = floor ? median(floor.samples) : 0;
for (const { candidate, output, samples } of built) {
  const rate = candidate.counts ? await throughput(output, text) : undefined;
  const perCall = candidate.timesCalls ? await warmCallMicroseconds(output) : undefined;
  const kilobytes = (statSync(output).size / 1024).toFixed(0);
  const warm = rate ? `${(rate.tokensPerSecond / 1e6).toFixed(2)} M tokens/s (${rate.tokens} tokens)` : perCall !== undefined ? `${perCall.toFixed(1)} µs/call` : '';
  const overFloor = floor && floor.candidate !== candidate ? ` (+${(median(samples) - floorMs).toFixed(1)})` : '';
  console.log(`| ${candidate.name} | ${kilobytes} KB | ${median(samples).toFixed(1)} ms${overFloor} | ${warm} |`);
}
