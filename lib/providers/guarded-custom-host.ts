/**
 * Carries the custom-host guard's address policy from where a target is resolved (routing) to
 * where its socket connects (the engine), like trusted-custom-host.ts carries trust: a
 * symbol-keyed property that object spread copies and JSON cannot forge, counting only while
 * `custom_host` is still the host that was checked.
 */
import type { ProviderTarget } from '../config/target.ts';
import type { AddressPolicy } from '../upstream/address-policy.ts';

const GUARDED = Symbol('guardedCustomHost');

type Marked = Partial<ProviderTarget> & { [GUARDED]?: { host: string; policy: AddressPolicy } };

/** Records that `target.custom_host` passed the guard whose address policy is `policy`. */
export function markCustomHostGuarded<T extends Partial<ProviderTarget>>(target: T, policy: AddressPolicy): T {
  if (target.custom_host !== undefined) (target as Marked)[GUARDED] = { host: target.custom_host, policy };
  return target;
}

/** The address policy of the guard that passed the target's current custom host, if one did. */
export function guardedAddressPolicy(target: Partial<ProviderTarget>): AddressPolicy | undefined {
  const mark = (target as Marked)[GUARDED];
  return mark !== undefined && mark.host === target.custom_host ? mark.policy : undefined;
}
