/**
 * `npm run bundle` (infra/bundle.ts): the code-split build, the one that deploys. The entry must
 * hold none of the AWS SDK and no provider (both are reached only through `import()`), and the
 * chunks must load and serve that `import()`. `--single` still builds one file, for comparison.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, expect, test } from 'vitest';
import type { Metafile } from 'esbuild';
import { type BundleReport, bundleHandler } from '../../infra/bundle.ts';

let directory: string;
let report: BundleReport;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'gateway-split-'));
  report = await bundleHandler({ outputFile: join(directory, 'handler.mjs') });
});

test('keeps the AWS SDK out of what loads at import and in chunks beside it', () => {
  const entryInputs = report.largestInputs.map((input) => input.path);
  expect(entryInputs.some((path) => path.startsWith('lib/'))).toBe(true);
  expect(entryInputs.filter((path) => /node_modules\/@(aws-sdk|smithy)\//.test(path))).toEqual([]);
  expect(report.chunkBytes).toBeGreaterThan(report.bytes);
  const loaded = report.loadedAtImport.map((file) => readFileSync(join(directory, file), 'utf8')).join('\n');
  expect(loaded).toMatch(/import\("\.\/[^"]+\.mjs"\)/);
  expect(report.chunks.length).toBeGreaterThan(0);
  for (const chunk of report.chunks) expect(existsSync(join(directory, chunk)), chunk).toBe(true);
});

/** Every input module that loads with the entry: its own and those of the chunks it imports statically, transitively. */
function inputsLoadedAtImport(metafile: Metafile, entry: string): string[] {
  const inputs = new Set<string>();
  const pending = [entry];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const output = pending.pop()!;
    if (seen.has(output)) continue;
    seen.add(output);
    for (const input of Object.keys(metafile.outputs[output]!.inputs)) inputs.add(input);
    for (const imported of metafile.outputs[output]!.imports) {
      if (imported.kind === 'import-statement' && metafile.outputs[imported.path]) pending.push(imported.path);
    }
  }
  return [...inputs];
}

test('keeps every provider out of what loads at import: each is a chunk of its own, reached through import()', () => {
  const metafile = JSON.parse(readFileSync(join(directory, 'handler.meta.json'), 'utf8')) as Metafile;
  const entry = Object.keys(metafile.outputs).find((output) => output.endsWith('/handler.mjs'))!;
  const atImport = inputsLoadedAtImport(metafile, entry);
  expect(atImport).toContain('lib/providers/provider-lookup.ts');
  expect(atImport.filter((path) => /^lib\/providers\/[^/]+\/[^/]+-provider\.ts$/.test(path))).toEqual([]);
  const providerChunks = Object.entries(metafile.outputs).filter(([, output]) => Object.keys(output.inputs).includes('lib/providers/openai/openai-provider.ts'));
  expect(providerChunks.map(([path]) => path)).toEqual([expect.stringMatching(/^dist\/chunks\/openai-provider-[A-Z0-9]+\.mjs$/)]);
});

test('loads at import the entry and one chunk: the code the handler shares with lazy chunks is not split by sharer', () => {
  const metafile = JSON.parse(readFileSync(join(directory, 'handler.meta.json'), 'utf8')) as Metafile;
  expect(report.loadedAtImport).toEqual(['handler.mjs', expect.stringMatching(/^chunks\/chunk-[A-Z0-9]+\.mjs$/)]);
  // Shared with the providers' chunks (errors, zod), with the AWS helpers' (the log), and the handler's own.
  const chunk = metafile.outputs[`dist/${report.loadedAtImport[1]}`]!;
  expect(Object.keys(chunk.inputs)).toEqual(expect.arrayContaining(['lib/api/errors.ts', 'lib/log.ts', 'lib/api/zod.ts', 'functions/completions/handler.ts']));
  // The entry only re-exports it.
  expect(readFileSync(join(directory, 'handler.mjs'), 'utf8')).toMatch(/^import\{[^}]+\}from"\.\/chunks\/chunk-[A-Z0-9]+\.mjs";export\{[^}]+\};/m);
});

test('keeps the response cache, the limiter and the table out of what loads at import: off by default, loaded on first use', () => {
  const metafile = JSON.parse(readFileSync(join(directory, 'handler.meta.json'), 'utf8')) as Metafile;
  const entry = Object.keys(metafile.outputs).find((output) => output.endsWith('/handler.mjs'))!;
  const atImport = inputsLoadedAtImport(metafile, entry);
  // What every request runs stays: the cache settings and status, the limits middleware and document loader.
  expect(atImport).toEqual(expect.arrayContaining(['lib/cache/cache-settings.ts', 'lib/cache/cache-middleware-from-env.ts', 'lib/limits/limits-middleware.ts', 'lib/limits/load-limits-document.ts']));
  const lazy = ['lib/cache/response-cache.ts', 'lib/cache/cache-key.ts', 'lib/cache/memory-cache-store.ts', 'lib/cache/dynamodb-cache-store.ts', 'lib/limits/create-limiter.ts', 'lib/store/dynamodb-gateway-table.ts', 'lib/store/memory-gateway-table.ts'];
  expect(atImport.filter((path) => lazy.includes(path))).toEqual([]);
  for (const path of lazy) expect(Object.values(metafile.outputs).some((output) => path in output.inputs), path).toBe(true);
});

