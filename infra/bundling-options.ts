/**
 * The esbuild options of the Lambda bundle, in one place. The stack's `NodejsFunction` and
 * `npm run bundle` (which the benchmark measures) both read these constants, so the bundle that is
 * measured is the bundle that ships. Plain data: no CDK or esbuild types, cheap to import anywhere.
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
 * Measured (2-core machine, Node 20, median of 9 fresh processes, module load + first request,
 * 2026-11-24). The bundled SDK is reached only through `import()` and none of it is evaluated at
 * init, but a single-file bundle still makes every container parse it (~300 KB) and load the
 * builtins it imports (child_process, zlib, os...): ~40 ms of module load.
 * - bundled, one file (this):       no virtual key 102 ms, virtual key 143 ms
 * - `@aws-sdk/*`, `@smithy/*` external: no virtual key  64 ms, virtual key 164 ms (the first
 *   `import('@aws-sdk/client-secrets-manager')` from node_modules takes ~120-170 ms)
 * - bundled, code-split (`npm run bundle -- --split`): no virtual key 64 ms, virtual key 127 ms
 * External makes the virtual-key request, the usual one on Lambda, slower; split is best for
 * both but needs the stack to deploy a folder (NodejsFunction writes one `--outfile`).
 */
export const BUNDLE_EXTERNAL_MODULES: readonly string[] = [];
