/**
 * Whether a request is cached, and for how long (DESIGN.md → Cache): a config node's `cache`
 * (already inherited down to the target: the child wins) or the headers `x-portkey-cache: simple`
 * with `cache-control: max-age=N`. Portkey's rules: 7 days by default, at least 60 s; the gateway
 * caps every age at `GATEWAY_CACHE_MAX_AGE_SECONDS` (default 90 days, Portkey's own maximum).
 * @see https://portkey.ai/docs/product/ai-gateway/cache-simple-and-semantic
 */
import { InvalidRequestError } from '../api/errors.ts';

export const CACHE_HEADER = 'x-portkey-cache';
export const CACHE_FORCE_REFRESH_HEADER = 'x-portkey-cache-force-refresh';
export const CACHE_STATUS_HEADER = 'x-portkey-cache-status';

/** `x-portkey-cache-status` and the usage record's `cache` field. */
export type CacheStatus = 'HIT' | 'MISS' | 'REFRESH' | 'DISABLED';

/** A config node's `cache` (routing-config.ts validates it: mode, max_age ≥ 0). */
export interface CacheConfig {
  mode: 'simple' | 'semantic';
  max_age?: number;
}

export type CacheSettings =
  | { enabled: false }
  | {
      enabled: true;
      /** How long a stored answer may be served, after the minimum and the gateway's maximum. */
      maxAgeSeconds: number;
      /** `x-portkey-cache-force-refresh: true`: skip the read, store the fresh answer. */
      forceRefresh: boolean;
      /** Set when the asked age was raised to the minimum or lowered to the maximum (for the log). */
      adjusted?: 'raised-to-minimum' | 'lowered-to-maximum';
    };

export interface CacheAgeLimits {
  defaultSeconds: number;
  minimumSeconds: number;
  maximumSeconds: number;
}

export const PORTKEY_CACHE_AGE_LIMITS: CacheAgeLimits = {
  defaultSeconds: 7 * 24 * 3600,
  minimumSeconds: 60,
  maximumSeconds: 90 * 24 * 3600,
};

/** `GATEWAY_CACHE_MAX_AGE_SECONDS` lowers (or raises) the maximum; the default stays 7 days unless above it. */
export function cacheAgeLimitsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): CacheAgeLimits {
  const text = env.GATEWAY_CACHE_MAX_AGE_SECONDS;
  if (text === undefined || text === '') return PORTKEY_CACHE_AGE_LIMITS;
  const maximum = Number(text);
  if (!Number.isInteger(maximum) || maximum < PORTKEY_CACHE_AGE_LIMITS.minimumSeconds) {
    throw new Error(`GATEWAY_CACHE_MAX_AGE_SECONDS must be a whole number of seconds ≥ ${PORTKEY_CACHE_AGE_LIMITS.minimumSeconds}, got ${text}`);
  }
  return { ...PORTKEY_CACHE_AGE_LIMITS, maximumSeconds: maximum, defaultSeconds: Math.min(PORTKEY_CACHE_AGE_LIMITS.defaultSeconds, maximum) };
}

/** Config inheritance for `cache`: the child's object replaces the parent's whole (no field merge). */
export function inheritCacheConfig(parent: CacheConfig | undefined, child: CacheConfig | undefined): CacheConfig | undefined {
  return child ?? parent;
}

/**
 * The cache settings of one target. The config's `cache` wins over the headers (as every config
 * field does in Portkey); force refresh comes from its header either way.
 * @throws InvalidRequestError (400) for `mode: "semantic"` and for an unknown `x-portkey-cache`.
 * @example resolveCacheSettings({ headers: { 'x-portkey-cache': 'simple', 'cache-control': 'max-age=600' } })
 *   // { enabled: true, maxAgeSeconds: 600, forceRefresh: false }
 */
