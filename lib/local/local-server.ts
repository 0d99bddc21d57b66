/**
 * The local server: node:http -> API Gateway proxy event -> the real streaming Lambda handler.
 * Every local request takes the deployed code path, Middy chain included.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { MAX_BODY_BYTES } from '../api/parse-json-body.ts';
import { describeError, log } from '../log.ts';
import { toApiGatewayEvent } from './api-gateway-event.ts';
import { LambdaResponseWriter } from './lambda-response-writer.ts';
import type { StreamingHandler } from './lambda-streaming-runtime.ts';

const FIFTEEN_MINUTES_MS = 15 * 60 * 1000;

export interface LocalServerOptions {
  /**
   * How long a request body may take to arrive once its headers are in (`GATEWAY_LOCAL_BODY_TIMEOUT_MS`,
   * default 10 s). API Gateway reads the whole body before the function runs; locally a caller that
   * stalls after its headers would otherwise hold a socket and a buffer for Node's 5-minute limit.
   */
  bodyTimeoutMs?: number;
}

export function createLocalServer(handler: StreamingHandler, options: LocalServerOptions = {}): http.Server {
  const { bodyTimeoutMs } = { bodyTimeoutMs: bodyTimeoutFromEnv(), ...options };
  const server = http.createServer((request, response) => {
    guardClientErrors(request, response);
    route(handler, request, response, bodyTimeoutMs).catch((error: unknown) => {
      if (error instanceof CallerGone) {
        log.info('caller went away before its body arrived', { reason: error.message });
        return response.destroy();
      }
      log.error('local server failed', describeError(error));
      if (!response.headersSent && !response.destroyed) sendJson(response, 500, openAIError('The gateway failed to handle the request.', 'api_error'));
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

async function route(handler: StreamingHandler, request: IncomingMessage, response: ServerResponse, bodyTimeoutMs: number): Promise<void> {
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

  const body = await readBody(request, MAX_BODY_BYTES + 1, bodyTimeoutMs);
  if (body === TIMED_OUT) {
    response.shouldKeepAlive = false;
    return sendJson(response, 408, openAIError(`The request body did not arrive within ${bodyTimeoutMs} ms.`, 'invalid_request_error', 'request_timeout'), { connection: 'close' });
  }
  if (body === undefined) {
    // Like API Gateway's own payload limit: refused before the function runs.
    return sendJson(response, 413, openAIError(`The request body is larger than ${MAX_BODY_BYTES} bytes.`, 'invalid_request_error', 'request_too_large'));
  }
  const writer = new LambdaResponseWriter(response);
  // The caller going away destroys the response stream, which is how the handler hears of it.
  response.once('close', () => {
    if (!response.writableFinished) writer.destroy(new Error('caller disconnected'));
  });
  await handler(toApiGatewayEvent(request, body), writer, lambdaContext()).catch((error: unknown) => {
    if (!writer.destroyed) throw error;
  });
}

/** The caller closed or reset its connection while its body was being read. */
class CallerGone extends Error {}

const TIMED_OUT = Symbol('timed out');

/**
 * The body as text; undefined once it passes `limit` bytes (the rest is not read into memory);
 * TIMED_OUT when it has not all arrived within `timeoutMs`.
 */
function readBody(request: IncomingMessage, limit: number, timeoutMs: number): Promise<string | undefined | typeof TIMED_OUT> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      request.removeAllListeners('data');
      request.pause();
      resolve(TIMED_OUT);
    }, timeoutMs);
    const settle = (value: string | undefined) => {
      clearTimeout(timer);
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
    request.once('end', () => settle(size > limit ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.once('error', (error) => {
      clearTimeout(timer);
      reject(new CallerGone(error.message));
    });
    request.once('close', () => {
      clearTimeout(timer);
      if (!request.complete) reject(new CallerGone('closed before the body ended'));
    });
  });
}

function lambdaContext() {
  const deadline = Date.now() + FIFTEEN_MINUTES_MS;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'llm-gateway-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:llm-gateway-local',
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

function openAIError(message: string, type: string, code: string | null = null) {
  return { error: { message, type, param: null, code } };
}

function sendJson(response: ServerResponse, statusCode: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  response.writeHead(statusCode, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
