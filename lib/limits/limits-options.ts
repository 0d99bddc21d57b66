/** Reads the limits' environment: `GATEWAY_LIMITS_ON_STORE_ERROR` = `allow` (default) or `deny`. */
import type { StoreErrorPolicy } from './create-limiter.ts';

export const LIMITS_ON_STORE_ERROR_ENV = 'GATEWAY_LIMITS_ON_STORE_ERROR';

/** @throws Error for any other value: a typo must not silently pick a policy. */
export function readStoreErrorPolicy(env: Record<string, string | undefined> = process.env): StoreErrorPolicy {
  const value = env[LIMITS_ON_STORE_ERROR_ENV]?.trim().toLowerCase();
  if (value === undefined || value === '' || value === 'allow') return 'allow';
  if (value === 'deny') return 'deny';
  throw new Error(`${LIMITS_ON_STORE_ERROR_ENV} must be "allow" or "deny", not "${value}".`);
}
