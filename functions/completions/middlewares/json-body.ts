import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { parseJsonBody } from '../../../lib/api/parse-json-body.ts';
import type { GatewayContext } from '../gateway-context.ts';

/** Parses the JSON body with the gateway's own 4xx answers (empty, not JSON, too large, malformed). */
export function jsonBody(): MiddlewareObj<APIGatewayProxyEvent, unknown, Error, GatewayContext> {
  return {
    before: function parseBody(request) {
      const { event } = request;
      request.context.parsedBody = parseJsonBody({
        body: event.body,
        isBase64Encoded: event.isBase64Encoded,
        contentType: event.headers?.['content-type'],
      });
    },
  };
}
