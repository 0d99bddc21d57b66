/**
 * `node:fs` for the Lambda bundle, without an ESM import of it: see node-http.ts. The ESM facade
 * reads every export, and the getters of `promises` and `ReadStream` load fs/promises and, through
 * it, readline, fs streams and watchers: ~2 ms of init on Node 24 (bench/cold-start.ts) for what
 * the gateway reads synchronously. Those two load on first use instead (the AWS SDK's).
 */
import { deferredClass, deferredObject } from './deferred.ts';

const fs = process.getBuiltinModule('node:fs');
export default fs;
export const { createReadStream, existsSync, fstatSync, lstatSync, readFileSync } = fs;
export const ReadStream = deferredClass(() => fs.ReadStream);
export const promises = deferredObject(() => fs.promises);
