/**
 * `node:http` for the Lambda bundle, without an ESM import of it. On Node 22+ an ESM import of a
 * builtin builds a facade that reads every export, and node:http's lazy `WebSocket`,
 * `CloseEvent` and `MessageEvent` getters then load undici: 25-30 ms of CPU at init on Node 24
 * (measured: bench/cold-start.ts), for classes the gateway never uses. The bundle aliases
 * `node:http` and `http` here (bundling-options.ts, BUNDLE_ALIAS); a name missing below fails the build.
 */
const http = process.getBuiltinModule('node:http');
export default http;
export const {
  Agent,
  ClientRequest,
  IncomingMessage,
  METHODS,
  OutgoingMessage,
  STATUS_CODES,
  Server,
  ServerResponse,
  createServer,
  get,
  globalAgent,
  maxHeaderSize,
  request,
  setMaxIdleHTTPParsers,
  validateHeaderName,
  validateHeaderValue,
} = http;
