/**
 * The one place a request's `x-portkey-*` headers are read. Everything below it (config,
 * routing, providers) gets typed options, never the raw headers.
 */
import { InvalidRequestError } from '../api/errors.ts';
import { readMetadataHeader } from './read-metadata-header.ts';
import { targetFieldsFromHeaders, type Headers } from './target-from-headers.ts';
import type { ProviderTarget } from './target.ts';

/** The response cache's headers; refused until the cache is built (the cache issue replaces this). */
const CACHE_HEADERS = ['x-portkey-cache', 'x-portkey-cache-force-refresh'] as const;

export interface RequestOptions {
  /** The target the plain headers describe: the root default of every config target. */
  targetDefaults: Partial<ProviderTarget>;
  /** `x-portkey-config`, inline JSON or a stored config id; not yet parsed. */
  config: string | undefined;
  /** `x-portkey-metadata`, for conditional routing. */
  metadata: Record<string, unknown>;
  /** `x-portkey-strict-params: true`: refuse (400) instead of dropping or clamping. */
  strict: boolean;
  /** Every caller header a target may forward (`forward_headers` picks from these). */
  headers: Headers;
}

/**
 * @throws InvalidRequestError (400) for a malformed header, or a cache request (the cache is not built yet: nothing may be accepted and ignored).
 * @example readRequestOptions({ 'x-portkey-provider': 'openai', authorization: 'Bearer sk-…' }).targetDefaults
 *   // { provider: 'openai', api_key: 'sk-…' }
 */
export function readRequestOptions(headers: Headers): RequestOptions {
  const targetDefaults = targetFieldsFromHeaders(headers);
  for (const header of CACHE_HEADERS) {
    if (headers[header] && headers[header] !== 'false') {
      throw new InvalidRequestError(`${header} is not supported by this gateway yet; send the request without it.`, { param: header, code: 'cache_not_supported' });
    }
  }
  return {
    targetDefaults,
    config: headers['x-portkey-config']?.trim() || undefined,
    metadata: readMetadataHeader(headers['x-portkey-metadata']),
    strict: headers['x-portkey-strict-params'] === 'true',
    headers,
  };
}
