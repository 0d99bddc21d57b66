/**
 * `npm run bundle`: builds the Lambda bundle with exactly the options the stack deploys
 * (`bundling-options.ts`) into `dist/handler.mjs`, with its source map and an esbuild metafile, and
 * prints the minified and gzipped sizes. `--json` prints the sizes as one JSON line instead, for the
 * benchmark. `--top N` also lists the N largest inputs, to see what a dependency costs.
 *
 * `--split` builds the same code with esbuild's code splitting into `dist/split/`: what is only
 * reached through `import()` (the AWS SDK clients, the credential chain, the event-stream codec)
 * becomes chunk files that load on first use, so module load parses and links only the entry.
 * Not what deploys today (`NodejsFunction` writes one `--outfile`); it measures what a split
 * deployment would gain.
 *
 * @example npm run bundle -- --top 15
 * @example npm run bundle -- --split
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import {
  BUNDLE_BANNER,
  BUNDLE_EXTERNAL_MODULES,
  BUNDLE_FORMAT,
  BUNDLE_MAIN_FIELDS,
  BUNDLE_MINIFY,
  BUNDLE_SOURCE_MAP,
  BUNDLE_SOURCES_CONTENT,
  BUNDLE_TARGET,
  HANDLER_ENTRY,
} from './bundling-options.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const defaultOutputFile = join(projectRoot, 'dist', 'handler.mjs');
const defaultSplitOutputFile = join(projectRoot, 'dist', 'split', 'handler.mjs');

export interface BundleReport {
  file: string;
  metafile: string;
  /** The entry file: what module load reads, parses and links. */
  bytes: number;
  gzipBytes: number;
  /** `split` only: the chunks beside the entry, loaded on first `import()` of what they hold. */
  chunkBytes?: number;
  buildMilliseconds: number;
  largestInputs: Array<{ path: string; bytes: number }>;
}

/** Builds the bundle and reports its size; the files land in `dist/` unless told otherwise. */
export async function bundleHandler(options: { outputFile?: string; split?: boolean } = {}): Promise<BundleReport> {
  const outputFile = options.outputFile ?? (options.split ? defaultSplitOutputFile : defaultOutputFile);
  const metafilePath = outputFile.replace(/\.mjs$/, '.meta.json');
  const output = options.split
    ? {
        entryPoints: { [basename(outputFile, '.mjs')]: HANDLER_ENTRY },
        outdir: dirname(outputFile),
        outExtension: { '.js': '.mjs' },
        splitting: true,
        chunkNames: 'chunks/[name]-[hash]',
      }
    : { entryPoints: [HANDLER_ENTRY], outfile: outputFile };
  const started = performance.now();
  const result = await build({
    absWorkingDir: projectRoot,
    ...output,
    bundle: true,
    platform: 'node',
    target: BUNDLE_TARGET,
    format: BUNDLE_FORMAT,
    mainFields: [...BUNDLE_MAIN_FIELDS],
    banner: { js: BUNDLE_BANNER },
    minify: BUNDLE_MINIFY,
    sourcemap: BUNDLE_SOURCE_MAP,
    sourcesContent: BUNDLE_SOURCES_CONTENT,
    external: [...BUNDLE_EXTERNAL_MODULES],
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  const buildMilliseconds = Math.round(performance.now() - started);

  await mkdir(dirname(outputFile), { recursive: true });
  let code: Uint8Array | undefined;
  let chunkBytes = 0;
  for (const file of result.outputFiles) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.contents);
    if (file.path === outputFile) code = file.contents;
    else if (file.path.endsWith('.mjs')) chunkBytes += file.contents.byteLength;
  }
  if (!code) throw new Error(`esbuild wrote no ${relative(projectRoot, outputFile)}`);
  await writeFile(metafilePath, JSON.stringify(result.metafile));

  const inputs = result.metafile.outputs[relative(projectRoot, outputFile)]?.inputs ?? {};
  const largestInputs = Object.entries(inputs)
    .map(([path, input]) => ({ path, bytes: input.bytesInOutput }))
    .sort((left, right) => right.bytes - left.bytes);

  return {
    file: relative(projectRoot, outputFile),
    metafile: relative(projectRoot, metafilePath),
    bytes: code.byteLength,
    gzipBytes: gzipSync(code).byteLength,
    ...(options.split ? { chunkBytes } : {}),
    buildMilliseconds,
    largestInputs,
  };
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
  const report = await bundleHandler({ split: argv.includes('--split') });
  if (argv.includes('--json')) {
    const { largestInputs: _omitted, ...sizes } = report;
    console.log(JSON.stringify(sizes));
    return;
  }
  console.log(
    `${report.file}: ${kilobytes(report.bytes)} minified, ${kilobytes(report.gzipBytes)} gzipped ` +
      `(built in ${report.buildMilliseconds} ms; metafile ${report.metafile})`,
  );
  if (report.chunkBytes !== undefined) console.log(`  + ${kilobytes(report.chunkBytes)} of chunks loaded on first use`);
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
