import http from 'node:http';
import https from 'node:https';
import { UpstreamError } from '../api/errors.ts';
import type { UpstreamRequest } from './upstream-request.ts';

/**
 * Keep-alive agents shared by every request of the process (a Lambda container lives for
 * many invocations): a warm connection saves a TCP and TLS handshake per request.
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true, scheduling: 'lifo' }),
  'https:': new https.Agent({ keepAlive: true, scheduling: 'lifo' }),
};

export interface UpstreamResponse {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  /** The raw body; iterate it, or `destroy()` it when it is not wanted. */
  body: http.IncomingMessage;
}

/**
 * Sends one request and resolves when the response headers arrive. Aborting `signal`
 * tears down the socket (before or after the headers) and rejects with the signal's reason.
 *
 * @throws UpstreamError with `isConnectionError` when no response came back.
 */
export function sendUpstream(
  request: UpstreamRequest,
  options: { provider: string; signal?: AbortSignal | undefined },
): Promise<UpstreamResponse> {
  const url = new URL(request.url);
  const transport = url.protocol === 'https:' ? https : http;
  const agent = agents[url.protocol as keyof typeof agents];
  if (!agent) {
    return Promise.reject(new UpstreamError(`Unsupported upstream protocol ${url.protocol}`, { provider: options.provider, statusCode: 502 }));
  }
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);

  return new Promise((resolve, reject) => {
    const outgoing = transport.request(url, {
      method: request.method,
      headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
      agent,
    });
    // One listener for both phases (listeners on an AbortSignal are not cheap): before the
    // headers an abort tears down the request, past them the body owns it.
    let body: http.IncomingMessage | undefined;
    const onAbort = () => {
      const reason = signal!.reason instanceof Error ? signal!.reason : new Error('aborted');
      if (body) return void body.destroy(reason);
      outgoing.destroy(reason);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    outgoing.once('response', (incoming) => {
      if (signal) {
        body = incoming;
        incoming.once('close', () => signal.removeEventListener('abort', onAbort));
      }
      resolve({ statusCode: incoming.statusCode ?? 502, headers: incoming.headers, body: incoming });
    });
    outgoing.once('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(signal.reason);
      reject(
        new UpstreamError(`Could not reach ${options.provider} at ${url.host}: ${describeConnectionError(error)}`, {
          provider: options.provider,
          statusCode: 502,
          isConnectionError: true,
          cause: error,
        }),
      );
    });
    outgoing.end(request.body);
  });
}

/** Reads a whole body as text, refusing more than `limitBytes` (a broken upstream must not exhaust memory). */
export async function readBodyText(body: AsyncIterable<Buffer>, limitBytes = 32 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limitBytes) throw new Error(`upstream body exceeds ${limitBytes} bytes`);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

function describeConnectionError(error: Error & { code?: string }): string {
  return error.code ?? error.message;
}
