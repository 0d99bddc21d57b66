/**
 * Resolves one target when it is tried, once per attempt: fills its keys from its virtual key,
 * looks its provider up and checks its custom host. Only targets actually tried cost a secret
 * look-up.
 */
import { InvalidRequestError } from '../api/errors.ts';
import type { CustomHostGuard } from '../config/custom-host-guard.ts';
import type { ProviderTarget } from '../config/target.ts';
import type { CallerIdentity, KeyStore } from '../keys/key-store.ts';
import { resolveTargetKeys } from '../keys/resolve-target-keys.ts';
import { isCustomHostTrusted } from '../keys/trusted-custom-host.ts';
import { markCustomHostGuarded } from '../providers/guarded-custom-host.ts';
import { loadProvider, providerNames } from '../providers/provider-lookup.ts';
import type { Provider } from '../providers/provider.ts';

export interface ResolvedTarget {
  provider: Provider;
  target: ProviderTarget;
}

export interface ResolveTargetContext {
  customHostGuard: CustomHostGuard;
  keyStore?: KeyStore | undefined;
  caller: CallerIdentity;
}

/**
 * @param path Portkey's path of the target, named in errors; undefined for the plain headers.
 * @throws InvalidRequestError (400) for a missing or unknown provider or a refused host; the key
 *   store's errors (404, 403, 500, 503) for the virtual key, which fallback moves on from.
 */
export async function resolveTarget(fields: Partial<ProviderTarget>, path: string | undefined, context: ResolveTargetContext): Promise<ResolvedTarget> {
  const target = await resolveTargetKeys(fields, context);
  const param = path ? 'x-portkey-config' : 'x-portkey-provider';
  if (!target.provider) {
    throw new InvalidRequestError('Choose a provider with the x-portkey-provider header (or x-portkey-config).', { param, code: 'missing_provider' });
  }
  const provider = await loadProvider(target.provider);
  if (!provider) {
    throw new InvalidRequestError(`Unknown provider "${target.provider}"; known: ${providerNames.join(', ')}.`, { param, code: 'unknown_provider' });
  }
  // A host from a virtual key's secret was written by operators, not callers (lib/keys/trusted-custom-host.ts).
  // A caller's host: checked now by name, and its addresses when the socket connects (the mark).
  if (target.custom_host && !isCustomHostTrusted(target)) {
    checkCustomHost(context.customHostGuard, target.custom_host);
    markCustomHostGuarded(target, context.customHostGuard.addresses);
  }
  return { provider, target: target as ProviderTarget };
}

/**
 * Hosts each guard has passed. A guard's verdict on a host's text never changes (the addresses it
 * resolves to are checked at connect time, not here), a caller sends the same host with every
 * request, and a check parses it as a URL each time.
 * Refusals are not kept: they throw anew. Bounded: a flood of distinct hosts only empties it.
 */
const passedHosts = new WeakMap<CustomHostGuard, Set<string>>();
const PASSED_HOSTS_LIMIT = 256;

function checkCustomHost(guard: CustomHostGuard, host: string): void {
  let passed = passedHosts.get(guard);
  if (passed?.has(host)) return;
  guard.check(host);
  if (passed === undefined) passedHosts.set(guard, (passed = new Set()));
  if (passed.size >= PASSED_HOSTS_LIMIT) passed.clear();
  passed.add(host);
}
