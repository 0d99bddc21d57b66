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

export function createLocalServer(handler: StreamingHandler): http.Server {
  const server = http.createServer((request, response) => {
    route(handler, request, response).catch((error: unknown) => {
      log.error('local server failed', describeError(error));
      if (!response.headersSent) sendJson(response, 500, openAIError('The gateway failed to handle the request.', 'api_error'));
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

async function route(handler: StreamingHandler, request: IncomingMessage, response: ServerResponse): Promise<void> {
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
  const writer = new LambdaResponseWriter(response);
  // The caller going away destroys the response stream, which is how the handler hears of it.
  response.once('close', () => {
    if (!response.writableFinished) writer.destroy(new Error('caller disconnected'));
  });
  await handler(toApiGatewayEvent(request, body), writer, lambdaContext()).catch((error: unknown) => {
    if (!writer.destroyed) throw error;
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

function sendJson(response: ServerResponse, statusCode: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
