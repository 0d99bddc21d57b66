/**
 * The deployed handler and the Lambda floor (lambda-floor-handler.ts) in one function, for
 * bench/invocation-cost-paired.ts: an event with the header `x-bench-target: floor` goes to the
 * floor, any other to the gateway. One runtime process serves both, so their CPU per invocation is
 * compared without the ±20% that separate processes of the same code differ by here.
 */
import type { Writable } from 'node:stream';
import { handler as gateway } from '../functions/completions/handler.ts';
import { handler as floor } from './lambda-floor-handler.ts';

declare const awslambda: { streamifyResponse<T>(handler: T): T };

type Streaming = (event: { headers: Record<string, string> }, stream: Writable, context: unknown) => Promise<void>;

export const handler = awslambda.streamifyResponse((event: { headers: Record<string, string> }, stream: Writable, context: unknown) =>
  (event.headers['x-bench-target'] === 'floor' ? (floor as unknown as Streaming) : (gateway as unknown as Streaming))(event, stream, context),
);
