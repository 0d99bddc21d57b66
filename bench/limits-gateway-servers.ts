/**
 * The remote side of `bench/limits-gateway.ts`, in its own process (on Lambda the store and the
 * provider are other machines): dynalite behind a proxy that holds each call `--store-ms`, and an
 * OpenAI-compatible provider answering after `--upstream-ms`. Prints `{ "store", "upstream" }`.
 */
import { parseArgs } from 'node:util';
import { startDynalite, startDynamoDbProxy } from '../test/support/dynalite.ts';
import { startBenchUpstream } from './fake-upstream.ts';

const { values } = parseArgs({ options: { 'store-ms': { type: 'string' }, 'upstream-ms': { type: 'string' } } });
const dynalite = await startDynalite();
const proxy = await startDynamoDbProxy(dynalite.url, { delayMs: Number(values['store-ms'] ?? 5) });
const upstream = await startBenchUpstream({ latencyMs: Number(values['upstream-ms'] ?? 20) });
process.stdout.write(`${JSON.stringify({ store: proxy.url, upstream: upstream.url })}\n`);
