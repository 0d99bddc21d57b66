/**
 * The one esbuild call that builds the Lambda bundle. The stack's asset bundling (`gateway-stack.ts`)
 * and `npm run bundle` (`bundle.ts`, which the benchmark measures) both call it, so the bundle that
 * is measured is the bundle that deploys: same options, same code-split layout.
 *
 * Layout (split, the default): `{outdir}/{entryName}.mjs` plus `{outdir}/chunks/*.mjs`, each with its
 * `.map`. What the handler reaches only through `import()` (the providers, the AWS SDK clients, the
 * credential chain, the event-stream codec) lands in chunks that Node loads on first use, resolved
 * relative to the entry. Everything that loads at import is one chunk the entry re-exports
 * (lazy-entries-import-handler.ts): module load reads two files, not one per set of sharers.
 *
 * `buildHandlerBundle` is synchronous because CDK's local bundling hook (`ILocalBundling.tryBundle`)
 * is, and esbuild runs plugins only in its asynchronous API: it runs `buildHandlerBundleAsync` in a
 * child Node process (this file, through tsx) and waits for it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import {
  BUNDLE_ALIAS,
  BUNDLE_BANNER,
  BUNDLE_EXTERNAL_MODULES,
  BUNDLE_FORMAT,
  BUNDLE_KEEP_NAMES,
  BUNDLE_MAIN_FIELDS,
  BUNDLE_MINIFY,
  BUNDLE_SOURCE_MAP,
  BUNDLE_SOURCES_CONTENT,
  BUNDLE_TARGET,
  HANDLER_ENTRY,
} from './bundling-options.ts';
import { lazyEntriesImportHandler } from './lazy-entries-import-handler.ts';

/** Where chunks go, relative to the entry; the entry imports them as `./chunks/…`. */
export const CHUNK_DIRECTORY = 'chunks';

/**
 * The folder esbuild is told it writes to, whatever folder the files are then written to. Source
 * maps name their sources relative to the output, and chunk names hash the maps too, so building
 * into CDK's staging folder and into `dist/` would give different chunks; a fixed notional folder
 * makes the output depend on the sources alone (and keeps machine paths out of the maps).
 */
const NOTIONAL_OUTDIR = 'dist';

export interface HandlerBundleOptions {
  /** The repository root, against which `HANDLER_ENTRY` resolves. */
  projectRoot: string;
  /** The folder the entry (and `chunks/`) is written to; it is created if missing. */
  outdir: string;
  /** The entry's file name without `.mjs`: `index` on Lambda (handler `index.handler`). */
  entryName: string;
  /** One file, no chunks: only for comparing against the split layout. Default false. */
  single?: boolean;
  /** Keep function and class names through minification. Default `BUNDLE_KEEP_NAMES`; true only to measure what it costs. */
  keepNames?: boolean;
}

export interface HandlerBundle {
  /** Absolute path of the entry file. */
  entryFile: string;
  /** Every file written (entry, chunks, source maps), with absolute paths. */
  files: Array<{ path: string; contents: Uint8Array }>;
  /** esbuild's metafile; its output paths are under `dist/`, see `metafileEntry`. */
  metafile: Metafile;
  /** The entry's key in `metafile.outputs`. */
  metafileEntry: string;
}

/**
 * Builds the handler into `outdir` and writes it; stale chunks of an earlier build in the same
 * folder are removed first (their names carry content hashes, so they would otherwise pile up).
 * Synchronous: the build runs in a child process (see the file's comment).
 *
 * @example buildHandlerBundle({ projectRoot, outdir: 'dist', entryName: 'handler' }) // dist/handler.mjs + dist/chunks/
 */
export function buildHandlerBundle(options: HandlerBundleOptions): HandlerBundle {
  const output = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), JSON.stringify(options)], {
    cwd: options.projectRoot,
    // esbuild's warnings and any failure reach the caller's terminal.
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  const built = JSON.parse(output) as Omit<HandlerBundle, 'files'> & { files: string[] };
  return { ...built, files: built.files.map((path) => ({ path, contents: readFileSync(path) })) };
}

/** `buildHandlerBundle` in this process, for callers that can wait for a promise. */
export async function buildHandlerBundleAsync(options: HandlerBundleOptions): Promise<HandlerBundle> {
  const handlerPath = resolve(options.projectRoot, HANDLER_ENTRY);
  const layout = options.single
    ? { splitting: false }
    : { splitting: true, chunkNames: `${CHUNK_DIRECTORY}/[name]-[hash]`, plugins: [lazyEntriesImportHandler(handlerPath)] };
  const result = await build({
    absWorkingDir: options.projectRoot,
    entryPoints: { [options.entryName]: HANDLER_ENTRY },
    outdir: NOTIONAL_OUTDIR,
    outExtension: { '.js': '.mjs' },
    ...layout,
    bundle: true,
    platform: 'node',
    target: BUNDLE_TARGET,
    format: BUNDLE_FORMAT,
    mainFields: [...BUNDLE_MAIN_FIELDS],
    // esbuild puts the banner at the top of every output file, chunks included: a chunk holding
    // CommonJS code needs its own `require` as much as the entry does (the others lose it below).
    banner: { js: BUNDLE_BANNER },
    minify: BUNDLE_MINIFY,
    keepNames: options.keepNames ?? BUNDLE_KEEP_NAMES,
    sourcemap: BUNDLE_SOURCE_MAP,
    sourcesContent: BUNDLE_SOURCES_CONTENT,
    external: [...BUNDLE_EXTERNAL_MODULES],
    alias: { ...BUNDLE_ALIAS },
    metafile: true,
    write: false,
    logLevel: 'warning',
  });

  const outdir = resolve(options.projectRoot, options.outdir);
  rmSync(join(outdir, CHUNK_DIRECTORY), { recursive: true, force: true });
  const notionalOutdir = resolve(options.projectRoot, NOTIONAL_OUTDIR);
  const files = result.outputFiles.map((file) => ({ path: join(outdir, relative(notionalOutdir, file.path)), contents: withoutUnusedBanner(file.path, file.contents) }));
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.contents);
  }
  return {
    entryFile: join(outdir, `${options.entryName}.mjs`),
    files,
    metafile: result.metafile,
    metafileEntry: `${NOTIONAL_OUTDIR}/${options.entryName}.mjs`,
  };
}

/**
 * The banner's `createRequire` runs when its file loads, and most files never call `require` (the
 * entry and its statically imported chunks load at every cold start, each paying for one). A file
 * whose code does not say `require` outside the banner loses it; the line stays, empty, so the
 * source map still matches. A mention inside a string keeps it: cautious, never wrong.
 */
function withoutUnusedBanner(path: string, contents: Uint8Array): Uint8Array {
  if (!path.endsWith('.mjs')) return contents;
  const code = Buffer.from(contents.buffer, contents.byteOffset, contents.byteLength).toString('utf8');
  if (!code.startsWith(BUNDLE_BANNER) || /\brequire\b/.test(code.slice(BUNDLE_BANNER.length))) return contents;
  return Buffer.from(code.slice(BUNDLE_BANNER.length), 'utf8');
}

// The child process of `buildHandlerBundle`: builds, then prints what it built (file paths, not contents).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const built = await buildHandlerBundleAsync(JSON.parse(process.argv[2]!) as HandlerBundleOptions);
  process.stdout.write(JSON.stringify({ ...built, files: built.files.map((file) => file.path) }));
}
