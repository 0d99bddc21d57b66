/**
 * The empty streaming handler: what a Lambda bundle costs before any gateway code. Bundled with
 * the same options as the real one, it is the baseline of the size and module-load figures.
 */
import type { Writable } from 'node:stream';

declare const awslambda: { streamifyResponse<T>(handler: T): T };

export const handler = awslambda.streamifyResponse(async (_event: unknown, responseStream: Writable) => {
  responseStream.end();
});
