/**
 * The gateway's one core function: a validated request in, an OpenAI answer out.
 * Web-standard inputs and outputs only; the Lambda adapter and the local server translate.
 */
import { parseCompletionRequest, type CompletionRequest } from './api/completion-request.ts';
import { GatewayError } from './api/errors.ts';
import { renderResponse, renderStream } from './api/render-completion.ts';
import type { CustomHostGuard } from './config/custom-host-guard.ts';
import { CONFIG_HEADER } from './config/parse-config.ts';
import { readConfigHeader } from './config/read-config-header.ts';
import { readMetadataHeader } from './config/read-metadata-header.ts';
import { targetFieldsFromHeaders, type Headers } from './config/target-from-headers.ts';
import type { CallerIdentity, KeyStore } from './keys/key-store.ts';
import { describeError, log } from './log.ts';
import type { MappingWarning } from './providers/map-parameters.ts';
import { planRoute } from './routing/plan-route.ts';
import { routeCompletion, type RouteContext, type RoutedResult, type RouteTrace } from './routing/route-completion.ts';
import { routingOptionsFromEnv, type RoutingOptions } from './routing/routing-options.ts';

export interface GatewayRequest {
  /** Header names lower-cased. */
  headers: Headers;
  /** The parsed JSON body, not yet validated. */
  body: unknown;
  traceId: string;
  /** The IAM caller, from API Gateway's request context. */
  caller: CallerIdentity;
  /** Aborted when the caller goes away or the invocation must end. */
  signal?: AbortSignal;
}

export interface GatewayResponse {
  statusCode: number;
  headers: Record<string, string>;
  /** JSON text, or SSE text chunks in the order they must be sent. */
  body: string | AsyncIterable<string>;
  /**
   * For a stream: aborts its upstream at once, e.g. when the caller goes away while a read is
   * pending (ending the iteration would wait for that read). The adapter needs no AbortController
   * of its own per request for this.
   */
  cancel?: (reason: Error) => void;
}

export interface GatewayDependencies {
  customHostGuard: CustomHostGuard;
  keyStore?: KeyStore;
  /** Randomness, sleeping and the retry / idle limits; tests inject them. Defaults from the environment. */
  routing?: Partial<RoutingOptions>;
}

// Read once per container, like every other setting.
const defaultRoutingOptions = routingOptionsFromEnv();

export async function handleCompletion(request: GatewayRequest, dependencies: GatewayDependencies): Promise<GatewayResponse> {
  const params = parseCompletionRequest(request.body);
  const trace: RouteTrace = { retryAttemptCount: 0 };
  let routed: RoutedResult;
  try {
    routed = await route(request, dependencies, params, trace);
  } catch (error) {
    // The error handler adds these to the error response: which target failed, after how many retries.
    if (error instanceof GatewayError) error.responseHeaders = { ...error.responseHeaders, ...routingHeaders(trace) };
    throw error;
  }

  // Built in place, in the order the spreads of routingHeaders/warningHeaders gave (one object per request).
  const headers: Record<string, string> = { 'x-portkey-trace-id': request.traceId, 'x-portkey-retry-attempt-count': '' };
  if (trace.lastUsedOptionIndex) headers['x-portkey-last-used-option-index'] = trace.lastUsedOptionIndex;
  headers['x-portkey-provider'] = routed.target.provider;
  headers['x-portkey-retry-attempt-count'] = String(routed.retryAttemptCount);
  if (routed.result.warnings.length > 0) {
    Object.assign(headers, warningHeaders(routed.result.warnings));
    log.info('parameters adjusted', { traceId: request.traceId, provider: routed.target.provider, warnings: routed.result.warnings });
  }

  const { result } = routed;
  if (result.kind === 'response') {
    headers['content-type'] = 'application/json';
    return { statusCode: 200, headers, body: JSON.stringify(renderResponse(result.part, { model: params.model })) };
  }
  headers['content-type'] = 'text/event-stream; charset=utf-8';
  headers['cache-control'] = 'no-cache';
  return {
    statusCode: 200,
    headers,
    ...(result.cancel ? { cancel: result.cancel } : {}),
    body: renderStream(result.parts, {
      model: params.model,
      includeUsage: params.stream_options?.include_usage === true,
      onError: (error) => log.warn('stream failed after the first byte', { traceId: request.traceId, ...describeError(error) }),
    }),
  };
}

/** Headers + config (inline or stored) → the planned route tree → the routed answer. */
async function route(request: GatewayRequest, dependencies: GatewayDependencies, params: CompletionRequest, trace: RouteTrace): Promise<RoutedResult> {
  const context: RouteContext = {
    headers: request.headers,
    customHostGuard: dependencies.customHostGuard,
    keyStore: dependencies.keyStore,
    caller: request.caller,
    signal: request.signal,
    traceId: request.traceId,
    metadata: readMetadataHeader(request.headers['x-portkey-metadata']),
    options: dependencies.routing ? { ...defaultRoutingOptions, ...dependencies.routing } : defaultRoutingOptions,
  };
  const config = await readConfigHeader(request.headers[CONFIG_HEADER], context);
  return routeCompletion(planRoute(config, targetFieldsFromHeaders(request.headers)), params, context, trace);
}

/** `x-portkey-last-used-option-index`, `x-portkey-retry-attempt-count` and `x-portkey-provider`, as far as routing got. */
function routingHeaders(trace: RouteTrace): Record<string, string> {
  const headers: Record<string, string> = { 'x-portkey-retry-attempt-count': String(trace.retryAttemptCount) };
  if (trace.lastUsedOptionIndex) headers['x-portkey-last-used-option-index'] = trace.lastUsedOptionIndex;
  if (trace.provider) headers['x-portkey-provider'] = trace.provider;
  return headers;
}

/** `x-portkey-dropped-params` / `x-portkey-clamped-params`: what the provider could not honour as asked. */
export function warningHeaders(warnings: readonly MappingWarning[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const dropped = [...new Set(warnings.filter((warning) => warning.type === 'dropped').map((warning) => warning.param))];
  const clamped = [...new Set(warnings.filter((warning) => warning.type === 'clamped').map((warning) => warning.param))];
  if (dropped.length > 0) headers['x-portkey-dropped-params'] = dropped.join(',');
  if (clamped.length > 0) headers['x-portkey-clamped-params'] = clamped.join(',');
  return headers;
}
