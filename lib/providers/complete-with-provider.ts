/**
 * Completes one request against one provider: a single upstream call where the provider can
 * express the request, several (fan-out) where the gateway must emulate what it lacks —
 * prompt arrays, `n`, `echo` (see plan-fan-out.ts) — merged back into one OpenAI answer.
 * Parameters are mapped once, by the plan, for every call it makes.
 */
import { buildUpstreamRequest } from './build-upstream-request.ts';
import { callProvider, type ProviderResult } from './call-provider.ts';
import { fanOutCompletion } from './fan-out-completion.ts';
import type { MappingWarning } from './map-parameters.ts';
import { engineSettings } from './engine-settings.ts';
import { checkFanOutSize, isPassThrough, planFanOut } from './plan-fan-out.ts';
import type { Provider, ProviderCall } from './provider.ts';
import type { UpstreamRequest } from '../upstream/upstream-request.ts';

export type { ProviderResult } from './call-provider.ts';

/**
 * @throws InvalidRequestError (400) for more completions than GATEWAY_MAX_FAN_OUT, before planning;
 *   UnsupportedParameterError (400) for token prompts the provider cannot take, and in
 *   strict mode for any parameter that would be dropped or clamped; upstream errors as they come.
 */
export async function completeWithProvider(
  provider: Provider,
  call: ProviderCall,
  options: { signal?: AbortSignal | undefined },
): Promise<ProviderResult> {
  checkFanOutSize(call.params, engineSettings.maxFanOut);
  const plan = planFanOut(provider, call);
  if (isPassThrough(plan, call)) return callProvider(provider, call, plan.mapped, { signal: options.signal, warnings: plan.warnings });
  return fanOutCompletion(plan, call.stream, (planned, signal) => callProvider(provider, planned.call, plan.mapped, { signal }), options);
}

/**
 * The upstream request the first call of a plan would send, and what planning and mapping
 * reported. For tests and tools that look at requests without sending them.
 * @throws (rejects) like `completeWithProvider` for what cannot be expressed.
 */
export async function buildProviderRequest(provider: Provider, call: ProviderCall): Promise<{ request: UpstreamRequest; warnings: MappingWarning[] }> {
  checkFanOutSize(call.params, engineSettings.maxFanOut);
  const plan = planFanOut(provider, call);
  return { request: await buildUpstreamRequest(provider, plan.callAt(0).call, plan.mapped), warnings: plan.warnings };
}
