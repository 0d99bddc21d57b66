import { randomUUID } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { GatewayContext } from '../gateway-context.ts';

/** A trace id is echoed when it is sane, so a caller cannot inject arbitrary text into our headers and logs. */
const TRACE_ID = /^[\w.:\-]{1,128}$/;

/** Gives every request its trace id before anything can fail, so errors carry it too. */
export function requestContext(): MiddlewareObj<APIGatewayProxyEvent, unknown, Error, GatewayContext> {
  return {
    before: function assignTraceId(request) {
      const sent = request.event.headers?.['x-portkey-trace-id'];
      request.context.traceId = sent && TRACE_ID.test(sent) ? sent : randomUUID();
    },
  };
}
