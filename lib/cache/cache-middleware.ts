/**
 * The response cache in the seam (lib/routing/target-middleware.ts): one middleware around each
 * try of a target. It resolves the target's cache settings (config `cache` after inheritance, or
 * the headers' form; the gateway's age limits), keys the request on what the engine would send
 * (`previewUpstreamRequest`: provider, effective URL, body after overrides and mapping) and the
 * credential's identity, then short-circuits a hit (`cached: true`, no upstream call) or stores
 * what the provider answered (withResponseCache). Sets `x-portkey-cache-status` before anything
 * can fail, so error answers carry it too.
 *
 * Runs inside limits (dependencies-from-env.ts): a hit is still counted there as a request, with
 * no tokens (`cached: true`). The virtual key was resolved, and the caller's access to it
 * checked, before the seam runs: a caller denied a virtual key never reaches a lookup through it.
 */
import { describeError, log } from '../log.ts';
import { previewUpstreamRequest } from '../providers/preview-upstream-request.ts';
import type { CompleteTarget, TargetAttempt, TargetMiddleware } from '../routing/target-middleware.ts';
import { cacheCredentialOf, cacheKey, DEFAULT_CACHE_HASH_SECRET } from './cache-key.ts';
import { CACHE_STATUS_HEADER, cacheSettingsOf, initialCacheStatus, PORTKEY_CACHE_AGE_LIMITS, type CacheAgeLimits } from './cache-settings.ts';
import type { ResponseCache } from './response-cache.ts';
import { withResponseCache } from './with-response-cache.ts';

export interface CacheMiddlewareOptions {
  cache: ResponseCache;
  ageLimits?: CacheAgeLimits;
  /** `GATEWAY_CACHE_HASH_SECRET`: the HMAC key of callers' own provider keys in the cache key. */
  hashSecret?: string;
}

export interface CacheMiddleware {
  middleware: TargetMiddleware;
  /**
   * Resolves once every write started so far has ended (they never reject). The edge awaits it
   * before the invocation returns: a frozen Lambda finishes nothing, and the caller already has
   * every byte by then.
   */
  settle(): Promise<void>;
}

/**
 * @example
 * const { middleware, settle } = createCacheMiddleware({ cache: createResponseCache() });
 * createCompletionsHandler({ ..., middlewares: [limits, middleware], settle });
 */
export function createCacheMiddleware(options: CacheMiddlewareOptions): CacheMiddleware {
  const { cache, ageLimits = PORTKEY_CACHE_AGE_LIMITS, hashSecret = DEFAULT_CACHE_HASH_SECRET } = options;
  const pending = new Set<Promise<unknown>>();

  function track(write: Promise<unknown>): void {
    pending.add(write);
    void write.finally(() => pending.delete(write));
  }

  /** What determines the upstream request, hashed; undefined when the engine could not build it (it will refuse the same way). */
  function keyOf({ provider, call, traceId }: TargetAttempt): string | undefined {
    try {
      const request = previewUpstreamRequest(provider, call);
      const { prompt, n, echo, best_of } = call.params;
      return cacheKey(
        {
          provider: provider.name,
          url: request.url,
          body: request.body,
          credential: cacheCredentialOf(call.target, call.forwardedHeaders),
          gatewayParams: { prompt, n, echo, best_of },
        },
        hashSecret,
      );
    } catch (error) {
      log.info('cache could not key the request; it goes upstream uncached', { traceId, provider: provider.name, ...describeError(error) });
      return undefined;
    }
  }

  const middleware: TargetMiddleware = (next: CompleteTarget) =>
    async function completeThroughCache(attempt) {
      // Outside any try: an unreadable setting is the request's mistake (a 400), not a cache fault.
      const settings = cacheSettingsOf(attempt.cache, ageLimits);
      attempt.setHeader(CACHE_STATUS_HEADER, initialCacheStatus(settings));
      if (!settings.enabled) return next(attempt);
      const key = keyOf(attempt);
      if (key === undefined) return next(attempt);
      const { status, result } = await withResponseCache({
        cache,
        settings,
        key: () => key,
        stream: attempt.call.stream,
        complete: () => next(attempt),
        traceId: attempt.traceId,
        signal: attempt.signal,
        onWrite: track,
      });
      attempt.setHeader(CACHE_STATUS_HEADER, status);
      return result;
    };

  return {
    middleware,
    async settle() {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}
