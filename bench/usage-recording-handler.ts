/**
 * The deployed handler twice in one function, for bench/usage-recording-runtime.ts: with the usage
 * record, and without it (no record hook, no price-table preload, as bench/usage-recording-server.ts
 * does for the local server). An invocation whose event carries the header `x-bench-usage-record: off`
 * goes to the second. One process serves both, so the two differ by the record alone: separate
 * runtime processes of the same code differed by up to ±20% in CPU per invocation here.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Writable } from 'node:stream';
import { dependenciesFromEnv } from '../functions/completions/dependencies-from-env.ts';
import { createCompletionsHandler } from '../functions/completions/handler.ts';
import { startPriceTableLoad } from '../lib/usage/create-usage-recorder.ts';

declare const awslambda: { streamifyResponse<T>(handler: T): T };

const dependencies = dependenciesFromEnv();
const on = createCompletionsHandler(dependencies) as unknown as (event: APIGatewayProxyEvent, stream: Writable, context: unknown) => Promise<void>;
const off = createCompletionsHandler({
  ...dependencies,
  middlewares: dependencies.middlewares?.filter((middleware) => middleware !== startPriceTableLoad),
  onRequestFinished: undefined,
}) as unknown as typeof on;

export const handler = awslambda.streamifyResponse((event: APIGatewayProxyEvent, stream: Writable, context: unknown) =>
  (event.headers['x-bench-usage-record'] === 'off' ? off : on)(event, stream, context),
);
