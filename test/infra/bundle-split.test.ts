/**
 * `npm run bundle` (infra/bundle.ts): the code-split build, the one that deploys. The entry must
 * hold none of the AWS SDK (it is reached only through `import()`), and the chunks must load and
 * serve that `import()`. `--single` still builds one file, for comparison.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, expect, test } from 'vitest';
import { type BundleReport, bundleHandler } from '../../infra/bundle.ts';

let directory: string;
let report: BundleReport;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'gateway-split-'));
  report = await bundleHandler({ outputFile: join(directory, 'handler.mjs') });
});

test('keeps the AWS SDK out of the entry file and in chunks beside it', () => {
  const entryInputs = report.largestInputs.map((input) => input.path);
  expect(entryInputs.some((path) => path.startsWith('lib/'))).toBe(true);
  expect(entryInputs.filter((path) => /node_modules\/@(aws-sdk|smithy)\//.test(path))).toEqual([]);
  expect(report.chunkBytes).toBeGreaterThan(report.bytes);
  expect(readFileSync(join(directory, 'handler.mjs'), 'utf8')).toMatch(/import\("\.\/chunks\/[^"]+\.mjs"\)/);
  expect(report.chunks.length).toBeGreaterThan(0);
  for (const chunk of report.chunks) expect(existsSync(join(directory, chunk)), chunk).toBe(true);
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
  const entry = readFileSync(join(directory, 'handler.mjs'), 'utf8');
  const chunks = [...new Set(entry.match(/\.\/chunks\/[^"]+\.mjs/g))];
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

test('keeps class names by default; without keepNames (only to measure it) they are gone and the entry is smaller', async () => {
  const plain = await bundleHandler({ outputFile: join(directory, 'no-keep-names', 'handler.mjs'), keepNames: false });
  expect(plain.bytes).toBeLessThan(report.bytes);
  expect(readFileSync(join(directory, 'handler.mjs'), 'utf8')).toMatch(/\(this,"UpstreamError"\)/);
  expect(readFileSync(join(directory, 'no-keep-names', 'handler.mjs'), 'utf8')).not.toContain('"UpstreamError"');
});