test('loads the builtin shims of node:http, https, crypto and fs at import as one chunk, not four', () => {
  const metafile = JSON.parse(readFileSync(join(directory, 'handler.meta.json'), 'utf8')) as Metafile;
  const entry = Object.keys(metafile.outputs).find((output) => output.endsWith('/handler.mjs'))!;
  const shims = ['node-crypto.ts', 'node-fs.ts', 'node-http.ts', 'node-https.ts'].map((file) => `infra/builtin-shims/${file}`);
  expect(inputsLoadedAtImport(metafile, entry)).toEqual(expect.arrayContaining(shims));
  const holders = Object.entries(metafile.outputs).filter(([, output]) => shims.some((shim) => shim in output.inputs));
  expect(holders).toHaveLength(1);
  expect(Object.keys(holders[0]![1].inputs)).toEqual(expect.arrayContaining(shims));
});

test('rebuilding into the same folder leaves no stale chunks', async () => {
  writeFileSync(join(directory, 'chunks', 'stale-OLD.mjs'), 'export {};');
  const again = await bundleHandler({ outputFile: join(directory, 'handler.mjs') });
  expect(readdirSync(join(directory, 'chunks')).filter((name) => name.endsWith('.mjs')).sort()).toEqual(again.chunks.map((chunk) => chunk.slice('chunks/'.length)));
});

test('--single builds one file holding the SDK, no chunks', async () => {
  const single = await bundleHandler({ outputFile: join(directory, 'single', 'handler.mjs'), single: true });
  expect(single.chunks).toEqual([]);
  expect(single.chunkBytes).toBe(0);
  expect(existsSync(join(directory, 'single', 'chunks'))).toBe(false);
  expect(single.bytes).toBeGreaterThan(report.bytes + report.chunkBytes / 2);
});

test('loads the entry, and the Secrets Manager client from its chunk on first import()', () => {
  // The chunks what loads at import reaches through import() (they sit beside the one it re-exports).
  const loaded = report.loadedAtImport.map((file) => readFileSync(join(directory, file), 'utf8')).join('\n');
  const chunks = [...new Set([...loaded.matchAll(/import\("\.\/([^"]+\.mjs)"\)/g)].map((match) => `chunks/${match[1]}`))];
  expect(chunks.length).toBeGreaterThan(0);
  const probe = `
    globalThis.awslambda = { streamifyResponse: (handler) => handler, HttpResponseStream: { from: (stream) => stream } };
    const { handler } = await import(${JSON.stringify(pathToFileURL(join(directory, 'handler.mjs')).href)});
    const found = [];
    for (const chunk of ${JSON.stringify(chunks)}) {
      const module = await import(new URL(chunk, ${JSON.stringify(pathToFileURL(`${directory}/`).href)}).href);
      if (typeof module.SecretsManagerClient === 'function' && typeof module.GetSecretValueCommand === 'function') found.push(chunk);
    }
    process.stdout.write(JSON.stringify({ handler: typeof handler, found: found.length }));
  `;
  const output = execFileSync(process.execPath, ['--input-type=module', '--eval', probe], { env: { ...process.env, NODE_NO_WARNINGS: '1', LOG_LEVEL: 'silent' } });
  expect(JSON.parse(output.toString())).toEqual({ handler: 'function', found: 1 });
});

test('loads neither web streams, Web Crypto, fs/promises nor the dns and timers promise APIs at import: the builtin shims defer them', () => {
  const probe = `
    globalThis.awslambda = { streamifyResponse: (handler) => handler, HttpResponseStream: { from: (stream) => stream } };
    const before = new Set(process.moduleLoadList);
    await import(${JSON.stringify(pathToFileURL(join(directory, 'handler.mjs')).href)});
    process.stdout.write(JSON.stringify(process.moduleLoadList.filter((name) => !before.has(name))));
  `;
  const output = execFileSync(process.execPath, ['--input-type=module', '--eval', probe], { env: { ...process.env, NODE_NO_WARNINGS: '1', LOG_LEVEL: 'silent' } });
  const loaded = JSON.parse(output.toString()) as string[];
  // Loaded at import, so the probe sees what an import loads.
  expect(loaded).toContain('NativeModule crypto');
  // (Not fs/promises itself: Node 20's ESM loader has loaded it by then.)
  expect(loaded).toContain('NativeModule dns');
  for (const deferred of ['NativeModule stream/web', 'NativeModule internal/crypto/webcrypto', 'NativeModule internal/fs/streams', 'NativeModule internal/dns/promises', 'NativeModule timers/promises']) {
    expect(loaded).not.toContain(deferred);
  }
});

test('drops function and class names by default (error classes name themselves); keepNames (only to measure it) keeps them and makes the entry bigger', async () => {
  const named = await bundleHandler({ outputFile: join(directory, 'keep-names', 'handler.mjs'), keepNames: true });
  expect(named.bytes).toBeGreaterThan(report.bytes);
  // The error classes sit in a chunk the entry shares with the providers' chunks.
  const scripts = (folder: string) => [join(folder, 'handler.mjs'), ...readdirSync(join(folder, 'chunks')).filter((name) => name.endsWith('.mjs')).map((name) => join(folder, 'chunks', name))];
  const code = (folder: string) => scripts(folder).map((file) => readFileSync(file, 'utf8')).join('\n');
  expect(code(join(directory, 'keep-names'))).toMatch(/\(this,"UpstreamError"\)/);
  expect(code(directory)).not.toMatch(/\(this,"UpstreamError"\)/);
  // Its name is its own field, not esbuild's.
  expect(code(directory)).toContain('name="UpstreamError"');
});
