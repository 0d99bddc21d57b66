/**
 * Builds what the benchmark runs: the Lambda bundle through `infra/bundle.ts` (the bundle that
 * ships), and, with the same esbuild options, the empty handler (its baseline), the local server
 * entry (so our gateway runs as bundled JavaScript, not through a TypeScript loader), the floor
 * proxy and two preloads. Everything but the Lambda bundle lands in `bench/.build/`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { bundleHandler } from '../infra/bundle.ts';
import {
  BUNDLE_BANNER,
  BUNDLE_EXTERNAL_MODULES,
  BUNDLE_FORMAT,
  BUNDLE_MAIN_FIELDS,
  BUNDLE_MINIFY,
  BUNDLE_TARGET,
} from '../infra/bundling-options.ts';

export const projectRoot = fileURLToPath(new URL('..', import.meta.url));
export const buildDirectory = join(projectRoot, 'bench', '.build');

export interface BundleSize {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface BenchBuild {
  handler: BundleSize & { chunkBytes: number; largestPackages: Array<{ name: string; bytes: number }> };
  emptyHandler: BundleSize;
  localServer: string;
  floorProxy: string;
  awslambdaPreload: string;
  loopbackPreload: string;
}

const entries = {
  emptyHandler: 'bench/empty-handler.ts',
  localServer: 'functions/completions/local.ts',
  floorProxy: 'bench/floor-proxy.ts',
  awslambdaPreload: 'bench/awslambda-preload.ts',
  loopbackPreload: 'bench/loopback-preload.ts',
} as const;

const outputNames: Record<keyof typeof entries, string> = {
  emptyHandler: 'empty-handler.mjs',
  localServer: 'local-server.mjs',
  floorProxy: 'floor-proxy.mjs',
  awslambdaPreload: 'awslambda-preload.mjs',
  loopbackPreload: 'loopback-preload.mjs',
};

/** Bundles `entry` like the Lambda bundle; `readable` keeps names (for CPU profiles). */
export async function bundle(entry: string, outfile: string, readable = false): Promise<void> {
  await build({
    absWorkingDir: projectRoot,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: BUNDLE_TARGET,
    format: BUNDLE_FORMAT,
    mainFields: [...BUNDLE_MAIN_FIELDS],
    banner: { js: BUNDLE_BANNER },
    minify: readable ? false : BUNDLE_MINIFY,
    external: [...BUNDLE_EXTERNAL_MODULES],
    logLevel: 'warning',
  });
}

async function sizeOf(file: string): Promise<BundleSize> {
  const code = await readFile(file);
  return { file, bytes: code.byteLength, gzipBytes: gzipSync(code).byteLength };
}

function packageOf(path: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return match?.[1] ?? path.split('/')[0] ?? path;
}

export async function buildBench(): Promise<BenchBuild> {
  const files = Object.fromEntries(
    Object.entries(outputNames).map(([key, name]) => [key, join(buildDirectory, name)]),
  ) as Record<keyof typeof entries, string>;
  const [handlerReport] = await Promise.all([
    bundleHandler(),
    ...Object.entries(entries).map(([key, entry]) => bundle(entry, files[key as keyof typeof entries])),
  ]);
  const byPackage = new Map<string, number>();
  for (const input of handlerReport.largestInputs) byPackage.set(packageOf(input.path), (byPackage.get(packageOf(input.path)) ?? 0) + input.bytes);
  return {
    handler: {
      file: join(projectRoot, handlerReport.file),
      bytes: handlerReport.bytes,
      gzipBytes: handlerReport.gzipBytes,
      chunkBytes: handlerReport.chunkBytes ?? 0,
      largestPackages: [...byPackage].sort((left, right) => right[1] - left[1]).slice(0, 6).map(([name, bytes]) => ({ name, bytes })),
    },
    emptyHandler: await sizeOf(files.emptyHandler),
    localServer: files.localServer,
    floorProxy: files.floorProxy,
    awslambdaPreload: files.awslambdaPreload,
    loopbackPreload: files.loopbackPreload,
  };
}
