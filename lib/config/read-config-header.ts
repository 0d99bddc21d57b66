/**
 * `x-portkey-config` holds inline JSON or, like Portkey's `pc-…` ids, the id of a stored config.
 * A value that starts with `{` is JSON; anything else is an id looked up in the key store.
 */
import { InvalidRequestError } from '../api/errors.ts';
import type { CallerIdentity, KeyStore } from '../keys/key-store.ts';
import type { CustomHostGuard } from './custom-host-guard.ts';
import { CONFIG_HEADER, parseConfig } from './parse-config.ts';
import type { RoutingConfig } from './routing-config.ts';

/** Same alphabet as a Secrets Manager name segment, so an id cannot walk out of `configs/`. */
const CONFIG_ID = /^[\w.@+=-]{1,128}$/;

/**
 * @returns the validated config, or undefined when the header is absent or blank.
 * @throws InvalidRequestError for malformed JSON, a bad id, or an invalid config;
 *   the key store's AuthenticationError (404 / 403) for an unknown or forbidden id.
 */
export async function readConfigHeader(
  value: string | undefined,
  context: { customHostGuard: CustomHostGuard; keyStore?: KeyStore | undefined; caller: CallerIdentity },
): Promise<RoutingConfig | undefined> {
  const text = value?.trim();
  if (!text) return undefined;
  if (text.startsWith('{')) return parseConfig(parseJson(text, 'is not valid JSON'), { customHostGuard: context.customHostGuard });

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
  // Hosts in a stored config pass the guard too: the guard is cheap, and a config secret is
  // edited far more casually than a key secret.
  return parseConfig(typeof stored === 'string' ? parseJson(stored, `stored as "${text}" is not valid JSON`) : stored, {
    customHostGuard: context.customHostGuard,
  });
}

function parseJson(text: string, problem: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError(`${CONFIG_HEADER} ${problem}.`, { param: CONFIG_HEADER, code: 'invalid_config' });
  }
}
