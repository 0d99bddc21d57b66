/**
 * The request one call would send, built without sending it: the response cache keys on the
 * upstream URL and body after overrides and mapping (lib/cache/cache-key.ts).
 */
import type { UpstreamRequest } from '../upstream/upstream-request.ts';
import { buildUpstreamRequest } from './build-upstream-request.ts';
import { mapParameters } from './map-parameters.ts';
import { selectParameters } from './plan-fan-out.ts';
import type { Provider, ProviderCall } from './provider.ts';

export function previewUpstreamRequest(provider: Provider, call: ProviderCall): UpstreamRequest | Promise<UpstreamRequest> {
  const { table, label } = selectParameters(provider, call);
  return buildUpstreamRequest(provider, call, mapParameters(call.params, table, { provider: label }).body);
}
