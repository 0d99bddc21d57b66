/**
 * Attempts a planned route: walks the strategy tree (walk-route.ts) and, for each target
 * actually tried, resolves it (resolve-target.ts), applies its `override_params`, and runs it
 * through the target middlewares (the seam) to the provider call under the target's deadline,
 * retrying per its `retry` settings. Every attempt is recorded in the route outcome. Fallback
 * and retries are only possible before the first byte reaches the caller: a stream is handed
 * back once its first part has arrived, wrapped in the idle guard.
 */
import { parseCompletionRequest, type CompletionRequest } from '../api/completion-request.ts';
import { InvalidRequestError, UpstreamError, UpstreamTimeoutError } from '../api/errors.ts';
import { NO_CACHE_REQUEST } from '../cache/cache-settings.ts';
import type { CustomHostGuard } from '../config/custom-host-guard.ts';
import { pickForwardedHeaders, type Headers } from '../config/target-from-headers.ts';
import type { CallerIdentity, KeyStore } from '../keys/key-store.ts';
import { log } from '../log.ts';
import type { ProviderResult } from '../providers/call-provider.ts';
import { completeWithProvider } from '../providers/complete-with-provider.ts';
import { guardStreamIdle } from './guard-stream-idle.ts';
import type { RouteNode } from './plan-route.ts';
import { resolveTarget } from './resolve-target.ts';
import { retryDelay } from './retry-delay.ts';
import { createRouteOutcome, type RouteOutcome, type TargetAttemptRecord } from './route-outcome.ts';
import type { RoutingOptions } from './routing-options.ts';
import { composeTargetMiddlewares, type CompleteTarget, type TargetAttempt, type TargetMiddleware } from './target-middleware.ts';
import { walkRoute } from './walk-route.ts';
import { withDeadline } from './with-deadline.ts';
import { describeUnresolvedName } from '../keys/unresolved-name.ts';

export interface RouteContext {
  /** Caller headers a target may forward (`forward_headers`). */
  headers: Headers;
  customHostGuard: CustomHostGuard;
  keyStore?: KeyStore | undefined;
  caller: CallerIdentity;
  /** The one cancellation: aborted when the caller goes away. */
  signal?: AbortSignal | undefined;
  /** `x-portkey-metadata`, for conditional routing. */
  metadata: Record<string, unknown>;
  options: RoutingOptions;
  traceId?: string | undefined;
  /** `x-portkey-strict-params`. */
  strict?: boolean | undefined;
  /** Filled as routing runs; read by the answer's headers, the log and the usage record. */
  outcome?: RouteOutcome | undefined;
  /** The seam around each provider call, outermost first. */
  middlewares?: readonly TargetMiddleware[] | undefined;
  /** `x-portkey-cache-force-refresh: true`, for the cache middleware. */
  cacheForceRefresh?: boolean | undefined;
}

/** @returns the answering target's result; what routing did is in `context.outcome`. */
export function routeCompletion(route: RouteNode, params: CompletionRequest, context: RouteContext): Promise<ProviderResult> {
  const outcome = context.outcome ?? createRouteOutcome();
  const complete = context.middlewares?.length ? composeTargetMiddlewares(context.middlewares, callOnce(context)) : callOnce(context);
  return walkRoute(route, (leaf) => attemptTarget(leaf, params, context, outcome, complete), {
    query: { metadata: context.metadata, params },
    random: context.options.random,
    signal: context.signal,
    traceId: context.traceId,
  });
}

