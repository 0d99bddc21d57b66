/**
 * Completes one request against one provider: a single upstream call where the provider can
 * express the request, several (fan-out) where the gateway must emulate what it lacks —
 * prompt arrays, `n`, `echo` (see plan-fan-out.ts) — merged back into one OpenAI answer.
 */
import { callProvider, type ProviderResult } from './call-provider.ts';
import { fanOutCompletion } from './fan-out-completion.ts';
import { isPassThrough, planFanOut } from './plan-fan-out.ts';
import type { Provider, ProviderCall } from './provider.ts';

/**
 * @throws UnsupportedParameterError (400) for token prompts the provider cannot take, and in
 *   strict mode for any parameter that would be dropped or clamped; upstream errors as they come.
 */
export async function completeWithProvider(
  provider: Provider,
  call: ProviderCall,
  options: { signal?: AbortSignal | undefined },
): Promise<ProviderResult> {
  const plan = planFanOut(provider, call);
  if (isPassThrough(plan, call)) {
    const result = await callProvider(provider, call, options);
    return plan.warnings.length > 0 ? { ...result, warnings: [...plan.warnings, ...result.warnings] } : result;
  }
  return fanOutCompletion(plan, call.stream, (planned, signal) => callProvider(provider, planned.call, { signal }), options);
}
