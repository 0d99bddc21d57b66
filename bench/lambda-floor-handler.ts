/**
 * The Lambda floor: the least a streaming function can do for a completion. Parse the event's body,
 * forward it to `{x-portkey-custom-host}/completions` over a keep-alive agent and pipe the answer
 * into the response stream behind a prelude. No validation, no mapping, no error shape: what the
 * gateway's handler spends beyond this, per invocation and per stream event, is its own cost.
 */
import http from 'node:http';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

declare const awslambda: {
  streamifyResponse<T>(handler: T): T;
  HttpResponseStream: { from(stream: Writable, prelude: { statusCode: number; headers: Record<string, string> }): Writable };
};

interface ProxyEvent {
  headers: Record<string, string>;
  body: string;
}

const agent = new http.Agent({ keepAlive: true });

export const handler = awslambda.streamifyResponse(async (event: ProxyEvent, responseStream: Writable) => {
  const body = JSON.stringify(JSON.parse(event.body));
  const host = event.headers['x-portkey-custom-host'];
  const answer = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = http.request(`${host}/completions`, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: event.headers.authorization ?? '' },
    });
    request.once('response', resolve).once('error', reject);
    request.end(body);
  });
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: answer.statusCode ?? 502,
    headers: { 'content-type': answer.headers['content-type'] ?? 'application/json' },
  });
  await pipeline(answer, stream);
});
