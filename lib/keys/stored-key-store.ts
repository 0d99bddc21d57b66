/**
 * The one KeyStore implementation: what differs between Secrets Manager and the local file is
 * only how a named secret is read (`SecretSource`). Like Powertools' parameter providers, the
 * shared part owns validation, per-caller access and error mapping; sources only read.
 */
import { AuthenticationError } from '../api/errors.ts';
import { log } from '../log.ts';
import { isCallerAllowed } from './check-caller-access.ts';
import { SecretReadError, toKeyStoreError, type StoredKind } from './key-errors.ts';
import type { CallerIdentity, KeyStore } from './key-store.ts';
import { describeUnresolvedName } from './unresolved-name.ts';
import { parseStoredConfig, parseStoredVirtualKey, type StoredConfig, type StoredVirtualKey } from './parse-stored-key.ts';

export interface SecretSource {
  /** Where a virtual key lives, e.g. `llm-gateway/prod`; named in logs and errors. */
  virtualKeyName(id: string): string;
  /** Where a stored config lives, e.g. `llm-gateway/configs/fallback`. */
  configName(id: string): string;
  /** The stored JSON value. @throws SecretReadError */
  read(name: string): Promise<unknown>;
}

/** Secrets Manager's own name alphabet; anything else cannot exist, so no call is made for it. */
const ID = /^[\w/+=.@-]{1,200}$/;

export function createStoredKeyStore(source: SecretSource): KeyStore {
  // Parsed once per value the source returns; a cached value is the same object until refreshed.
  const virtualKeys = new WeakMap<object, StoredVirtualKey>();
  const configs = new WeakMap<object, StoredConfig>();

  async function load<T>(kind: StoredKind, id: string, name: string, parse: (value: unknown) => T, memo: WeakMap<object, T>): Promise<T> {
    let value: unknown;
    try {
      value = await source.read(name);
    } catch (error) {
      throw error instanceof SecretReadError ? toKeyStoreError(error, kind, id) : error;
    }
    const memoKey = typeof value === 'object' && value !== null ? value : undefined;
    const cached = memoKey ? memo.get(memoKey) : undefined;
    if (cached) return cached;
    try {
      const parsed = deepFreeze(parse(value));
      if (memoKey) memo.set(memoKey, parsed);
      return parsed;
    } catch (error) {
      if (error instanceof SecretReadError) {
        log.error('stored key is invalid', { secret: name, error: error.message });
        throw toKeyStoreError(error, kind, id);
      }
      throw error;
    }
  }

  function authorize(kind: StoredKind, id: string, name: string, allowed: string[] | undefined, caller: CallerIdentity): void {
    if (isCallerAllowed(allowed, caller)) return;
    log.warn(`${kind} refused to caller`, { [kind === 'config' ? 'config' : 'virtualKey']: id, secret: name, callerArn: caller.userArn ?? null, callerAccount: caller.accountId ?? null });
    throw new AuthenticationError(`This caller may not use the ${kind} "${id}".`, {
      statusCode: 403,
      code: kind === 'config' ? 'config_not_allowed' : 'virtual_key_not_allowed',
    });
  }

  return {
    async getVirtualKey(id, caller) {
      if (!ID.test(id) || id.startsWith('configs/')) throw unknown('virtual key', id);
      const name = source.virtualKeyName(id);
      const stored = await load('virtual key', id, name, (value) => parseStoredVirtualKey(value, name), virtualKeys);
      authorize('virtual key', id, name, stored.allowedPrincipals, caller);
      return { ...stored.target };
    },
    async getConfig(id, caller) {
      if (!ID.test(id)) throw unknown('config', id);
      const name = source.configName(id);
      const stored = await load('config', id, name, (value) => parseStoredConfig(value, name), configs);
      authorize('config', id, name, stored.allowedPrincipals, caller);
      // The same frozen object for as long as the source serves the same value: the config
      // parser memoises its validation on it (lib/config/read-config-header.ts).
      return stored.config;
    },
  };
}

function unknown(kind: StoredKind, id: string): AuthenticationError {
  return new AuthenticationError(`Unknown ${kind} "${describeUnresolvedName(id)}".`, {
    statusCode: 404,
    code: kind === 'config' ? 'config_not_found' : 'virtual_key_not_found',
  });
}

/** Values handed out are shared between requests, so nobody may change them. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
