/**
 * `node:fs/promises` for the Lambda bundle. esbuild's alias of `node:fs` also takes its subpaths,
 * so this one needs a shim of its own; only the AWS SDK's credential providers, in chunks, use it.
 */
const fsPromises = process.getBuiltinModule('node:fs/promises');
export default fsPromises;
export const { readFile } = fsPromises;
