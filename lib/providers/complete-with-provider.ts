/**
 * Completes one request against one provider: a single upstream call where the provider can
 * express the request, several (fan-out) where the gateway must emulate what it lacks.
 */
import { callProvider, type ProviderResult } from './call-provider.ts';
import type { Provider, ProviderCall } from './provider.ts';

export function completeWithProvider(
  provider: Provider,
  call: ProviderCall,
  options: { signal?: AbortSignal | undefined },
): Promise<ProviderResult> {
  return callProvider(provider, call, options);
}
