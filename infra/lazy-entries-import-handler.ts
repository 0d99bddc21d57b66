/**
 * An esbuild plugin that makes every chunk loaded by `import()` import the handler's module first.
 *
 * Why: with code splitting, esbuild puts each piece of code in a chunk keyed by the set of entry
 * points that reach it, and an `import()` target is an entry point. Code the handler shares with
 * some lazy chunks (the error classes with the providers, zod with their schemas, the log with the
 * AWS helpers...) thus lands in one static chunk per distinct set: nine small files the entry imports
 * at every cold start, each costing Node a resolution, a read, a compile and a link (~0.4 ms each on
 * Node 24). When every lazy entry also reaches the whole handler, all of that code has the same set
 * of entry points and becomes one chunk: the entry is a line re-exporting it, and module load reads
 * two files instead of ten. Nothing moves between import time and first use: what loaded at import
 * still does, and a lazy chunk's `import` of that chunk finds it loaded.
 *
 * How: each `import()` resolves to a stand-in module, `import "<handler>"; export * from "<target>"`
 * (and its default export, if it has one). The target keeps its identity, so a module both imported
 * statically and through `import()` (the node:http shim, which the AWS SDK imports lazily) is still
 * evaluated once, in the handler's order; a stand-in is imported by nothing, so it adds no cycle.
 * (It assumes the handler's module awaits no `import()` at its top level: that import would wait
 * for the handler's module to finish, which waits for it.)
 */
import { readFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { Plugin } from 'esbuild';

const NAMESPACE = 'lazy-entry';
const SCRIPT = /\.[cm]?[jt]sx?$/;

/** @param handlerPath the handler module's absolute path (the bundle's entry point). */
export function lazyEntriesImportHandler(handlerPath: string): Plugin {
  return {
    name: 'lazy-entries-import-handler',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind !== 'dynamic-import' || args.pluginData === NAMESPACE) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: NAMESPACE });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        // Builtins and other externals stay as they are; so does data (JSON), which shares no code.
        if (resolved.external || resolved.namespace !== 'file' || !SCRIPT.test(resolved.path)) return resolved;
        // Named like its target (chunk names come from it), relative so no machine path reaches the metafile.
        const name = relative(build.initialOptions.absWorkingDir ?? process.cwd(), resolved.path);
        return { path: name, namespace: NAMESPACE, pluginData: resolved.path, sideEffects: resolved.sideEffects };
      });

      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, async (args) => {
        const targetPath = args.pluginData as string;
        const target = JSON.stringify(targetPath);
        const reExportDefault = (await hasDefaultExport(build.esbuild, targetPath)) ? `export { default } from ${target};\n` : '';
        return {
          contents: `import ${JSON.stringify(handlerPath)};\nexport * from ${target};\n${reExportDefault}`,
          loader: 'js',
          resolveDir: dirname(targetPath),
        };
      });
    },
  };
}

/** `export *` leaves out a default export; a module's own (never re-exported by `export *`) is in its unbundled exports. */
async function hasDefaultExport(esbuild: Parameters<Plugin['setup']>[0]['esbuild'], path: string): Promise<boolean> {
  const result = await esbuild.build({
    stdin: { contents: readFileSync(path, 'utf8'), sourcefile: path, loader: /\.[cm]?tsx?$/.test(path) ? 'ts' : 'js', resolveDir: dirname(path) },
    bundle: false,
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.values(result.metafile.outputs).some((output) => output.exports.includes('default'));
}
