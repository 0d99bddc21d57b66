/**
 * The remote sides of `bench/limits-gateway.ts`, one per process (on Lambda the store and the
 * provider are other machines, and here they must not share an event loop: dynalite's CPU for one
 * gateway's calls would delay the provider's timer for both gateways).
 *
 * `--role store`: dynalite behind a proxy that answers each call `--store-ms` after it arrived,
 * dynalite's own time included (DynamoDB in-region answers in a few ms; dynalite alone takes 1-3 ms
 * of CPU per call, which a fixed delay on top would add). `GET /stats` reports the calls and their
 * median time from arrival to answer, so the bench can show the store really took ~`--store-ms`.
 * `--role upstream`: an OpenAI-compatible provider answering after `--upstream-ms`.
 * Prints `{ "url" }` and serves until killed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { startDynalite } from '../test/support/dynalite.ts';
import { startBenchUpstream } from './fake-upstream.ts';
import { median } from './stats.ts';

const { values } = parseArgs({ options: { role: { type: 'string' }, 'store-ms': { type: 'string' }, 'upstream-ms': { type: 'string' } } });

if (values.role === 'upstream') {
  const upstream = await startBenchUpstream({ latencyMs: Number(values['upstream-ms'] ?? 20) });
  process.stdout.write(`${JSON.stringify({ url: upstream.url })}\n`);
} else if (values.role === 'store') {
  const url = await startHeldStore(Number(values['store-ms'] ?? 5));
  process.stdout.write(`${JSON.stringify({ url })}\n`);
} else {
  throw new Error('--role store|upstream');
}

/** dynalite, and in front of it a proxy that holds each answer until `holdMs` after its call arrived. */
async function startHeldStore(holdMs: number): Promise<string> {
  const dynalite = await startDynalite();
  const agent = new http.Agent({ keepAlive: true });
  const times: number[] = [];
  const server = http.createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/stats') {
      response.end(JSON.stringify({ calls: times.length, medianMs: median(times) }));
      times.length = 0;
      return;
    }
    const arrived = performance.now();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const forwarded = http.request(`${dynalite.url}${request.url ?? '/'}`, { method: request.method, headers: request.headers, agent }, (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => body.push(chunk));
        answer.on('end', () => {
          const send = () => {
            response.writeHead(answer.statusCode ?? 500, answer.headers);
            response.end(Buffer.concat(body));
            times.push(performance.now() - arrived);
          };
          const left = holdMs - (performance.now() - arrived);
          if (left > 0) setTimeout(send, left);
          else send();
        });
      });
      forwarded.on('error', () => response.destroy());
      forwarded.end(Buffer.concat(chunks));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
