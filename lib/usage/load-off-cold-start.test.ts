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
  const outputs = result.metafile.outputs;
  // A dynamic import() is an entry point of its own in esbuild's metafile: find ours by name.
  const entryFile = Object.keys(outputs).find((file) => outputs[file]!.entryPoint?.endsWith('entry.ts'))!;
  // What loads with the entry: it and every chunk reached by static imports, transitively.
  const loaded = new Set<string>();
  const visit = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const item of outputs[file]!.imports) if (item.kind === 'import-statement') visit(item.path);
  };
  visit(entryFile);
  const inputsOf = (files: string[]) => files.flatMap((file) => Object.keys(outputs[file]!.inputs));
  const loadedInputs = inputsOf([...loaded]);
  expect(loadedInputs.some((path) => path.endsWith('lib/usage/record-usage.ts'))).toBe(true);
  expect(loadedInputs.filter((path) => /node_modules\/(gpt-tokenizer|@pydantic\/genai-prices)\//.test(path))).toEqual([]);
  // ...and they are there, in chunks reached only by import().
  const lazyInputs = inputsOf(Object.keys(outputs).filter((file) => !loaded.has(file)));
  expect(lazyInputs.some((path) => path.includes('node_modules/gpt-tokenizer/'))).toBe(true);
  expect(lazyInputs.some((path) => path.includes('node_modules/@pydantic/genai-prices/'))).toBe(true);
  expect([...loaded].reduce((bytes, file) => bytes + outputs[file]!.bytes, 0)).toBeLessThan(30_000);
});
