/**
 * The local server: node:http -> API Gateway proxy event -> the real streaming Lambda handler.
 * Every local request takes the deployed code path, Middy chain included, and the handler meets
 * the runtime's behaviour (lambda-response-stream.ts): what would kill a Lambda instance (an
 * error on the response stream, e.g. a failed `pipeline()`) is an uncaught exception here too,
 * so `npm start` exits 1 and a test run fails. A handler that rejects answers as API Gateway
 * does: 502 before the first byte, a cut connection after it.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { MAX_BODY_BYTES } from '../api/parse-json-body.ts';
import { describeError, log } from '../log.ts';
import { type IamIdentity, toApiGatewayEvent } from './api-gateway-event.ts';
import { createLambdaContext } from './lambda-context.ts';
import { createLambdaResponseStream, type LambdaResponseStreamOptions } from './lambda-response-stream.ts';
import { LambdaResponseWriter } from './lambda-response-writer.ts';
import { highWaterMarkOf, type StreamingHandler } from './lambda-streaming-runtime.ts';
import { forwardToRuntimeApi } from './runtime-api/forward-to-runtime-api.ts';
import type { RuntimeApiEmulator } from './runtime-api/runtime-api-emulator.ts';

export interface LocalServerOptions {
  /** The caller API Gateway's IAM auth would name (`requestContext.identity`), per request; default none. */
  identity?: (request: IncomingMessage) => IamIdentity | undefined;
  /** Where a runtime crash goes; default an uncaught exception (the process exits 1, as on Lambda). */
  onCrash?: LambdaResponseStreamOptions['onCrash'];
  /**
   * Invoke a real runtime process through this Runtime API emulator instead of calling `handler`
   * in this process (the runtime suite and the benchmark run the deployed asset this way).
   */
  runtimeApi?: RuntimeApiEmulator;
}

export function createLocalServer(handler: StreamingHandler | undefined, options: LocalServerOptions = {}): http.Server {
  const server = http.createServer((request, response) => {
    route(handler, options, request, response).catch((error: unknown) => {
      log.error('the function failed', describeError(error));
      // API Gateway's answer to a failed integration; after the first byte it can only cut.
      if (!response.headersSent) sendJson(response, 502, { message: 'Internal server error' });
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

async function route(handler: StreamingHandler | undefined, options: LocalServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?', 1)[0];
  if (path === '/health' && request.method === 'GET') return sendJson(response, 200, { status: 'ok' });
  if (path !== '/v1/completions') {
    request.resume();
    return sendJson(response, 404, openAIError(`No route for ${request.method} ${path}; use POST /v1/completions.`, 'invalid_request_error'));
  }

  const body = await readBody(request, MAX_BODY_BYTES + 1);
  if (body === undefined) {
    // Like API Gateway's own payload limit: refused before the function runs.
    return sendJson(response, 413, openAIError(`The request body is larger than ${MAX_BODY_BYTES} bytes.`, 'invalid_request_error', 'request_too_large'));
  }
  const writer = new LambdaResponseWriter(response, handler && highWaterMarkOf(handler));
  const event = toApiGatewayEvent(request, body, options.identity?.(request));
  if (options.runtimeApi) {
    const gone = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) gone.abort();
    });
    return forwardToRuntimeApi(options.runtimeApi, event, writer, gone.signal);
  }
  if (!handler) throw new Error('createLocalServer needs a handler or a runtimeApi');
  let callerGone = false;
  // The caller going away destroys the response stream, which is how the handler hears of it.
  response.once('close', () => {
    if (response.writableFinished) return;
    callerGone = true;
    writer.destroy(new Error('caller disconnected'));
  });
  const stream = createLambdaResponseStream(writer, {
    onContentType: (contentType) => writer.setContentType(contentType),
    callerGone: () => callerGone,
    onCrash: (error) => {
      // The instance is gone: API Gateway can only cut what it had started to send, or answer 502.
      if (response.headersSent) response.destroy();
      else sendJson(response, 502, { message: 'Internal server error' });
      (options.onCrash ?? crashTheProcess)(error);
    },
  });
  await handler(event, stream, createLambdaContext()).catch((error: unknown) => {
    if (!callerGone) throw error;
  });
}

/** What the runtime does: an uncaught exception, the process exits 1. */
function crashTheProcess(error: Error): void {
  process.nextTick(() => {
    throw error;
  });
}

/** The body as text, or undefined once it passes `limit` bytes (the rest is not read into memory). */
function readBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        return resolve(undefined);
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
}

function openAIError(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

function sendJson(response: ServerResponse, statusCode: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
