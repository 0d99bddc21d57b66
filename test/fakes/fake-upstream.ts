/**
 * A scripted HTTP server on loopback that stands in for a provider. Each test queues the
 * answers it wants; every request received is recorded (method, path, headers, parsed body)
 * so tests can assert on exactly what the gateway sent upstream.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  rawBody: string;
}

/** Writes one answer. `request` is the recorded request; `response` is the raw Node response. */
export type Responder = (request: ReceivedRequest, response: http.ServerResponse, raw: http.IncomingMessage) => void | Promise<void>;

export interface FakeUpstream {
  url: string;
  received: ReceivedRequest[];
  /** Queues answers used in order; when the queue is empty `fallback` answers. */
  enqueue(...responders: Responder[]): void;
  fallback: Responder;
  close(): Promise<void>;
}

export async function startFakeUpstream(fallback?: Responder): Promise<FakeUpstream> {
  const queue: Responder[] = [];
  const fake: FakeUpstream = {
    url: '',
    received: [],
    enqueue: (...responders) => queue.push(...responders),
    fallback: fallback ?? json(500, { error: { message: 'no answer scripted', type: 'server_error' } }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((raw, response) => {
    const chunks: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => chunks.push(chunk));
    raw.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown = rawBody;
      try {
        body = JSON.parse(rawBody);
      } catch {
        // Not JSON: keep the text.
      }
      const request: ReceivedRequest = { method: raw.method ?? '', path: raw.url ?? '', headers: raw.headers, body, rawBody };
      fake.received.push(request);
      const responder = queue.shift() ?? fake.fallback;
      Promise.resolve(responder(request, response, raw)).catch(() => response.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Responder {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(value));
  };
}

/** Answers with SSE: each item is written as one `data:` event (strings as-is), `delayMs` apart. */
export function sse(events: Array<unknown>, options: { delayMs?: number; done?: boolean; eventNames?: string[] } = {}): Responder {
  return async (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    response.flushHeaders();
    for (const [position, event] of events.entries()) {
      const name = options.eventNames?.[position];
      response.write(`${name ? `event: ${name}\n` : ''}data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`);
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    }
    if (options.done !== false) response.write('data: [DONE]\n\n');
    response.end();
  };
}

/**
 * Replays recorded SSE text (a fixture) event by event, `delayMs` apart. Comment lines stay in:
 * the gateway's decoder must skip them as a real client would. `lineEnding: '\r\n'` replays the
 * CRLF framing some servers (Google) use.
 */
export function replaySse(text: string, options: { delayMs?: number; lineEnding?: '\n' | '\r\n' } = {}): Responder {
  const separator = (options.lineEnding ?? '\n').repeat(2);
  return async (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.flushHeaders();
    for (const event of text.split('\n\n').filter((block) => block.trim() !== '')) {
      response.write(`${event}${separator}`);
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    }
    response.end();
  };
}
