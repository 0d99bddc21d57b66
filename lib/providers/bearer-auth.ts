import type { ProviderTarget } from '../config/target.ts';

/** `Authorization: Bearer <key>`, the header most providers take; none without a key (a local server). */
export function bearerAuth(target: ProviderTarget): Record<string, string> {
  return target.api_key ? { authorization: `Bearer ${target.api_key}` } : {};
}
