/**
 * The local server of `npm start` twice in one process, for bench/usage-recording.ts: on `PORT`
 * with the usage record (as deployed: JSON record + EMF line on stdout), on `PORT_OFF` without it
 * (no onRequestFinished and no price-table middleware; the limits and cache middlewares stay).
 * One process, so the two differ by the record alone: two processes of the same code differed by
 * up to 17% in CPU per request on a shared machine. HOST is always 127.0.0.1.
 */
import { createLocalServer } from '../lib/local/local-server.ts';
import { installLambdaStreamingRuntime, type StreamingHandler } from '../lib/local/lambda-streaming-runtime.ts';
import { setLogSink } from '../lib/log.ts';

process.env.GATEWAY_ALLOWED_CUSTOM_HOSTS ??= 'loopback';
process.env.GATEWAY_KEY_SOURCE ??= 'file';
process.env.GATEWAY_USAGE_LOG = 'json';
process.env.GATEWAY_METRICS = 'emf';
installLambdaStreamingRuntime();
const { createCompletionsHandler } = await import('../functions/completions/handler.ts');
const { dependenciesFromEnv } = await import('../functions/completions/dependencies-from-env.ts');
const { startPriceTableLoad } = await import('../lib/usage/create-usage-recorder.ts');

// `BENCH_USAGE_SINK=none`: lines are built but not written (tells the record's CPU from the pipe's).
if (process.env.BENCH_USAGE_SINK === 'none') setLogSink(() => {});
const dependencies = dependenciesFromEnv();
const off = { ...dependencies, middlewares: dependencies.middlewares?.filter((middleware) => middleware !== startPriceTableLoad), onRequestFinished: undefined };
createLocalServer(createCompletionsHandler(dependencies) as unknown as StreamingHandler).listen(Number(process.env.PORT), '127.0.0.1');
createLocalServer(createCompletionsHandler(off) as unknown as StreamingHandler).listen(Number(process.env.PORT_OFF), '127.0.0.1');
