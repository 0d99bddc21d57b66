/**
 * The tokenizer and the price table are ~1.4 MB of code together: they must stay out of the entry
 * bundle and load on first use. esbuild with code splitting (as `npm run bundle` builds the
 * handler) must put them in chunks reached only through `import()`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { expect, test } from 'vitest';

test('the usage modules import neither the tokenizer nor the price table at load', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'usage-split-'));
  const entry = join(directory, 'entry.ts');
  writeFileSync(
    entry,
    ['record-usage.ts', 'estimate-tokens.ts', 'look-up-table-cost.ts', 'format-usage-line.ts', 'metrics-settings.ts']
      .map((file, index) => `export * as m${index} from ${JSON.stringify(join(import.meta.dirname, file))};`)
      .join('\n'),
  );
  const result = await build({ entryPoints: [entry], outdir: join(directory, 'out'), bundle: true, splitting: true, format: 'esm', platform: 'node', metafile: true, write: false, logLevel: 'silent' });
  const outputs = Object.entries(result.metafile.outputs);
  // A dynamic import() is an entry point of its own in esbuild's metafile: find ours by name.
  const [entryFile, entryOutput] = outputs.find(([, output]) => output.entryPoint?.endsWith('entry.ts'))!;
  const entryInputs = Object.keys(entryOutput.inputs);
  expect(entryInputs.some((path) => path.endsWith('lib/usage/record-usage.ts'))).toBe(true);
  expect(entryInputs.filter((path) => /node_modules\/(gpt-tokenizer|@pydantic\/genai-prices)\//.test(path))).toEqual([]);
  // ...and they are there, in chunks the entry reaches by import().
  const chunkInputs = outputs.filter(([file]) => file !== entryFile).flatMap(([, output]) => Object.keys(output.inputs));
  expect(chunkInputs.some((path) => path.includes('node_modules/gpt-tokenizer/'))).toBe(true);
  expect(chunkInputs.some((path) => path.includes('node_modules/@pydantic/genai-prices/'))).toBe(true);
  expect(entryOutput.imports.filter((item) => item.kind === 'dynamic-import').length).toBeGreaterThanOrEqual(2);
  expect(entryOutput.bytes).toBeLessThan(30_000);
});
