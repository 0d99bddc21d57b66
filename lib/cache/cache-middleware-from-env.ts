/**
 * The deployed handler's cache middleware, from the environment (create-response-cache.ts lists the
 * settings). What every request runs loads at start: reading the attempt's cache settings and
 * answering `x-portkey-cache-status`. The cache itself (key, stores, codec, replay: ~10 KB of the
 * bundle) is loaded by `import()` on the first attempt that asks for it; most requests never do,
 * and every cold start would otherwise compile it. From then on the real middleware serves every
 * attempt, as it would have from the start.
 */
import type { CompleteTarget, TargetMiddleware } from '../routing/target-middleware.ts';
import type { CacheMiddleware } from './cache-middleware.ts';
import { CACHE_STATUS_HEADER, cacheAgeLimitsFromEnv, cacheSettingsOf, initialCacheStatus } from './cache-settings.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** The numeric settings of the store, checked at start: a bad value fails the container's init, not a request. */
const NUMBER_SETTINGS = ['GATEWAY_CACHE_READ_BUDGET_MS', 'GATEWAY_CACHE_WRITE_TIMEOUT_MS', 'GATEWAY_CACHE_MEMORY_BYTES'];

/** `env[name]` as a positive whole number, `fallback` when unset or empty. */
export function positiveInteger(env: Env, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, got ${text}`);
  return value;
}

export function cacheMiddlewareFromEnv(env: Env = process.env): CacheMiddleware {
  const ageLimits = cacheAgeLimitsFromEnv(env);
  for (const name of NUMBER_SETTINGS) positiveInteger(env, name, 1);
  let loading: Promise<CacheMiddleware> | undefined;
  let loaded: CacheMiddleware | undefined;
  const load = () =>
    (loading ??= Promise.all([import('./cache-middleware.ts'), import('./create-response-cache.ts'), import('./cache-key.ts')]).then(
      ([middleware, responseCache, key]) =>
        (loaded = middleware.createCacheMiddleware({ cache: responseCache.createResponseCache(env), ageLimits, hashSecret: key.cacheHashSecretFromEnv(env) })),
    ));

  const middleware: TargetMiddleware = (next) => {
    let cached: CompleteTarget | undefined;
    return async function completeThroughCache(attempt) {
      if (cached) return cached(attempt);
      // As the real middleware does first: an unreadable setting is the request's mistake (a 400).
      const settings = cacheSettingsOf(attempt.cache, ageLimits);
      if (!settings.enabled) {
        attempt.setHeader(CACHE_STATUS_HEADER, initialCacheStatus(settings));
        return next(attempt);
      }
      cached = (await load()).middleware(next);
      return cached(attempt);
    };
  };

  return {
    middleware,
    async settle() {
      await loaded?.settle();
    },
  };
}
