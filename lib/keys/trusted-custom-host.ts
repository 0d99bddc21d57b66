/**
 * Marks a target whose custom host came from a secret, so the custom-host guard lets it pass:
 * operators wrote it, callers did not (DESIGN.md: "A host stored in a secret is trusted").
 *
 * The mark is a symbol-keyed property holding the trusted host itself. Object spread copies it,
 * so it survives the routing's merges; JSON cannot produce it, so a caller cannot forge it; and
 * it only counts while `custom_host` still equals it, so a later override loses the trust.
 */
import type { ProviderTarget } from '../config/target.ts';

const TRUSTED_CUSTOM_HOST = Symbol('trustedCustomHost');

type Marked = Partial<ProviderTarget> & { [TRUSTED_CUSTOM_HOST]?: string };

export function markCustomHostTrusted<T extends Partial<ProviderTarget>>(target: T): T {
  if (target.custom_host !== undefined) (target as Marked)[TRUSTED_CUSTOM_HOST] = target.custom_host;
  return target;
}

/** True when the target's custom host is the one a secret supplied. */
export function isCustomHostTrusted(target: Partial<ProviderTarget>): boolean {
  const trusted = (target as Marked)[TRUSTED_CUSTOM_HOST];
  return trusted !== undefined && trusted === target.custom_host;
}
