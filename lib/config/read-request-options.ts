/**
 * The one place a request's `x-portkey-*` headers are read. Everything below it (config,
 * routing, providers) gets typed options, never the raw headers.
 */
import { readCacheHeaders, type CacheRequest } from '../cache/cache-settings.ts';
import { readMetadataHeader } from './read-metadata-header.ts';
import { targetFieldsFromHeaders, type Headers } from './target-from-headers.ts';
import type { ProviderTarget } from './target.ts';

export interface RequestOptions {
  /** The target the plain headers describe: the root default of every config target. */
  targetDefaults: Partial<ProviderTarget>;
  /** `x-portkey-config`, inline JSON or a stored config id; not yet parsed. */
  config: string | undefined;
  /** `x-portkey-metadata`, for conditional routing. */
  metadata: Record<string, unknown>;
  /** `x-portkey-strict-params: true`: refuse (400) instead of dropping or clamping. */
  strict: boolean;
  /** `x-portkey-cache` (+ `cache-control: max-age`) as the root's cache, and `x-portkey-cache-force-refresh`. */
  cache: CacheRequest;
  /** Every caller header a target may forward (`forward_headers` picks from these). */
  headers: Headers;
}

/**
 * @throws InvalidRequestError (400) for a malformed header, `x-portkey-cache: semantic` (not supported) among them.
 * @example readRequestOptions({ 'x-portkey-provider': 'openai', authorization: 'Bearer sk-…' }).targetDefaults
 *   // { provider: 'openai', api_key: 'sk-…' }
 */
export function readRequestOptions(headers: Headers): RequestOptions {
  const targetDefaults = targetFieldsFromHeaders(headers);
  return {
    targetDefaults,
    config: headers['x-portkey-config']?.trim() || undefined,
    metadata: readMetadataHeader(headers['x-portkey-metadata']),
    strict: headers['x-portkey-strict-params'] === 'true',
    cache: readCacheHeaders(headers),
    headers,
  };
}
