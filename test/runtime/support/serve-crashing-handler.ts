/**
 * Child process for local-crash.test.ts: the local server (as `npm start` runs it, default crash
 * handling) with a handler whose `pipeline()` source fails after the first byte, which kills a
 * Lambda instance. Prints `{"port":N}` once listening.
 */
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createLocalServer } from '../../../lib/local/local-server.ts';
import { installLambdaStreamingRuntime, type StreamingHandler } from '../../../lib/local/lambda-streaming-runtime.ts';

installLambdaStreamingRuntime();
const awslambda = (globalThis as unknown as { awslambda: { streamifyResponse<T>(handler: T): T; HttpResponseStream: { from(stream: unknown, prelude: object): NodeJS.WritableStream } } }).awslambda;

const handler = awslambda.streamifyResponse(async (_event: unknown, responseStream: unknown) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200, headers: { 'content-type': 'text/event-stream' } });
  stream.write('');
  const body = new Readable({ read() {} });
  body.push('data: {"text":"first"}\n\n');
  setTimeout(() => body.destroy(new Error('upstream broke')), 20);
  await pipeline(body, stream);
}) as unknown as StreamingHandler;

const server = createLocalServer(handler);
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
