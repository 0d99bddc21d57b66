import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../api/errors.ts';
import { parseConfig } from '../config/parse-config.ts';
import {
  cacheAgeLimitsFromEnv,
  cacheSettingsOf,
  inheritCacheConfig,
  initialCacheStatus,
  PORTKEY_CACHE_AGE_LIMITS,
  readCacheHeaders,
  resolveCacheSettings,
  type CacheConfig,
} from './cache-settings.ts';

const WEEK = 7 * 24 * 3600;

describe('resolveCacheSettings', () => {
  it('is disabled without a config cache or x-portkey-cache', () => {
    expect(resolveCacheSettings({ headers: {} })).toEqual({ enabled: false });
    expect(resolveCacheSettings({ headers: { 'cache-control': 'max-age=600' } })).toEqual({ enabled: false });
    expect(initialCacheStatus(resolveCacheSettings({ headers: { 'x-portkey-cache-force-refresh': 'true' } }))).toBe('DISABLED');
  });

  it('takes the config form with its max_age', () => {
    expect(resolveCacheSettings({ config: { mode: 'simple', max_age: 600 }, headers: {} })).toEqual({ enabled: true, maxAgeSeconds: 600, forceRefresh: false });
  });

  it("uses Portkey's 7 days when no age is given", () => {
    expect(resolveCacheSettings({ config: { mode: 'simple' }, headers: {} })).toEqual({ enabled: true, maxAgeSeconds: WEEK, forceRefresh: false });
    expect(resolveCacheSettings({ headers: { 'x-portkey-cache': 'simple' } })).toEqual({ enabled: true, maxAgeSeconds: WEEK, forceRefresh: false });
  });

  it('takes the header form with cache-control max-age among other directives', () => {
    expect(resolveCacheSettings({ headers: { 'x-portkey-cache': 'simple', 'cache-control': 'max-age=600' } })).toMatchObject({ enabled: true, maxAgeSeconds: 600 });
    expect(resolveCacheSettings({ headers: { 'x-portkey-cache': 'Simple', 'cache-control': 'public, max-age=3600, must-revalidate' } })).toMatchObject({ maxAgeSeconds: 3600 });
    // s-maxage is another directive, not max-age.
    expect(resolveCacheSettings({ headers: { 'x-portkey-cache': 'simple', 'cache-control': 's-maxage=120' } })).toMatchObject({ maxAgeSeconds: WEEK });
    expect(resolveCacheSettings({ headers: { 'x-portkey-cache': 'simple', 'cache-control': 'max-age=soon' } })).toMatchObject({ maxAgeSeconds: WEEK });
  });

  it('raises an age below 60 s to 60 s and lowers one above the maximum, saying so', () => {
    expect(resolveCacheSettings({ config: { mode: 'simple', max_age: 5 }, headers: {} })).toEqual({ enabled: true, maxAgeSeconds: 60, forceRefresh: false, adjusted: 'raised-to-minimum' });
    expect(resolveCacheSettings({ config: { mode: 'simple', max_age: 0 }, headers: {} })).toMatchObject({ maxAgeSeconds: 60 });
    const limits = cacheAgeLimitsFromEnv({ GATEWAY_CACHE_MAX_AGE_SECONDS: '3600' });
    expect(resolveCacheSettings({ config: { mode: 'simple', max_age: 86400 }, headers: {} }, limits)).toMatchObject({ maxAgeSeconds: 3600, adjusted: 'lowered-to-maximum' });
    // The default never exceeds the maximum.
    expect(resolveCacheSettings({ config: { mode: 'simple' }, headers: {} }, limits)).toMatchObject({ maxAgeSeconds: 3600 });
    expect(resolveCacheSettings({ config: { mode: 'simple', max_age: 90.7 }, headers: {} })).toMatchObject({ maxAgeSeconds: 90 });
  });

  it('reads the gateway maximum from GATEWAY_CACHE_MAX_AGE_SECONDS and refuses a nonsense value', () => {
    expect(cacheAgeLimitsFromEnv({})).toEqual(PORTKEY_CACHE_AGE_LIMITS);
    expect(cacheAgeLimitsFromEnv({ GATEWAY_CACHE_MAX_AGE_SECONDS: '2592000' })).toEqual({ defaultSeconds: WEEK, minimumSeconds: 60, maximumSeconds: 2592000 });
    expect(() => cacheAgeLimitsFromEnv({ GATEWAY_CACHE_MAX_AGE_SECONDS: '10' })).toThrow(/GATEWAY_CACHE_MAX_AGE_SECONDS/);
    expect(() => cacheAgeLimitsFromEnv({ GATEWAY_CACHE_MAX_AGE_SECONDS: 'forever' })).toThrow(/GATEWAY_CACHE_MAX_AGE_SECONDS/);
  });

  it('lets the config win over the headers', () => {
    const headers = { 'x-portkey-cache': 'simple', 'cache-control': 'max-age=120' };
    expect(resolveCacheSettings({ config: { mode: 'simple', max_age: 900 }, headers })).toMatchObject({ maxAgeSeconds: 900 });
  });

  it('reads force refresh for either form', () => {
    const refresh = { 'x-portkey-cache-force-refresh': 'true' };
    const fromConfig = resolveCacheSettings({ config: { mode: 'simple' }, headers: refresh });
    const fromHeaders = resolveCacheSettings({ headers: { ...refresh, 'x-portkey-cache': 'simple' } });
    expect(fromConfig).toMatchObject({ forceRefresh: true });
    expect(fromHeaders).toMatchObject({ forceRefresh: true });
    expect(initialCacheStatus(fromConfig)).toBe('REFRESH');
    expect(initialCacheStatus(resolveCacheSettings({ config: { mode: 'simple' }, headers: { 'x-portkey-cache-force-refresh': 'false' } }))).toBe('MISS');
  });

  it('answers a 400 naming the field for the semantic mode, in either form', () => {
    for (const input of [{ config: { mode: 'semantic' } as CacheConfig, headers: {} }, { headers: { 'x-portkey-cache': 'semantic' } }]) {
      let thrown: unknown;
      try {
        resolveCacheSettings(input);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvalidRequestError);
      const error = thrown as InvalidRequestError;
      expect(error.statusCode).toBe(400);
      expect(error.message).toMatch(/semantic cache is not supported/);
      expect(error.toOpenAIError().error).toMatchObject({ code: 'unsupported_cache_mode', param: input.config ? 'cache.mode' : 'x-portkey-cache' });
    }
  });

  it('answers a 400 for an unknown x-portkey-cache value', () => {
    expect(() => resolveCacheSettings({ headers: { 'x-portkey-cache': 'always' } })).toThrow(InvalidRequestError);
  });
});

