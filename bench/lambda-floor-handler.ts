/**
 * The Lambda floor: the least a streaming function can do for a completion. Parse the event's body,
 * forward it to `{x-portkey-custom-host}/completions` over a keep-alive agent and write the answer
 * into the response stream behind a prelude: a JSON answer in one write, a stream chunk by chunk
 * as it arrives. No validation, no mapping, no error shape: what the gateway's handler spends
 * beyond this, per invocation and per stream event, is its own cost.
 */
import type http from 'node:http';
import type { Writable } from 'node:stream';

declare const awslambda: {
  streamifyResponse<T>(handler: T): T;
  HttpResponseStream: { from(stream: Writable, prelude: { statusCode: number; headers: Record<string, string> }): Writable };
};

interface ProxyEvent {
  headers: Record<string, string>;
  body: string;
}

// Not `import http from 'node:http'`: on Node 24 an ESM import of node:http builds a facade that
// reads every export, and its lazy `WebSocket`, `MessageEvent`... getters load undici (~25 ms CPU
// of init, measured). The runtime has loaded node:http already; this costs nothing.
const { Agent, request } = process.getBuiltinModule('node:http');
const agent = new Agent({ keepAlive: true });

export const handler = awslambda.streamifyResponse(async (event: ProxyEvent, responseStream: Writable) => {
  const body = JSON.stringify(JSON.parse(event.body));
  const host = event.headers['x-portkey-custom-host'];
  const answer = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const upstream = request(`${host}/completions`, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: event.headers.authorization ?? '' },
    });
    upstream.once('response', resolve).once('error', reject);
    upstream.end(body);
  });
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: answer.statusCode ?? 502,
    headers: { 'content-type': answer.headers['content-type'] ?? 'application/json' },
  });
  if (answer.headers['content-type']?.startsWith('text/event-stream')) {
    for await (const chunk of answer) stream.write(chunk);
  } else {
    const chunks: Buffer[] = [];
    for await (const chunk of answer) chunks.push(chunk as Buffer);
    stream.write(Buffer.concat(chunks));
  }
  await new Promise<void>((resolve) => stream.end(resolve));
});
