import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { toGatewayError } from '../../../lib/api/errors.ts';
import { describeError, log } from '../../../lib/log.ts';
import type { GatewayContext } from '../gateway-context.ts';

/**
 * Answers every failure in the OpenAI error shape with a fitting status. 5xx causes are
 * logged with the trace id and never told; messages of 4xx errors are written for callers.
 */
export function openAIErrorHandler(): MiddlewareObj<APIGatewayProxyEvent, unknown, Error, GatewayContext> {
  return {
    onError: function renderOpenAIError(request) {
      const error = toGatewayError(request.error);
      const traceId = request.context.traceId;
      const fields = { traceId, statusCode: error.statusCode, ...describeError(request.error) };
      if (error.statusCode >= 500) log.error('request failed', fields);
      else log.info('request refused', fields);
      request.response = {
        statusCode: error.statusCode,
        headers: {
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
