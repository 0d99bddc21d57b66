/**
 * The handler's dependencies as the deployed function builds them, from the environment, once
 * per container: the custom-host guard (`GATEWAY_ALLOWED_CUSTOM_HOSTS`, default none), the
 * key store (lib/keys/create-key-store.ts) and the target middlewares, outermost first (limits,
 * then the cache, so a hit still counts as a request). Tests build their own instead.
 */
import { cacheMiddlewareFromEnv } from '../../lib/cache/create-response-cache.ts';
import { createCustomHostGuard } from '../../lib/config/custom-host-guard.ts';
import { createKeyStore, keyStoreSettingsFromEnv } from '../../lib/keys/create-key-store.ts';
import type { CompletionsDependencies } from './handler.ts';

export function dependenciesFromEnv(env: NodeJS.ProcessEnv = process.env): CompletionsDependencies {
  const cache = cacheMiddlewareFromEnv(env);
  return {
    customHostGuard: createCustomHostGuard(env.GATEWAY_ALLOWED_CUSTOM_HOSTS, { defaultAllowed: '' }),
    keyStore: createKeyStore(keyStoreSettingsFromEnv(env)),
    middlewares: [cache.middleware],
    settle: cache.settle,
  };
}
