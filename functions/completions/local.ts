/**
 * `npm start`: the completions handler behind a local HTTP server, with local defaults
 * (loopback custom hosts allowed, keys from gateway.keys.json), and `GET /limits/usage`
 * for `npm run usage` against the in-process counters. Environment: HOST (127.0.0.1), PORT (8787).
 */
import { createLocalServer } from '../../lib/local/local-server.ts';
import { installLambdaStreamingRuntime, type StreamingHandler } from '../../lib/local/lambda-streaming-runtime.ts';
import { log } from '../../lib/log.ts';
import { serveLimitsUsage } from './serve-limits-usage.ts';

process.env.GATEWAY_ALLOWED_CUSTOM_HOSTS ??= 'loopback';
// Locally, virtual keys come from gateway.keys.json (GATEWAY_KEYS_FILE), not Secrets Manager.
process.env.GATEWAY_KEY_SOURCE ??= 'file';

installLambdaStreamingRuntime();
// Imported only now: Middy wraps the handler with `awslambda.streamifyResponse` at module load.
const { handler, readLimitsUsage } = await import('./handler.ts');

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8787);
const server = createLocalServer(handler as unknown as StreamingHandler);
serveLimitsUsage(server, readLimitsUsage);
server.listen(port, host, () => {
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  log.info('llm-gateway listening', { url: `http://${host}:${actualPort}`, health: `http://${host}:${actualPort}/health` });
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
  });
}
