import { InvalidRequestError } from '../api/errors.ts';
import type { ProviderTarget } from '../config/target.ts';
import type { CallerIdentity, KeyStore } from './key-store.ts';

/**
 * Fills a target's credentials from its virtual key, if it names one. Called per attempt,
 * so only targets that are actually tried cost a secret look-up.
 * The target's own fields win over the secret's.
 */
export async function resolveTargetKeys(
  target: Partial<ProviderTarget>,
  context: { keyStore?: KeyStore | undefined; caller: CallerIdentity },
): Promise<Partial<ProviderTarget>> {
  if (!target.virtual_key) return target;
  if (!context.keyStore) {
    throw new InvalidRequestError('Virtual keys are not configured on this gateway.', { param: 'x-portkey-virtual-key' });
  }
  const stored = await context.keyStore.getVirtualKey(target.virtual_key, context.caller);
  return { ...stored, ...target };
}
