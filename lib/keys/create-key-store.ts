/**
 * Picks and builds the key store from the environment, once per container:
 * - `GATEWAY_KEY_SOURCE`: `secretsmanager` (the default, as on Lambda) or `file` (`npm start`);
 * - `GATEWAY_SECRETS_PREFIX` (default `llm-gateway/`), `GATEWAY_SECRETS_TTL_SECONDS` (300),
 *   `GATEWAY_SECRETS_GRACE_SECONDS` (3600: how long past its TTL a value serves while
 *   Secrets Manager fails);
 * - `GATEWAY_KEYS_FILE` (default `gateway.keys.json` in the working directory, if present).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { log } from '../log.ts';
import { createFileKeyStore, loadKeysFile } from './file-key-store.ts';
import type { KeyStore } from './key-store.ts';
import type { SecretCacheOptions } from './secret-cache.ts';
import { createSecretsManagerKeyStore, DEFAULT_SECRETS_PREFIX } from './secrets-manager-key-store.ts';

export type KeySource = 'secretsmanager' | 'file';

export interface KeyStoreSettings {
  source: KeySource;
  prefix: string;
  ttlSeconds: number;
  graceSeconds: number;
  /** Undefined: the default file if present, else a store without keys. */
  keysFile?: string;
  /** Cache clock and limits (tests). */
  cache?: Partial<SecretCacheOptions>;
}

/** @throws Error naming the variable when a setting is not valid. */
export function keyStoreSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): KeyStoreSettings {
  const source = env.GATEWAY_KEY_SOURCE?.trim() || 'secretsmanager';
  if (source !== 'secretsmanager' && source !== 'file') {
    throw new Error(`GATEWAY_KEY_SOURCE must be "secretsmanager" or "file", not "${source}".`);
  }
  const settings: KeyStoreSettings = {
    source,
    prefix: secretsPrefix(env.GATEWAY_SECRETS_PREFIX ?? DEFAULT_SECRETS_PREFIX),
    ttlSeconds: seconds(env, 'GATEWAY_SECRETS_TTL_SECONDS', 300),
    graceSeconds: seconds(env, 'GATEWAY_SECRETS_GRACE_SECONDS', 3600),
  };
  if (env.GATEWAY_KEYS_FILE) settings.keysFile = env.GATEWAY_KEYS_FILE;
  return settings;
}

export function createKeyStore(settings: KeyStoreSettings): KeyStore {
  if (settings.source === 'file') {
    const path = settings.keysFile ?? resolve('gateway.keys.json');
    if (settings.keysFile === undefined && !existsSync(path)) {
      log.info('no keys file; virtual keys and stored configs are unknown', { keysFile: path });
      return createFileKeyStore({}, path);
    }
    return createFileKeyStore(loadKeysFile(path), path);
  }
  return createSecretsManagerKeyStore({
    prefix: settings.prefix,
    cache: { ttlMs: settings.ttlSeconds * 1000, graceMs: settings.graceSeconds * 1000, ...settings.cache },
  });
}

/**
 * The same rule the stack enforces (infra/grant-secrets-access.ts): the role may read
 * `secret:${prefix}*`, so a prefix without its trailing `/` (`llm`) would name, and on a
 * hand-made role grant, every secret that merely starts the same (`llm-billing/...`). Checked at
 * cold start too, for a function deployed by other means than this stack.
 */
const SECRET_NAME_PREFIX = /^[A-Za-z0-9_+=.@-][A-Za-z0-9/_+=.@-]*\/$/;

function secretsPrefix(prefix: string): string {
  if (!SECRET_NAME_PREFIX.test(prefix)) {
    throw new Error(`GATEWAY_SECRETS_PREFIX must be a secret name prefix ending in "/" (letters, digits and /_+=.@-), e.g. "llm-gateway/", not "${prefix.slice(0, 64)}".`);
  }
  return prefix;
}

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number of seconds, not "${text}".`);
  return value;
}
