/**
 * The handler's dependencies as the deployed function builds them, from the environment, once
 * per container: the custom-host guard (`GATEWAY_ALLOWED_CUSTOM_HOSTS`, default none), the
 * key store (lib/keys/create-key-store.ts) and the target middlewares, outermost first
 * (limits: lib/limits/limits-from-env.ts). Tests build their own instead.
 */
import { createCustomHostGuard } from '../../lib/config/custom-host-guard.ts';
import { createKeyStore, keyStoreSettingsFromEnv } from '../../lib/keys/create-key-store.ts';
import { limitsFromEnv, type LimitsWiring } from '../../lib/limits/limits-from-env.ts';
import type { CompletionsDependencies } from './handler.ts';

export function dependenciesFromEnv(env: NodeJS.ProcessEnv = process.env): CompletionsDependencies & { readLimitsUsage: LimitsWiring['readUsage'] } {
  const keySettings = keyStoreSettingsFromEnv(env);
  const limits = limitsFromEnv(env, keySettings);
  return {
    customHostGuard: createCustomHostGuard(env.GATEWAY_ALLOWED_CUSTOM_HOSTS, { defaultAllowed: '' }),
    keyStore: createKeyStore(keySettings),
    middlewares: [limits.middleware],
    afterResponse: limits.settled,
    readLimitsUsage: limits.readUsage,
  };
}
