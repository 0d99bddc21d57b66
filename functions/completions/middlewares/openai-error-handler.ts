import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { toGatewayError } from '../../../lib/api/errors.ts';
import { describeError, log } from '../../../lib/log.ts';
import { renderRoutingHeaders } from '../../../lib/routing/route-outcome.ts';
import type { GatewayContext } from '../gateway-context.ts';

/**
 * Answers every failure in the OpenAI error shape with a fitting status. 5xx causes are
 * logged with the trace id and never told; messages of 4xx errors are written for callers.
 * The headers are the route outcome's (how far routing got), then the error's own
 * `responseHeaders` (e.g. a limit's `retry-after`): nothing is written onto a shared error.
 */
export function openAIErrorHandler(): MiddlewareObj<APIGatewayProxyEvent, unknown, Error, GatewayContext> {
  return {
    onError: function renderOpenAIError(request) {
      const { context } = request;
      const error = toGatewayError(request.error);
      const traceId = context.traceId;
      const fields = { traceId, statusCode: error.statusCode, ...describeError(request.error) };
      if (context.signal?.aborted) log.info('caller went away', fields);
      else if (error.statusCode >= 500) log.error('request failed', fields);
      else log.info('request refused', fields);
      context.answer = { statusCode: error.statusCode, errorCode: error.code };
      request.response = {
        statusCode: error.statusCode,
        headers: {
          ...(context.outcome ? renderRoutingHeaders(context.outcome) : {}),
          ...error.responseHeaders,
          'content-type': 'application/json',
          ...(traceId ? { 'x-portkey-trace-id': traceId } : {}),
          ...('provider' in error && typeof error.provider === 'string' ? { 'x-portkey-provider': error.provider } : {}),
        },
        body: JSON.stringify(error.toOpenAIError()),
      };
    },
  };
}
