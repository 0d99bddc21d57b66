/**
 * The floor: the least any Node gateway can do for a completion. Read the body, JSON.parse,
 * JSON.stringify, forward to `{x-portkey-custom-host}/completions` over a keep-alive agent and
 * pipe the answer back. No validation, no mapping, no error shape: whatever a real gateway
 * spends beyond this is its own cost. Run as a process: `PORT=0 node floor-proxy.mjs`
 * prints `listening <port>` on stdout.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const agent = new http.Agent({ keepAlive: true, scheduling: 'lifo' });

export function createFloorProxy(): http.Server {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body: string;
      try {
        body = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        response.writeHead(400).end();
        return;
      }
      const host = String(request.headers['x-portkey-custom-host']);
      const upstream = http.request(`${host}/completions`, {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: request.headers.authorization ?? '' },
      });
      upstream.on('response', (answer) => {
        response.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json' });
        response.flushHeaders();
        answer.pipe(response);
      });
      upstream.on('error', () => response.destroy());
      upstream.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = createFloorProxy();
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  });
}
