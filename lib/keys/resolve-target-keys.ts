import { InvalidRequestError, toGatewayError } from '../api/errors.ts';
import { CREDENTIAL_FIELDS, type ProviderTarget } from '../config/target.ts';
import { TargetUnavailableError } from './key-errors.ts';
import type { CallerIdentity, KeyStore } from './key-store.ts';
import { markCustomHostTrusted } from './trusted-custom-host.ts';

/** Fields that choose the host a credential is sent to (Azure's host is `{resource}.openai.azure.com`). */
const HOST_FIELDS = ['custom_host', 'azure_resource_name'] as const satisfies ReadonlyArray<keyof ProviderTarget>;

/**
 * Fills a target's credentials from its virtual key, if it names one. Called per attempt,
 * so only targets that are actually tried cost a secret look-up. A failed look-up is the
 * target's own failure (`TargetUnavailableError`), which fallback moves on from.
 *
 * The target's own fields win over the secret's (model settings, timeouts, API versions,
 * regions), except where that would misuse the stored credential:
 * - the secret's `provider` and credentials win: a virtual key is a provider and its key, and the
 *   openai SDK always sends some `Authorization`, which must not replace the stored key;
 * - a caller cannot send a stored credential to a host of its choosing: a `custom_host` (or
 *   `azure_resource_name`) that differs from the secret's is refused with 400, not ignored,
 *   so the caller learns why its host is not used;
 * - a `custom_host` taken from the secret is trusted (the custom-host guard skips it).
 *
 * @example
 * // secret llm-gateway/prod: {"provider":"openai","api_key":"sk-…"}
 * await resolveTargetKeys({ virtual_key: 'prod', api_key: 'unused', request_timeout: 5000 }, { keyStore, caller })
 * // → { provider: 'openai', api_key: 'sk-…', request_timeout: 5000, virtual_key: 'prod' }
 */
export async function resolveTargetKeys(
  target: Partial<ProviderTarget>,
  context: { keyStore?: KeyStore | undefined; caller: CallerIdentity },
): Promise<Partial<ProviderTarget>> {
  if (!target.virtual_key) return target;
  if (!context.keyStore) {
    throw new InvalidRequestError('Virtual keys are not configured on this gateway.', { param: 'x-portkey-virtual-key' });
  }
  let stored: Partial<ProviderTarget>;
  try {
    stored = await context.keyStore.getVirtualKey(target.virtual_key, context.caller);
  } catch (error) {
    throw new TargetUnavailableError(toGatewayError(error));
  }
  return mergeStoredTarget(stored, target);
}

/** The merge rules above, without the look-up. */
export function mergeStoredTarget(stored: Partial<ProviderTarget>, target: Partial<ProviderTarget>): Partial<ProviderTarget> {
  const holdsCredential = CREDENTIAL_FIELDS.some((field) => stored[field] !== undefined);
  const merged: Partial<ProviderTarget> = { ...stored, ...target };
  if (stored.provider !== undefined) merged.provider = stored.provider;
  if (holdsCredential) {
    for (const field of CREDENTIAL_FIELDS) {
      if (stored[field] === undefined) delete merged[field];
      else merged[field] = stored[field];
    }
    for (const field of HOST_FIELDS) {
      if (target[field] !== undefined && target[field] !== stored[field]) {
        throw new InvalidRequestError(
          `The virtual key "${target.virtual_key}" holds a stored credential, which is only sent to the host its secret names; remove ${field}.`,
          { param: field, code: 'virtual_key_host_override' },
        );
      }
    }
  }
  return stored.custom_host !== undefined && merged.custom_host === stored.custom_host ? markCustomHostTrusted(merged) : merged;
}
