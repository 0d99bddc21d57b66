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
import { DeadlineSweep } from './deadline-sweep.ts';
import { createLambdaContext } from './lambda-context.ts';
import { createLambdaResponseStream, type LambdaResponseStreamOptions } from './lambda-response-stream.ts';
import { LambdaResponseWriter } from './lambda-response-writer.ts';
import { highWaterMarkOf, type StreamingHandler } from './lambda-streaming-runtime.ts';
import { forwardToRuntimeApi } from './runtime-api/forward-to-runtime-api.ts';
import type { RuntimeApiEmulator } from './runtime-api/runtime-api-emulator.ts';

export interface LocalServerOptions {
  /**
   * How long a request body may take to arrive once its headers are in (`GATEWAY_LOCAL_BODY_TIMEOUT_MS`,
   * default 10 s). API Gateway reads the whole body before the function runs; locally a caller that
   * stalls after its headers would otherwise hold a socket and a buffer for Node's 5-minute limit.
   */
  bodyTimeoutMs?: number;
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
  const bodyTimeoutMs = options.bodyTimeoutMs ?? bodyTimeoutFromEnv();
  const settings = { ...options, bodyTimeoutMs, bodyDeadlines: new DeadlineSweep(bodyTimeoutMs) };
  const server = http.createServer((request, response) => {
    guardClientErrors(request, response);
    route(handler, settings, request, response).catch((error: unknown) => {
      if (error instanceof CallerGone) {
        log.info('caller went away before its body arrived', { reason: error.message });
        return response.destroy();
      }
      log.error('local server failed', describeError(error));
      // API Gateway's answer to a failed integration; after the first byte it can only cut.
      if (!response.headersSent && !response.destroyed) sendJson(response, 502, { message: 'Internal server error' });
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  // Malformed HTTP, a reset mid-headers, a header flood: answer 400 if the socket still listens, never crash.
  server.on('clientError', (_error, socket) => {
    if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

function bodyTimeoutFromEnv(): number {
  const text = process.env.GATEWAY_LOCAL_BODY_TIMEOUT_MS;
  if (text === undefined || text.trim() === '') return 10_000;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`GATEWAY_LOCAL_BODY_TIMEOUT_MS must be a positive whole number of milliseconds, not "${text}".`);
  return value;
}

/**
 * Every client behaviour must leave the process standing (issue #11 item 4): a stream that emits
 * `error` with no listener throws. The request and response get a listener each; what went wrong
 * is already handled where it matters (the body read rejects, the handler hears `close`).
 */
function guardClientErrors(request: IncomingMessage, response: ServerResponse): void {
  request.on('error', ignore);
  response.on('error', ignore);
}

function ignore(): void {}

async function route(
  handler: StreamingHandler | undefined,
  options: LocalServerOptions & { bodyTimeoutMs: number; bodyDeadlines: DeadlineSweep },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = (request.url ?? '/').split('?', 1)[0];
  if (path === '/health' && request.method === 'GET') return sendJson(response, 200, { status: 'ok' });
  if (path !== '/v1/completions') {
    request.resume();
    return sendJson(response, 404, openAIError(`No route for ${request.method} ${path}; use POST /v1/completions.`, 'invalid_request_error'));
  }
  if (request.method !== 'POST') {
    // As API Gateway answers a method the API does not define: before any body is read or checked.
    request.resume();
    return sendJson(response, 405, openAIError(`Method ${request.method} is not allowed on ${path}; use POST.`, 'invalid_request_error', 'method_not_allowed'), { allow: 'POST' });
  }

  const { bodyTimeoutMs } = options;
  const body = await readBody(request, MAX_BODY_BYTES + 1, options.bodyDeadlines);
  if (body === TIMED_OUT) {
    response.shouldKeepAlive = false;
    return sendJson(response, 408, openAIError(`The request body did not arrive within ${bodyTimeoutMs} ms.`, 'invalid_request_error', 'request_timeout'), { connection: 'close' });
  }
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

/** The caller closed or reset its connection while its body was being read. */
class CallerGone extends Error {}

const TIMED_OUT = Symbol('timed out');

/**
 * The body as text; undefined once it passes `limit` bytes (the rest is not read into memory);
 * TIMED_OUT when it has not all arrived within the sweep's `timeoutMs`.
 */
function readBody(request: IncomingMessage, limit: number, deadlines: DeadlineSweep): Promise<string | undefined | typeof TIMED_OUT> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const deadline = deadlines.start(() => {
      request.removeAllListeners('data');
      request.pause();
      resolve(TIMED_OUT);
    });
    const settle = (value: string | undefined) => {
      deadlines.cancel(deadline);
      resolve(value);
    };
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        return settle(undefined);
      }
      chunks.push(chunk);
    });
    request.once('end', () => settle(size > limit ? undefined : chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    request.once('error', (error) => {
      deadlines.cancel(deadline);
      reject(new CallerGone(error.message));
    });
    request.once('close', () => {
      deadlines.cancel(deadline);
      if (!request.complete) reject(new CallerGone('closed before the body ended'));
    });
  });
}

function openAIError(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

function sendJson(response: ServerResponse, statusCode: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  response.writeHead(statusCode, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
