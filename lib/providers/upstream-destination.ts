/**
 * Where one call may go, decided from trusted sources only and checked by the transport just
 * before it connects (lib/upstream/send-upstream.ts), whatever the URL builders did:
 * - the provider's own host: what the provider declares (`expectedHost`, for hosts built from
 *   target fields), else the host of its base URL;
 * - a custom host stored in a virtual key's secret: that host (operators wrote it);
 * - a caller's custom host: that host, which passed the custom-host guard, and its addresses
 *   checked at connect time against the guard's address policy. A caller's host that no guard
 *   passed (a tool calling the engine directly) gets the strictest policy: public addresses only.
 */
import type { ProviderTarget } from '../config/target.ts';
import { isCustomHostTrusted } from '../keys/trusted-custom-host.ts';
import { createAddressPolicy, type AddressPolicy } from '../upstream/address-policy.ts';
import { guardedAddressPolicy } from './guarded-custom-host.ts';
import type { Provider } from './provider.ts';

export interface UpstreamDestination {
  expectedHost: string | RegExp;
  addressPolicy?: AddressPolicy | undefined;
}

const PUBLIC_ADDRESSES_ONLY = createAddressPolicy([]);

export function upstreamDestination(provider: Provider, target: ProviderTarget): UpstreamDestination {
  if (target.custom_host !== undefined) {
    const expectedHost = hostOf(target.custom_host);
    if (isCustomHostTrusted(target)) return { expectedHost };
    return { expectedHost, addressPolicy: guardedAddressPolicy(target) ?? PUBLIC_ADDRESSES_ONLY };
  }
  return { expectedHost: provider.expectedHost?.(target) ?? hostOf(provider.baseUrl(target)) };
}

/**
 * `new URL(text).host`, remembered by the text: a process calls a handful of base URLs and custom
 * hosts again and again, and need not parse one per call.
 * Bounded: a flood of distinct hosts only empties it. A text that does not parse throws each time.
 */
const hosts = new Map<string, string>();
const HOSTS_LIMIT = 256;

function hostOf(url: string): string {
  let host = hosts.get(url);
  if (host === undefined) {
    host = new URL(url).host;
    if (hosts.size >= HOSTS_LIMIT) hosts.clear();
    hosts.set(url, host);
  }
  return host;
}
