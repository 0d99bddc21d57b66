/**
 * The remote side of `bench/limits-latency.ts`, in its own process so its CPU does not share the
 * measuring process's event loop (on Lambda the store and the provider are other machines):
 * dynalite behind a delaying proxy, and a provider that sends its first byte after a delay.
 * Prints one JSON line `{ "store": url, "upstream": url }` and serves until killed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { startDynalite, startDynamoDbProxy } from '../test/support/dynalite.ts';

const { values } = parseArgs({ options: { 'store-ms': { type: 'string' }, 'upstream-ms': { type: 'string' } } });
const upstreamMs = Number(values['upstream-ms'] ?? 20);

const dynalite = await startDynalite();
const proxy = await startDynamoDbProxy(dynalite.url, { delayMs: Number(values['store-ms'] ?? 5) });
const upstream = http.createServer((request, response) => {
  request.resume();
  setTimeout(() => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write('data: {"choices":[{"text":"hi"}]}\n\n');
    setTimeout(() => response.end('data: [DONE]\n\n'), 1);
  }, upstreamMs);
});
upstream.keepAliveTimeout = 30_000;
await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
process.stdout.write(`${JSON.stringify({ store: proxy.url, upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/` })}\n`);
