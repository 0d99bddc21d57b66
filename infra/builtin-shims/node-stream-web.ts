/**
 * `node:stream/web` for the Lambda bundle, loaded on first use. Middy's streaming mode imports
 * `ReadableStream` only to ask whether a response body that is not a Node stream is a web stream
 * (`body instanceof ReadableStream`); ours never is, yet the import alone loads all of Node's web
 * streams at init: ~1.5 ms on Node 24 (bench/cold-start.ts).
 */
import { deferredClass } from './deferred.ts';

export const ReadableStream = deferredClass(() => process.getBuiltinModule('node:stream/web').ReadableStream);
