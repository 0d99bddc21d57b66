/**
 * The Lambda entry point: API Gateway REST proxy event in, a streamed HTTP response out.
 * A thin Middy edge around `handleCompletion`; the same handler runs under `npm start`.
 */
import { Readable } from 'node:stream';
import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { InvalidRequestError } from '../../lib/api/errors.ts';
import { createCustomHostGuard } from '../../lib/config/custom-host-guard.ts';
import { handleCompletion } from '../../lib/handle-completion.ts';
import type { GatewayContext } from './gateway-context.ts';
import { jsonBody } from './middlewares/json-body.ts';
import { callerOf, keyStore } from './middlewares/key-store.ts';
import { openAIErrorHandler } from './middlewares/openai-error-handler.ts';
import { requestContext } from './middlewares/request-context.ts';

// Built once per container: configuration is read at cold start, not per request.
const customHostGuard = createCustomHostGuard(process.env.GATEWAY_ALLOWED_CUSTOM_HOSTS, { defaultAllowed: '' });

export interface StreamingResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string | Readable;
}

async function completions(event: APIGatewayProxyEvent, context: GatewayContext): Promise<StreamingResult> {
  if (event.httpMethod !== 'POST') {
    throw new InvalidRequestError(`Method ${event.httpMethod} is not allowed; use POST.`, { statusCode: 405, code: 'method_not_allowed' });
  }
  // No AbortController per request: a caller going away is heard only once the body streams
  // (Middy destroys the Readable), and a stream's upstream is then torn down by its `cancel`.
  const response = await handleCompletion(
    {
      headers: event.headers as Record<string, string>,
      body: context.parsedBody,
      traceId: context.traceId,
      caller: callerOf(event),
    },
    { customHostGuard, keyStore: context.keyStore },
  );
  const { statusCode, headers, body, cancel } = response;
  if (typeof body === 'string') return { statusCode, headers, body };
  return { statusCode, headers, body: toAbortingReadable(body, cancel) };
}

/**
 * Middy pipes this into the response stream and destroys it when the caller goes away.
 * Destroying aborts the upstream at once: `Readable.from` would instead wait for the pending
 * upstream read to finish, which for a stalled stream is never.
 */
function toAbortingReadable(chunks: AsyncIterable<string>, cancel: ((reason: Error) => void) | undefined): Readable {
  const iterator = chunks[Symbol.asyncIterator]();
  return new Readable({
    async read() {
      try {
        const next = await iterator.next();
        this.push(next.done ? null : next.value);
      } catch (error) {
        this.destroy(error as Error);
      }
    },
    destroy(error, callback) {
      cancel?.(new Error('caller disconnected'));
      callback(error);
    },
  });
}

export const handler = middy<APIGatewayProxyEvent, StreamingResult, Error, GatewayContext>({
  executionMode: executionModeStreamifyResponse,
  timeoutEarlyInMillis: 0,
})
  .use(httpHeaderNormalizer())
  .use(requestContext())
  .use(openAIErrorHandler())
  .use(keyStore())
  .use(jsonBody())
  .handler(completions);
