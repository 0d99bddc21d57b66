/**
 * Attempts a planned route: walks the strategy tree (walk-route.ts) and, for each target
 * actually tried, resolves its keys, applies its `override_params`, and calls the provider
 * under the target's deadline, retrying per its `retry` settings. Fallback and retries are
 * only possible before the first byte reaches the caller: a stream is handed back once its
 * first part has arrived, wrapped in the idle guard.
 */
import { parseCompletionRequest, type CompletionRequest } from '../api/completion-request.ts';
import { InvalidRequestError, UpstreamError, UpstreamTimeoutError } from '../api/errors.ts';
import type { CustomHostGuard } from '../config/custom-host-guard.ts';
import { pickForwardedHeaders, type Headers } from '../config/target-from-headers.ts';
import type { ProviderTarget } from '../config/target.ts';
import type { ProviderResult } from '../providers/call-provider.ts';
import { completeWithProvider } from '../providers/complete-with-provider.ts';
import type { CallerIdentity, KeyStore } from '../keys/key-store.ts';
import { resolveTargetKeys } from '../keys/resolve-target-keys.ts';
import { isCustomHostTrusted } from '../keys/trusted-custom-host.ts';
import { log } from '../log.ts';
import { findProvider, providers } from '../providers/registry.ts';
import type { Provider, ProviderCall } from '../providers/provider.ts';
import { guardStreamIdle } from './guard-stream-idle.ts';
import type { RouteNode } from './plan-route.ts';
import { retryDelay } from './retry-delay.ts';
import type { RoutingOptions } from './routing-options.ts';
import { walkRoute } from './walk-route.ts';
import { withDeadline } from './with-deadline.ts';

export interface RouteContext {
  headers: Headers;
  customHostGuard: CustomHostGuard;
  keyStore?: KeyStore | undefined;
  caller: CallerIdentity;
  signal?: AbortSignal | undefined;
  /** `x-portkey-metadata`, for conditional routing. */
  metadata: Record<string, unknown>;
  options: RoutingOptions;
  traceId?: string | undefined;
}

/** Where routing got to; kept up to date while it runs, so a failure can still report it. */
export interface RouteTrace {
  /** Portkey's path of the target last tried, e.g. `config.targets[1]`; absent without a config. */
  lastUsedOptionIndex?: string | undefined;
  provider?: string | undefined;
  /** Retries made on that target. */
  retryAttemptCount: number;
}

export interface RoutedResult {
  result: ProviderResult;
  target: ProviderTarget;
  /** Portkey's path of the target that answered, e.g. `config.targets[1]`; absent without a config. */
  lastUsedOptionIndex?: string;
  retryAttemptCount: number;
}

export async function routeCompletion(
  route: RouteNode,
  params: CompletionRequest,
  context: RouteContext,
  trace: RouteTrace = { retryAttemptCount: 0 },
): Promise<RoutedResult> {
  return walkRoute(route, (leaf) => attemptTarget(leaf, params, context, trace), {
    query: { metadata: context.metadata, params },
    random: context.options.random,
    signal: context.signal,
    traceId: context.traceId,
  });
}

async function attemptTarget(leaf: RouteNode, requestParams: CompletionRequest, context: RouteContext, trace: RouteTrace): Promise<RoutedResult> {
  trace.lastUsedOptionIndex = leaf.path;
  trace.retryAttemptCount = 0;
  trace.provider = leaf.target.provider;
  const target = completeTarget(await resolveTargetKeys(leaf.target, context), context.customHostGuard, leaf.path ? 'x-portkey-config' : undefined);
  trace.provider = target.provider;
  const provider = findProvider(target.provider)!;
  const params = applyOverrideParams(requestParams, target.override_params, leaf.path);
  const call: ProviderCall = {
    params,
    target,
    stream: params.stream === true,
    forwardedHeaders: pickForwardedHeaders(context.headers, target.forward_headers),
    strict: context.headers['x-portkey-strict-params'] === 'true',
  };

  for (let retries = 0; ; retries++) {
    trace.retryAttemptCount = retries;
    try {
      const result = await callOnce(provider, call, context);
      return { result, target, ...(leaf.path ? { lastUsedOptionIndex: leaf.path } : {}), retryAttemptCount: retries };
    } catch (error) {
      const delay = context.signal?.aborted ? undefined : retryDelay(error, leaf.retry, retries, context.options);
      if (delay === undefined) throw error;
      log.info('retrying upstream', {
        traceId: context.traceId,
        provider: provider.name,
        target: leaf.path,
        retry: retries + 1,
        delayMs: delay,
        statusCode: (error as UpstreamError).statusCode,
      });
      await context.options.sleep(delay, context.signal);
    }
  }
}

/**
 * One upstream call under `request_timeout`; a stream comes back wrapped in the idle guard.
 * Without a `request_timeout`, a stream's first event is still bounded by the idle limit: an
 * upstream silent that long before its first event is as dead as one silent after it. (A whole
 * JSON answer may legitimately take that long to generate, so it gets no default.)
 */
async function callOnce(provider: Provider, call: ProviderCall, context: RouteContext): Promise<ProviderResult> {
  const timeoutMs = call.target.request_timeout ?? (call.stream ? context.options.streamIdleTimeoutMs : undefined);
  const attempt = await withDeadline((signal) => completeWithProvider(provider, call, { signal }), {
    timeoutMs,
    signal: context.signal,
    onTimeout: () => new UpstreamTimeoutError(provider.name, timeoutMs!),
  });
  const result = attempt.value;
  if (result.kind !== 'stream') {
    attempt.release();
    return result;
  }
  const idleTimeoutMs = context.options.streamIdleTimeoutMs;
  const parts = guardStreamIdle(result.parts, {
    idleTimeoutMs,
    onIdle: () =>
      new UpstreamError(`${provider.name} sent nothing for ${idleTimeoutMs} ms; the stream was ended.`, {
        provider: provider.name,
        statusCode: 504,
        type: 'timeout_error',
        code: 'stream_idle_timeout',
      }),
    abort: attempt.abort,
    release: attempt.release,
  });
  return { ...result, parts, cancel: attempt.abort };
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

/** Checks that a target names a known provider and an allowed custom host. */
export function completeTarget(fields: Partial<ProviderTarget>, guard: CustomHostGuard, path = 'x-portkey-provider'): ProviderTarget {
  if (!fields.provider) {
    throw new InvalidRequestError('Choose a provider with the x-portkey-provider header (or x-portkey-config).', {
      param: path,
      code: 'missing_provider',
    });
  }
  if (!findProvider(fields.provider)) {
    throw new InvalidRequestError(`Unknown provider "${fields.provider}"; known: ${Object.keys(providers).join(', ')}.`, {
      param: path,
      code: 'unknown_provider',
    });
  }
  // A host from a virtual key's secret was written by operators, not callers (lib/keys/trusted-custom-host.ts).
  if (fields.custom_host && !isCustomHostTrusted(fields)) guard.check(fields.custom_host);
  return fields as ProviderTarget;
}
