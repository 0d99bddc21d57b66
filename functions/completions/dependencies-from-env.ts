/**
 * The handler's dependencies as the deployed function builds them, from the environment, once
 * per container: the custom-host guard (`GATEWAY_ALLOWED_CUSTOM_HOSTS`, default none) and the
 * key store (lib/keys/create-key-store.ts). Tests build their own instead.
 */
import { createCustomHostGuard } from '../../lib/config/custom-host-guard.ts';
import { createKeyStore, keyStoreSettingsFromEnv } from '../../lib/keys/create-key-store.ts';
import type { CompletionsDependencies } from './handler.ts';

export function dependenciesFromEnv(env: NodeJS.ProcessEnv = process.env): CompletionsDependencies {
  return {
    customHostGuard: createCustomHostGuard(env.GATEWAY_ALLOWED_CUSTOM_HOSTS, { defaultAllowed: '' }),
    keyStore: createKeyStore(keyStoreSettingsFromEnv(env)),
  };
}
