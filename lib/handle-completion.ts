/**
 * The gateway's one core function: a validated request in, an OpenAI answer out.
 * Web-standard inputs and outputs only; the Lambda adapter and the local server translate.
 */
import { parseCompletionRequest } from './api/completion-request.ts';
import { renderResponse, renderStream } from './api/render-completion.ts';
import type { CustomHostGuard } from './config/custom-host-guard.ts';
import { targetFieldsFromHeaders, type Headers } from './config/target-from-headers.ts';
import type { CallerIdentity, KeyStore } from './keys/key-store.ts';
import { describeError, log } from './log.ts';
import type { MappingWarning } from './providers/map-parameters.ts';
import { routeCompletion } from './routing/route-completion.ts';

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
}

export interface GatewayDependencies {
  customHostGuard: CustomHostGuard;
  keyStore?: KeyStore;
}

export async function handleCompletion(request: GatewayRequest, dependencies: GatewayDependencies): Promise<GatewayResponse> {
  const params = parseCompletionRequest(request.body);
  const routed = await routeCompletion(targetFieldsFromHeaders(request.headers), params, {
    headers: request.headers,
    customHostGuard: dependencies.customHostGuard,
    keyStore: dependencies.keyStore,
    caller: request.caller,
    signal: request.signal,
  });

  const headers: Record<string, string> = {
    'x-portkey-trace-id': request.traceId,
    'x-portkey-provider': routed.target.provider,
    'x-portkey-retry-attempt-count': String(routed.retryAttemptCount),
    ...warningHeaders(routed.result.warnings),
  };
  if (routed.lastUsedOptionIndex) headers['x-portkey-last-used-option-index'] = routed.lastUsedOptionIndex;
  if (routed.result.warnings.length > 0) {
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
    body: renderStream(result.parts, {
      model: params.model,
      includeUsage: params.stream_options?.include_usage === true,
      onError: (error) => log.warn('stream failed after the first byte', { traceId: request.traceId, ...describeError(error) }),
    }),
  };
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
