/**
 * `npm run bundle`: builds the Lambda bundle exactly as the stack deploys it (`buildHandlerBundle`,
 * code-split) into `dist/handler.mjs` plus `dist/chunks/`, with source maps and an esbuild metafile,
 * and prints the minified and gzipped sizes of what loads at import (the entry and the one chunk it
 * re-exports) and the other chunks' size. `--json` prints the sizes as one JSON line instead, for
 * the benchmark. `--top N` also lists the N largest inputs of what loads at import, to see what a
 * dependency costs at module load.
 *
 * `--single` builds the same code as one file into `dist/single/` (no chunks), only to compare
 * module load against the deployed split layout. `--keep-names` builds with esbuild's `keepNames`
 * into `dist/keep-names/`, only to measure what keeping names would cost (see `BUNDLE_KEEP_NAMES`).
 *
 * @example npm run bundle -- --top 15
 * @example npm run bundle -- --single
 */
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Metafile } from 'esbuild';
import { buildHandlerBundleAsync } from './build-handler-bundle.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const defaultOutputFile = join(projectRoot, 'dist', 'handler.mjs');
const defaultSingleOutputFile = join(projectRoot, 'dist', 'single', 'handler.mjs');
const defaultKeepNamesOutputFile = join(projectRoot, 'dist', 'keep-names', 'handler.mjs');

export interface BundleReport {
  /** The entry file, relative to the repository root. */
  file: string;
  metafile: string;
  /**
   * What module load reads, parses and links: the entry and the chunks it imports statically
   * (split, the entry is one line re-exporting the one chunk that holds all of it).
   */
  bytes: number;
  gzipBytes: number;
  /** The files of `bytes`, relative to the entry's folder: the entry's name, then `chunks/…-HASH.mjs`. */
  loadedAtImport: string[];
  /** The other chunks (no source maps), loaded on first `import()` of what they hold; 0 with `single`. */
  chunkBytes: number;
  /** All chunk files, relative to the entry's folder (`chunks/…-HASH.mjs`). */
  chunks: string[];
  buildMilliseconds: number;
  /** The inputs of what loads at import, largest first. */
  largestInputs: Array<{ path: string; bytes: number }>;
}

/** Builds the bundle and reports its size; the files land in `dist/` unless told otherwise. */
export async function bundleHandler(options: { outputFile?: string; single?: boolean; keepNames?: boolean } = {}): Promise<BundleReport> {
  const outputFile =
    options.outputFile ?? (options.single ? defaultSingleOutputFile : options.keepNames === true ? defaultKeepNamesOutputFile : defaultOutputFile);
  const outdir = dirname(outputFile);
  const metafilePath = outputFile.replace(/\.mjs$/, '.meta.json');
  const started = performance.now();
  const built = await buildHandlerBundleAsync({ projectRoot, outdir, entryName: basename(outputFile, '.mjs'), single: options.single, keepNames: options.keepNames });
  const buildMilliseconds = Math.round(performance.now() - started);

  const entry = built.files.find((file) => file.path === built.entryFile);
  if (!entry) throw new Error(`esbuild wrote no ${relative(projectRoot, outputFile)}`);
  const chunkFiles = built.files.filter((file) => file !== entry && file.path.endsWith('.mjs'));
  await writeFile(metafilePath, JSON.stringify(built.metafile));

  const atImport = outputsLoadedAtImport(built.metafile, built.metafileEntry);
  const notionalOutdir = dirname(built.metafileEntry);
  const loadedAtImport = atImport.map((output) => relative(notionalOutdir, output));
  const loaded = built.files.filter((file) => loadedAtImport.includes(relative(outdir, file.path)));
  const inputs = new Map<string, number>();
  for (const output of atImport) {
    for (const [path, input] of Object.entries(built.metafile.outputs[output]!.inputs)) inputs.set(path, (inputs.get(path) ?? 0) + input.bytesInOutput);
  }
  const largestInputs = [...inputs].map(([path, bytes]) => ({ path, bytes })).sort((left, right) => right.bytes - left.bytes);
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

  return {
    file: relative(projectRoot, built.entryFile),
    metafile: relative(projectRoot, metafilePath),
    bytes: sum(loaded.map((file) => file.contents.byteLength)),
    gzipBytes: sum(loaded.map((file) => gzipSync(file.contents).byteLength)),
    loadedAtImport,
    chunkBytes: sum(chunkFiles.filter((file) => !loaded.includes(file)).map((file) => file.contents.byteLength)),
    chunks: chunkFiles.map((file) => relative(outdir, file.path)).sort(),
    buildMilliseconds,
    largestInputs,
  };
}

/** The entry's output and the chunks it imports statically, transitively: what loads with it. */
function outputsLoadedAtImport(metafile: Metafile, entry: string): string[] {
  const loaded = [entry];
  for (let index = 0; index < loaded.length; index++) {
    for (const imported of metafile.outputs[loaded[index]!]!.imports) {
      if (imported.kind === 'import-statement' && metafile.outputs[imported.path] && !loaded.includes(imported.path)) loaded.push(imported.path);
    }
  }
  return loaded;
}

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/** Groups inputs by package (or our own top-level folder) so the list reads as a cost per dependency. */
function packageOf(path: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return match?.[1] ?? path.split('/')[0] ?? path;
}

async function main(argv: string[]): Promise<void> {
  const report = await bundleHandler({ single: argv.includes('--single'), keepNames: argv.includes('--keep-names') ? true : undefined });
  if (argv.includes('--json')) {
    const { largestInputs: _omitted, chunks: _names, loadedAtImport: _files, ...sizes } = report;
    console.log(JSON.stringify(sizes));
    return;
  }
  console.log(
    `${report.file}: ${kilobytes(report.bytes)} minified, ${kilobytes(report.gzipBytes)} gzipped at import (${report.loadedAtImport.join(' + ')}) ` +
      `(built in ${report.buildMilliseconds} ms; metafile ${report.metafile})`,
  );
  if (report.chunks.length > 0) {
    console.log(`  + ${kilobytes(report.chunkBytes)} in ${report.chunks.length - report.loadedAtImport.length + 1} chunks, loaded on first import() of what they hold`);
  }
  const topIndex = argv.indexOf('--top');
  if (topIndex >= 0) {
    const count = Number(argv[topIndex + 1] ?? 10) || 10;
    const byPackage = new Map<string, number>();
    for (const input of report.largestInputs) {
      byPackage.set(packageOf(input.path), (byPackage.get(packageOf(input.path)) ?? 0) + input.bytes);
    }
    const rows = [...byPackage].sort((left, right) => right[1] - left[1]).slice(0, count);
    for (const [name, bytes] of rows) console.log(`  ${kilobytes(bytes).padStart(10)}  ${name}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
