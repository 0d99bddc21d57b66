/**
 * The deployed handler with or without the usage record, for bench/usage-recording-runtime.ts:
 * `BENCH_USAGE_RECORD=off` drops the record's hook and the price-table preload (as
 * bench/usage-recording-server.ts does for the local server); anything else is the handler as deployed.
 */
import { dependenciesFromEnv } from '../functions/completions/dependencies-from-env.ts';
import { createCompletionsHandler } from '../functions/completions/handler.ts';
import { startPriceTableLoad } from '../lib/usage/create-usage-recorder.ts';

const dependencies = dependenciesFromEnv();
const off = { ...dependencies, middlewares: dependencies.middlewares?.filter((middleware) => middleware !== startPriceTableLoad), onRequestFinished: undefined };

export const handler = createCompletionsHandler(process.env.BENCH_USAGE_RECORD === 'off' ? off : dependencies);
