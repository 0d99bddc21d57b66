import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApiGatewayEvent } from './api-gateway-event.ts';

/** A loopback server that builds the event for each request and keeps it beside node's own view of the headers. */
let server: http.Server;
let port: number;
const seen: Array<{ event: ReturnType<typeof toApiGatewayEvent>; nodeHeaders: IncomingMessage['headers'] }> = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const event = toApiGatewayEvent(request, '{}');
    // Read after the event is built: node's header object is made on this first access.
    seen.push({ event, nodeHeaders: request.headers });
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends raw HTTP/1.1 head lines (so names keep their case and may repeat) and waits for the answer. */
function sendRaw(lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: Socket = net.connect(port, '127.0.0.1', () => socket.end(`${lines.join('\r\n')}\r\n\r\n`));
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', () => {});
    socket.once('error', reject);
    socket.once('close', () => resolve());
  });
}

describe('toApiGatewayEvent', () => {
  it('takes the host and user agent as node:http reads them: the first of repeated values, whatever the case of the name', async () => {
    seen.length = 0;
    await sendRaw([
      'POST /v1/completions HTTP/1.1',
      'HOST: gateway.example:8787',
      'User-Agent: first-agent/1.0',
      'x-portkey-provider: openai',
      'host: second.example',
      'USER-AGENT: second-agent/2.0',
      'X-Portkey-Provider: anthropic',
      'content-length: 2',
      'connection: close',
      '',
      '{}',
    ]);
    expect(seen).toHaveLength(1);
    const { event, nodeHeaders } = seen[0]!;
    expect(event.requestContext.domainName).toBe(nodeHeaders.host);
    expect(event.requestContext.domainName).toBe('gateway.example:8787');
    expect(event.requestContext.domainPrefix).toBe('gateway');
    expect(event.requestContext.identity.userAgent).toBe(nodeHeaders['user-agent']);
    expect(event.requestContext.identity.userAgent).toBe('first-agent/1.0');
    // Names as sent; a name repeated in the same case joined with commas, every value kept apart too.
    expect(event.headers['x-portkey-provider']).toBe('openai');
    expect(event.headers['X-Portkey-Provider']).toBe('anthropic');
    expect(event.headers.HOST).toBe('gateway.example:8787');
    expect(event.headers.host).toBe('second.example');
    expect(event.multiValueHeaders['x-portkey-provider']).toEqual(['openai']);
  });

  it('joins the values of a name sent twice in the same case, and lists each in multiValueHeaders', async () => {
    seen.length = 0;
    await sendRaw(['POST /v1/completions HTTP/1.1', 'host: 127.0.0.1', 'x-custom: a', 'x-custom: b', 'content-length: 2', 'connection: close', '', '{}']);
    const { event } = seen[0]!;
    expect(event.headers['x-custom']).toBe('a,b');
    expect(event.multiValueHeaders['x-custom']).toEqual(['a', 'b']);
    expect(event.requestContext.identity.userAgent).toBeNull();
  });

  it('names localhost when the request has no host header (HTTP/1.0)', async () => {
    seen.length = 0;
    await sendRaw(['POST /v1/completions HTTP/1.0', 'content-length: 2', '', '{}']);
    const { event } = seen[0]!;
    expect(event.requestContext.domainName).toBe('localhost');
    expect(event.requestContext.protocol).toBe('HTTP/1.0');
  });
});
