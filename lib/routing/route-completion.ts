/**
 * Chooses the target(s) for a request and attempts them. Today: the single target that the
 * request headers describe; fallback, load balancing and retries plug in here.
 */
import type { CompletionRequest } from '../api/completion-request.ts';
import { InvalidRequestError } from '../api/errors.ts';
import type { CustomHostGuard } from '../config/custom-host-guard.ts';
import { pickForwardedHeaders, type Headers } from '../config/target-from-headers.ts';
import type { ProviderTarget } from '../config/target.ts';
import type { ProviderResult } from '../providers/call-provider.ts';
import { completeWithProvider } from '../providers/complete-with-provider.ts';
import type { CallerIdentity, KeyStore } from '../keys/key-store.ts';
import { resolveTargetKeys } from '../keys/resolve-target-keys.ts';
import { findProvider, providers } from '../providers/registry.ts';

export interface RouteContext {
  headers: Headers;
  customHostGuard: CustomHostGuard;
  keyStore?: KeyStore | undefined;
  caller: CallerIdentity;
  signal?: AbortSignal | undefined;
}

export interface RoutedResult {
  result: ProviderResult;
  target: ProviderTarget;
  /** Portkey's path of the target that answered, e.g. `config.targets[1]`; absent without a config. */
  lastUsedOptionIndex?: string;
  retryAttemptCount: number;
}

export async function routeCompletion(
  fields: Partial<ProviderTarget>,
  params: CompletionRequest,
  context: RouteContext,
): Promise<RoutedResult> {
  const target = completeTarget(await resolveTargetKeys(fields, context), context.customHostGuard);
  const provider = findProvider(target.provider)!;
  const result = await completeWithProvider(
    provider,
    {
      params,
      target,
      stream: params.stream === true,
      forwardedHeaders: pickForwardedHeaders(context.headers, target.forward_headers),
      strict: context.headers['x-portkey-strict-params'] === 'true',
    },
    { signal: context.signal },
  );
  return { result, target, retryAttemptCount: 0 };
}

/** Checks that a target names a known provider and an allowed custom host. */
export function completeTarget(fields: Partial<ProviderTarget>, guard: CustomHostGuard, path = 'x-portkey-provider'): ProviderTarget {
  if (!fields.provider) {
    throw new InvalidRequestError('Choose a provider with the x-portkey-provider header (or x-portkey-config).', {
      param: path,
      code: 'missing_provider',
    });
  }
  if (!findProvider(fields.provider)) {
    throw new InvalidRequestError(`Unknown provider "${fields.provider}"; known: ${Object.keys(providers).join(', ')}.`, {
      param: path,
      code: 'unknown_provider',
    });
  }
  if (fields.custom_host) guard.check(fields.custom_host);
  return fields as ProviderTarget;
}
