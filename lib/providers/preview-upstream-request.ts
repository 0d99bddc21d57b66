/**
 * The request one call would send, built without sending (and without signing: a signature only
 * adds headers): the response cache keys on the upstream URL and body after overrides and mapping
 * (lib/cache/cache-key.ts). Where the engine fans a call out (prompt arrays, emulated `n`, `echo`;
 * plan-fan-out.ts) this is the request of the call as a whole, whose body may not carry what the
 * fan-out varies: the cache adds those parameters to its key itself.
 */
import type { UpstreamRequest } from '../upstream/upstream-request.ts';
import { buildUnsignedUpstreamRequest } from './build-upstream-request.ts';
import { mapParameters } from './map-parameters.ts';
import { selectParameters } from './plan-fan-out.ts';
import type { Provider, ProviderCall } from './provider.ts';

export function previewUpstreamRequest(provider: Provider, call: ProviderCall): UpstreamRequest {
  const { table, label } = selectParameters(provider, call);
  return buildUnsignedUpstreamRequest(provider, call, mapParameters(call.params, table, { provider: label }).body);
}
