/**
 * `x-portkey-config` holds inline JSON or, like Portkey's `pc-…` ids, the id of a stored config.
 * A value that starts with `{` is JSON; anything else is an id looked up in the key store.
 */
import { InvalidRequestError } from '../api/errors.ts';
import type { CallerIdentity, KeyStore } from '../keys/key-store.ts';
import type { CustomHostGuard } from './custom-host-guard.ts';
import { checkConfigBounds, CONFIG_HEADER, parseConfig } from './parse-config.ts';
import type { RoutingConfig } from './routing-config.ts';
import { loadLinearRegex } from '../routing/linear-regex.ts';

/** A config that mentions it needs the regex engine, which loads on first need (lib/routing/linear-regex.ts). */
const REGEX_OPERATOR = '$regex';

/** Same alphabet as a Secrets Manager name segment, so an id cannot walk out of `configs/`. */
const CONFIG_ID = /^[\w.@+=-]{1,128}$/;

/**
 * Valid configs by their header text. SDK clients send the same config with every request, and
 * validation is most of routing's own cost (see bench/measure-config-planning.ts); a hit costs a map
 * look-up. Bounded, least recently used out first; failures are never cached. Per guard, since
 * the guard's verdict is part of validity.
 */
const MAX_CACHED_CONFIGS = 256;
const inlineCache = new WeakMap<CustomHostGuard, Map<string, RoutingConfig>>();
/** Stored configs by the key store's (cached) value object, so a rotated secret is parsed anew. */
const storedCache = new WeakMap<object, RoutingConfig>();

/**
 * @returns the validated config (frozen: it is shared between requests), or undefined when the
 *   header is absent or blank.
 * @throws InvalidRequestError for malformed JSON, a bad id, or an invalid config;
 *   the key store's AuthenticationError (404 / 403) for an unknown or forbidden id.
 */
export async function readConfigHeader(
  value: string | undefined,
  context: { customHostGuard: CustomHostGuard; keyStore?: KeyStore | undefined; caller: CallerIdentity },
): Promise<RoutingConfig | undefined> {
  const text = value?.trim();
  if (!text) return undefined;
  if (text.startsWith('{')) return parseInline(text, context.customHostGuard);

  if (!CONFIG_ID.test(text)) {
    throw new InvalidRequestError(`${CONFIG_HEADER} must be a JSON object or the id of a stored config.`, { param: CONFIG_HEADER, code: 'invalid_config' });
  }
  if (!context.keyStore) {
    throw new InvalidRequestError(`Stored configs are not configured on this gateway; send the config as inline JSON in ${CONFIG_HEADER}.`, {
      param: CONFIG_HEADER,
      code: 'stored_configs_unavailable',
    });
  }
  const stored = await context.keyStore.getConfig(text, context.caller);
  if (typeof stored === 'string') return parseInline(stored, context.customHostGuard, `stored as "${text}" is not valid JSON`);
  if (typeof stored !== 'object' || stored === null) return parseConfig(stored, { customHostGuard: context.customHostGuard });
  let config = storedCache.get(stored);
  if (!config) {
    await loadRegexEngineIfUsed(stored);
    // Hosts in a stored config pass the guard too: the guard is cheap, and a config secret is
    // edited far more casually than a key secret.
    config = deepFreeze(parseConfig(stored, { customHostGuard: context.customHostGuard }));
    storedCache.set(stored, config);
  }
  return config;
}

async function parseInline(text: string, customHostGuard: CustomHostGuard, problem = 'is not valid JSON'): Promise<RoutingConfig> {
  let cache = inlineCache.get(customHostGuard);
  if (!cache) inlineCache.set(customHostGuard, (cache = new Map()));
  const cached = cache.get(text);
  if (cached) {
    cache.delete(text);
    cache.set(text, cached);
    return cached;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidRequestError(`${CONFIG_HEADER} ${problem}.`, { param: CONFIG_HEADER, code: 'invalid_config' });
  }
  await loadRegexEngineIfUsed(raw);
  const config = deepFreeze(parseConfig(raw, { customHostGuard }));
  cache.set(text, config);
  if (cache.size > MAX_CACHED_CONFIGS) cache.delete(cache.keys().next().value!);
  return config;
}

/**
 * Looked for in the parsed value, not the text: JSON may spell the key `"\u0024regex"`. Runs only
 * when a config is parsed, not on a cache hit.
 */
async function loadRegexEngineIfUsed(raw: unknown): Promise<void> {
  // Bounded first: stringify recurses.
  checkConfigBounds(raw);
  if (JSON.stringify(raw)?.includes(REGEX_OPERATOR)) await loadLinearRegex();
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
