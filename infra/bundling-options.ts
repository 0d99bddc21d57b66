/**
 * The esbuild options of the Lambda bundle, in one place. `build-handler-bundle.ts` turns them into
 * the one esbuild call that both the stack's asset and `npm run bundle` (which the benchmark
 * measures) use, so the bundle that is measured is the bundle that ships. Plain data: no CDK or
 * esbuild types, cheap to import anywhere.
 */

/** The Lambda entry point and its export, relative to the repository root. */
export const HANDLER_ENTRY = 'functions/completions/handler.ts';
export const HANDLER_EXPORT = 'handler';

/** Matches the Lambda runtime (nodejs24.x); esbuild lowers nothing that Node 24 already has. */
export const BUNDLE_TARGET = 'node24';

/**
 * ESM output: top-level await works and the ESM builds of our dependencies (zod, middy) tree-shake
 * better than their CJS builds, which is why `module` comes before `main`.
 */
export const BUNDLE_FORMAT = 'esm';
export const BUNDLE_MAIN_FIELDS: readonly string[] = ['module', 'main'];

/**
 * Some bundled dependencies are CommonJS and call `require('node:…')` at run time; an ESM file has
 * no `require`, so the banner makes one. The alias avoids a clash with any bundled `createRequire`.
 */
export const BUNDLE_BANNER =
  "import { createRequire as __gatewayCreateRequire } from 'node:module'; const require = __gatewayCreateRequire(import.meta.url);";

export const BUNDLE_MINIFY = true;

/**
 * Class and function names survive minification (esbuild `keepNames`), so a logged error says
 * `"error":"UpstreamError"` rather than `"error":"w"`: `GatewayError` names itself from
 * `new.target.name`, and so does any class that relies on its constructor's name, ours or a
 * dependency's, now or later. Naming each error class by hand would cost nothing at run time but
 * would have to be remembered for every new class; this is correct by construction.
 *
 * Measured (2-core machine, Node 20, 2026-11-27, `npm run bundle -- --no-keep-names` to compare):
 * entry 137.4 -> 146.8 KB (+6.9%), gzipped 42.5 -> 46.5 KB; chunks 348.9 -> 374.4 KB; module load
 * of the entry, median of fresh processes run interleaved, 61.1 -> 65.2 ms (41 each) and
 * 53.4 -> 60.5 ms (21 each): about 4-7 ms once per cold start, for a function whose calls last
 * seconds to minutes.
 */
export const BUNDLE_KEEP_NAMES = true;

/**
 * A source map beside the bundle, without the sources themselves: stack traces in the logs can name
 * our files and lines, and the deployment package stays small.
 */
export const BUNDLE_SOURCE_MAP = true;
export const BUNDLE_SOURCES_CONTENT = false;

/**
 * Nothing is external. The Node 24 runtime ships AWS SDK v3, but its version is whatever Lambda
 * deployed that week; bundling pins the version we test against, and tree-shaking keeps only the
 * Secrets Manager and Bedrock runtime clients we use.
 *
 * Decision: bundled and code-split, and that is what deploys (`build-handler-bundle.ts`; the stack
 * ships the folder, `index.mjs` + `chunks/`). The SDK is reached only through `import()`, so with
 * splitting it lands in chunks that load on first use, and module load parses only the entry.
 * Measured (2-core machine, Node 20, median of 9 fresh processes, module load + first request,
 * 2026-11-24); a single-file bundle made every container parse the SDK (~300 KB) and load the
 * builtins it imports (child_process, zlib, os...), ~40 ms of module load:
 * - bundled, one file (`npm run bundle -- --single`): no virtual key 102 ms, virtual key 143 ms
 * - `@aws-sdk/*`, `@smithy/*` external: no virtual key  64 ms, virtual key 164 ms (the first
 *   `import('@aws-sdk/client-secrets-manager')` from node_modules takes ~120-170 ms)
 * - bundled, code-split (deployed):     no virtual key 64 ms, virtual key 127 ms
 * External makes the virtual-key request, the usual one on Lambda, slower; split is best for both.
 */
export const BUNDLE_EXTERNAL_MODULES: readonly string[] = [];

/**
 * Builtins the bundle reaches through `process.getBuiltinModule` instead of an ESM import, whose
 * facade would evaluate lazy getters (node:http's `WebSocket` loads undici, node:fs's `promises`
 * loads readline, node:crypto's `webcrypto` all of Web Crypto), or not at all until used
 * (node:stream/web): see builtin-shims/. Measured on Node 24 under aws-lambda-ric (bench/cold-start.ts).
 * Only the `node:` names of fs, crypto and stream/web: nothing bundled asks for them by bare name.
 */
export const BUNDLE_ALIAS: Readonly<Record<string, string>> = {
  'node:http': './infra/builtin-shims/node-http.ts',
  http: './infra/builtin-shims/node-http.ts',
  'node:https': './infra/builtin-shims/node-https.ts',
  https: './infra/builtin-shims/node-https.ts',
  'node:fs': './infra/builtin-shims/node-fs.ts',
  'node:fs/promises': './infra/builtin-shims/node-fs-promises.ts',
  'node:crypto': './infra/builtin-shims/node-crypto.ts',
  'node:stream/web': './infra/builtin-shims/node-stream-web.ts',
};