async function attemptTarget(
  leaf: RouteNode,
  requestParams: CompletionRequest,
  context: RouteContext,
  outcome: RouteOutcome,
  complete: CompleteTarget,
): Promise<ProviderResult> {
  // Until it resolves, the virtual key's name is the caller's text (maybe a pasted key): logged only by fingerprint.
  const unresolved = leaf.target.virtual_key === undefined ? undefined : describeUnresolvedName(leaf.target.virtual_key);
  const record: TargetAttemptRecord = { path: leaf.path, provider: leaf.target.provider, virtualKey: unresolved, params: undefined, retries: 0, warnings: [] };
  outcome.attempts.push(record);
  try {
    const { provider, target } = await resolveTarget(leaf.target, leaf.path, context);
    record.provider = provider.name;
    record.virtualKey = target.virtual_key;
    const params = applyOverrideParams(requestParams, target.override_params, leaf.path);
    record.params = params;
    record.pricing = target.pricing;
    const call = {
      params,
      target,
      stream: params.stream === true,
      forwardedHeaders: pickForwardedHeaders(context.headers, target.forward_headers),
      strict: context.strict === true,
    };
    const cache = leaf.cache || context.cacheForceRefresh ? { config: leaf.cache, forceRefresh: context.cacheForceRefresh === true } : NO_CACHE_REQUEST;
    for (let retry = 0; ; retry++) {
      record.retries = retry;
      const attempt: TargetAttempt = {
        provider,
        call,
        path: leaf.path,
        virtualKey: target.virtual_key,
        cache,
        retry,
        traceId: context.traceId,
        caller: context.caller,
        signal: context.signal,
        setHeader: (name, value) => {
          outcome.headers[name.toLowerCase()] = value;
        },
      };
      try {
        const result = await complete(attempt);
        record.warnings = result.warnings;
        if (result.warnings.length > 0) log.info('parameters adjusted', { traceId: context.traceId, provider: provider.name, warnings: result.warnings });
        return result;
      } catch (error) {
        const delay = context.signal?.aborted ? undefined : retryDelay(error, leaf.retry, retry, context.options);
        if (delay === undefined) throw error;
        log.info('retrying upstream', {
          traceId: context.traceId,
          provider: provider.name,
          target: leaf.path,
          retry: retry + 1,
          delayMs: delay,
          statusCode: (error as UpstreamError).statusCode,
        });
        await context.options.sleep(delay, context.signal);
      }
    }
  } catch (error) {
    record.error = error;
    throw error;
  }
}

/**
 * The innermost step of the seam: one upstream call under `request_timeout`; a stream comes
 * back wrapped in the idle guard. Without a `request_timeout`, a stream's first event is still
 * bounded by the idle limit: an upstream silent that long before its first event is as dead as
 * one silent after it. (A whole JSON answer may legitimately take that long, so it gets none.)
 */
function callOnce(context: RouteContext): CompleteTarget {
  const { streamIdleTimeoutMs } = context.options;
  // Not async: a JSON answer without a deadline is the provider's promise itself, with no wrapper.
  return function callProviderOnce({ provider, call, signal }) {
    const timeoutMs = call.target.request_timeout ?? (call.stream ? streamIdleTimeoutMs : undefined);
    // Only a JSON answer has no deadline: the caller's signal alone can abort it, so it needs no
    // AbortController of its own (creating one and its listeners was ~2% of the CPU per request).
    if (timeoutMs === undefined) return completeWithProvider(provider, call, { signal });
    return callWithDeadline(provider, call, signal, timeoutMs, streamIdleTimeoutMs);
  };
}

/** A call under its deadline (`request_timeout`, or a stream's idle limit before its first event). */
async function callWithDeadline(
  provider: TargetAttempt['provider'],
  call: TargetAttempt['call'],
  signal: AbortSignal | undefined,
  timeoutMs: number,
  streamIdleTimeoutMs: number,
): Promise<ProviderResult> {
  const attempt = await withDeadline((attemptSignal) => completeWithProvider(provider, call, { signal: attemptSignal }), {
    timeoutMs,
    signal,
    onTimeout: () => new UpstreamTimeoutError(provider.name, timeoutMs),
  });
  const result = attempt.value;
  if (result.kind !== 'stream') {
    attempt.release();
    return result;
  }
  const parts = guardStreamIdle(result.parts, {
    idleTimeoutMs: streamIdleTimeoutMs,
    onIdle: () =>
      new UpstreamError(`${provider.name} sent nothing for ${streamIdleTimeoutMs} ms; the stream was ended.`, {
        provider: provider.name,
        statusCode: 504,
        type: 'timeout_error',
        code: 'stream_idle_timeout',
      }),
    abort: attempt.abort,
    release: attempt.release,
  });
  return { kind: 'stream', parts, warnings: result.warnings };
}

/**
 * A target's `override_params` replace the caller's parameters before mapping, and the result
 * is validated like a request body. `stream` stays the caller's: its client expects one format.
 */
function applyOverrideParams(params: CompletionRequest, overrides: Record<string, unknown> | undefined, path: string | undefined): CompletionRequest {
  if (!overrides || Object.keys(overrides).length === 0) return params;
  const { stream: _stream, stream_options: _streamOptions, ...allowed } = overrides;
  try {
    return parseCompletionRequest({ ...params, ...allowed });
  } catch (error) {
    if (!(error instanceof InvalidRequestError)) throw error;
    throw new InvalidRequestError(`override_params of ${path ?? 'the target'} make an invalid request: ${error.message}`, {
      param: 'x-portkey-config',
      code: 'invalid_override_params',
    });
  }
}