describe('readCacheHeaders', () => {
  it('reads the headers into the root cache and force refresh, refusing what it cannot honour', () => {
    expect(readCacheHeaders({})).toEqual({ config: undefined, forceRefresh: false });
    expect(readCacheHeaders({ 'x-portkey-cache': 'false' })).toEqual({ config: undefined, forceRefresh: false });
    expect(readCacheHeaders({ 'x-portkey-cache': 'simple' })).toEqual({ config: { mode: 'simple' }, forceRefresh: false });
    expect(readCacheHeaders({ 'x-portkey-cache': 'simple', 'cache-control': 'no-store, max-age=120', 'x-portkey-cache-force-refresh': 'true' })).toEqual({
      config: { mode: 'simple', max_age: 120 },
      forceRefresh: true,
    });
    expect(() => readCacheHeaders({ 'x-portkey-cache': 'semantic' })).toThrow(/semantic cache is not supported/);
    expect(() => readCacheHeaders({ 'x-portkey-cache': 'always' })).toThrow(InvalidRequestError);
  });

  it('gives the same settings as the headers read directly', () => {
    const headers = { 'x-portkey-cache': 'simple', 'cache-control': 'max-age=30', 'x-portkey-cache-force-refresh': 'true' };
    expect(cacheSettingsOf(readCacheHeaders(headers))).toEqual(resolveCacheSettings({ headers }));
    expect(cacheSettingsOf({ config: undefined, forceRefresh: true })).toEqual({ enabled: false });
  });
});

describe('inheritCacheConfig', () => {
  it('gives a target its parent cache unless it has its own, which replaces it whole', () => {
    const parent: CacheConfig = { mode: 'simple', max_age: 600 };
    expect(inheritCacheConfig(parent, undefined)).toBe(parent);
    expect(inheritCacheConfig(parent, { mode: 'simple' })).toEqual({ mode: 'simple' });
    expect(inheritCacheConfig(undefined, undefined)).toBeUndefined();
  });

  it('takes the cache of a parsed config, in snake_case or camelCase', () => {
    const config = parseConfig({ cache: { mode: 'simple', maxAge: 120 }, targets: [{ provider: 'openai' }, { provider: 'openai', cache: { mode: 'simple', max_age: 600 } }] });
    const [first, second] = config.targets!;
    expect(resolveCacheSettings({ config: inheritCacheConfig(config.cache, first!.cache), headers: {} })).toMatchObject({ maxAgeSeconds: 120 });
    expect(resolveCacheSettings({ config: inheritCacheConfig(config.cache, second!.cache), headers: {} })).toMatchObject({ maxAgeSeconds: 600 });
    // A semantic cache anywhere is refused when the config is parsed, and again if one ever reached a target.
    expect(() => parseConfig({ cache: { mode: 'simple' }, targets: [{ provider: 'openai' }, { provider: 'openai', cache: { mode: 'semantic' } }] })).toThrow(/semantic/);
    expect(() => resolveCacheSettings({ config: inheritCacheConfig(config.cache, { mode: 'semantic' }), headers: {} })).toThrow(/semantic/);
  });
});