export function resolveCacheSettings(
  input: { config?: CacheConfig | undefined; headers: Readonly<Record<string, string | undefined>> },
  limits: CacheAgeLimits = PORTKEY_CACHE_AGE_LIMITS,
): CacheSettings {
  const { config, headers } = input;
  let askedSeconds: number | undefined;
  if (config) {
    if (config.mode === 'semantic') throw semanticNotSupported('cache.mode');
    askedSeconds = config.max_age;
  } else {
    const mode = headers[CACHE_HEADER]?.trim().toLowerCase();
    // "false" is what a client sends for "no cache" when it always sets the header.
    if (!mode || mode === 'false') return { enabled: false };
    if (mode === 'semantic') throw semanticNotSupported(CACHE_HEADER);
    if (mode !== 'simple') {
      throw new InvalidRequestError(`${CACHE_HEADER} must be "simple" (the gateway has no other cache mode).`, { param: CACHE_HEADER, code: 'invalid_cache_mode' });
    }
    askedSeconds = readMaxAge(headers['cache-control']);
  }
  const forceRefresh = headers[CACHE_FORCE_REFRESH_HEADER]?.trim().toLowerCase() === 'true';
  if (askedSeconds === undefined) return { enabled: true, maxAgeSeconds: limits.defaultSeconds, forceRefresh };
  const whole = Math.floor(askedSeconds);
  if (whole < limits.minimumSeconds) return { enabled: true, maxAgeSeconds: limits.minimumSeconds, forceRefresh, adjusted: 'raised-to-minimum' };
  if (whole > limits.maximumSeconds) return { enabled: true, maxAgeSeconds: limits.maximumSeconds, forceRefresh, adjusted: 'lowered-to-maximum' };
  return { enabled: true, maxAgeSeconds: whole, forceRefresh };
}

/**
 * What one target asks of the cache before the gateway's limits are applied: its config `cache`
 * after inheritance (the headers' form is the root's default, so a config's `cache` wins) and
 * whether the request asked to refresh. Routing carries it to the seam without reading it.
 */
export interface CacheRequest {
  config: CacheConfig | undefined;
  forceRefresh: boolean;
}

export const NO_CACHE_REQUEST: CacheRequest = { config: undefined, forceRefresh: false };

/**
 * The cache headers of a request, read once (lib/config/read-request-options.ts) and checked at
 * once: an unknown or semantic `x-portkey-cache` is a 400 before anything is routed.
 * @example readCacheHeaders({ 'x-portkey-cache': 'simple', 'cache-control': 'max-age=600' })
 *   // { config: { mode: 'simple', max_age: 600 }, forceRefresh: false }
 */
export function readCacheHeaders(headers: Readonly<Record<string, string | undefined>>): CacheRequest {
  const forceRefresh = headers[CACHE_FORCE_REFRESH_HEADER]?.trim().toLowerCase() === 'true';
  const mode = headers[CACHE_HEADER]?.trim().toLowerCase();
  if (!mode || mode === 'false') return forceRefresh ? { config: undefined, forceRefresh } : NO_CACHE_REQUEST;
  // Validates the mode (400s) the same way a lookup would.
  resolveCacheSettings({ headers });
  const maxAge = readMaxAge(headers['cache-control']);
  return { config: maxAge === undefined ? { mode: 'simple' } : { mode: 'simple', max_age: maxAge }, forceRefresh };
}

/** The settings of one target from what routing carried (see `CacheRequest`). */
export function cacheSettingsOf(request: CacheRequest, limits: CacheAgeLimits = PORTKEY_CACHE_AGE_LIMITS): CacheSettings {
  return resolveCacheSettings({ config: request.config, headers: request.forceRefresh ? FORCE_REFRESH_HEADERS : NO_HEADERS }, limits);
}

const FORCE_REFRESH_HEADERS = { [CACHE_FORCE_REFRESH_HEADER]: 'true' };
const NO_HEADERS = {};

/** The status a request has before its answer is known: a lookup turns MISS into HIT. */
export function initialCacheStatus(settings: CacheSettings): Exclude<CacheStatus, 'HIT'> {
  if (!settings.enabled) return 'DISABLED';
  return settings.forceRefresh ? 'REFRESH' : 'MISS';
}

/**
 * `max-age=N` from a Cache-Control value. Callers send this header for other reasons too, so a
 * value without a readable max-age means "the default age", never a 400.
 */
function readMaxAge(cacheControl: string | undefined): number | undefined {
  if (!cacheControl) return undefined;
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?\s*(?:,|$)/i.exec(cacheControl);
  return match ? Number(match[1]) : undefined;
}

function semanticNotSupported(param: string): InvalidRequestError {
  return new InvalidRequestError('The semantic cache is not supported by this gateway; use the "simple" mode.', {
    param,
    code: 'unsupported_cache_mode',
  });
}
