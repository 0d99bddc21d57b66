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
 * Names are not kept through minification (esbuild `keepNames` off). Keeping them costs at every cold
 * start: esbuild names each function and class at module evaluation (`__name(fn, "parse")`, ~480
 * calls and a static block per class on the entry's path alone) and the code is ~9% larger to compile.
 * Measured under the real runtime (Node 24, aws-lambda-ric, bench/cold-start.ts style, interleaved,
 * 21 fresh processes each, 2026-11-27, load ~2): init main-thread CPU -4.4 ms and -3.9 ms in two runs;
 * entry 133.8 -> 123.0 KB, the entry's static path 188.9 -> 174.3 KB.
 *
 * What relied on class names: `GatewayError` named itself from `new.target.name`; every error class
 * of ours now spells out its `name`, as the plain `Error` subclasses always did, and
 * test/infra/gateway-stack.test.ts fails for a `GatewayError` subclass that does not. In the AWS SDK
 * (lazy chunks) a few checks compare `logger.constructor.name` with `"NoOpLogger"` to decide
 * whether a warning goes to `console.warn` or to the client's logger; minified, such warnings go to
 * the no-op logger, i.e. they are not printed. smithy's cross-copy `instanceof` fallback by class
 * name applies only to names of 6+ characters, which minified names are not; plain `instanceof`
 * still holds within the one bundled copy. `npm run bundle -- --keep-names` builds with names, to compare.
 */
export const BUNDLE_KEEP_NAMES = false;

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
 * splitting it lands in chunks that load on first use, and module load parses only the entry and the
 * one chunk it re-exports (build-handler-bundle.ts).
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
 * loads readline, node:crypto's `webcrypto` all of Web Crypto, node:dns's and node:timers'
 * `promises` their promise APIs), or not at all until used (node:stream/web): see builtin-shims/.
 * Measured on Node 24 under aws-lambda-ric (bench/cold-start.ts).
 * Only the `node:` names of fs, crypto, dns, timers and stream/web: nothing bundled asks for them by
 * bare name (nor for a subpath such as `node:timers/promises`, which the alias would take too).
 */
export const BUNDLE_ALIAS: Readonly<Record<string, string>> = {
  'node:http': './infra/builtin-shims/node-http.ts',
  http: './infra/builtin-shims/node-http.ts',
  'node:https': './infra/builtin-shims/node-https.ts',
  https: './infra/builtin-shims/node-https.ts',
  'node:fs': './infra/builtin-shims/node-fs.ts',
  'node:fs/promises': './infra/builtin-shims/node-fs-promises.ts',
  'node:crypto': './infra/builtin-shims/node-crypto.ts',
  'node:dns': './infra/builtin-shims/node-dns.ts',
  'node:timers': './infra/builtin-shims/node-timers.ts',
  'node:stream/web': './infra/builtin-shims/node-stream-web.ts',
};
