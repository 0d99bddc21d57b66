/**
 * The local server of `npm start`, with the usage record on (as deployed: JSON record + EMF line
 * on stdout) or off (`BENCH_USAGE_RECORDING=off`: no onRequestFinished and no price-table middleware; the limits and
 * cache middlewares stay),
 * for bench/usage-recording.ts. Environment: PORT; HOST is always 127.0.0.1.
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

// `BENCH_USAGE_SINK=none`: lines are built but not written (tells the record's CPU from the pipe's).
if (process.env.BENCH_USAGE_SINK === 'none') setLogSink(() => {});
const dependencies = dependenciesFromEnv();
const recording = process.env.BENCH_USAGE_RECORDING !== 'off';
const { startPriceTableLoad } = await import('../lib/usage/create-usage-recorder.ts');
// Off drops only what the record adds (the hook and the price table's early load): limits and
// cache keep their middlewares, so the difference is the record's alone.
const off = { ...dependencies, middlewares: dependencies.middlewares?.filter((middleware) => middleware !== startPriceTableLoad), onRequestFinished: undefined };
const handler = createCompletionsHandler(recording ? dependencies : off);
createLocalServer(handler as unknown as StreamingHandler).listen(Number(process.env.PORT), '127.0.0.1');
