/**
 * `GET /limits/usage` on the local server only: the in-process counters live in the server's own
 * memory, so `npm run usage` reads them through it. (With `GATEWAY_TABLE`, it reads the table.)
 * Put in front of the local server's own routes; everything else goes on to them.
 */
import type http from 'node:http';
import type { LimitUsageRow } from '../../lib/limits/read-limits-usage.ts';
import { toGatewayError } from '../../lib/api/errors.ts';

export const LIMITS_USAGE_PATH = '/limits/usage';

export function serveLimitsUsage(server: http.Server, readUsage: () => Promise<LimitUsageRow[]>): void {
  const routes = server.listeners('request') as Array<(request: http.IncomingMessage, response: http.ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?', 1)[0] !== LIMITS_USAGE_PATH) {
      for (const route of routes) route(request, response);
      return;
    }
    readUsage().then(
      (rows) => send(response, 200, { rows }),
      (error: unknown) => {
        const gatewayError = toGatewayError(error);
        send(response, gatewayError.statusCode, gatewayError.toOpenAIError());
      },
    );
  });
}

function send(response: http.ServerResponse, statusCode: number, body: unknown): void {
  response.writeHead(statusCode, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
