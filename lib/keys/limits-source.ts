/**
 * Where the limits document is read, like a stored config (DESIGN.md "Limits"): the secret
 * `${prefix}limits` on Lambda, cached with the keys' TTL, grace and single flight; the keys file's
 * `limits` entry locally, read once at start. The raw JSON only: validating it is lib/limits' job.
 * No document (the secret or the entry does not exist) means no limits.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { KeyStoreSettings } from './create-key-store.ts';
import { loadKeysFile } from './file-key-store.ts';
import { SecretReadError } from './key-errors.ts';
import { createSecretsManagerReader } from './read-secrets-manager-secret.ts';
import { SecretCache } from './secret-cache.ts';

export interface LimitsSource {
  /** The secret's name or `<file> (limits)`: named in errors and logs. */
  readonly name: string;
  /**
   * The document as stored, the same object while the cache serves the same value; undefined when none exists.
   * @throws SecretReadError when it exists but cannot be read (and nothing is cached).
   */
  read(): Promise<unknown>;
}

export interface LimitsSourceOptions {
  /** Replaces the SDK reader (tests). */
  read?: (name: string) => Promise<unknown>;
}

export function createLimitsSource(settings: KeyStoreSettings, options: LimitsSourceOptions = {}): LimitsSource {
  if (settings.source === 'file') {
    const path = settings.keysFile ?? resolve('gateway.keys.json');
    const document = settings.keysFile === undefined && !existsSync(path) ? undefined : loadKeysFile(path).limits;
    return { name: `${path} (limits)`, read: () => Promise.resolve(document) };
  }
  const name = `${settings.prefix}limits`;
  const cache = new SecretCache(options.read ?? createSecretsManagerReader(), {
    ttlMs: settings.ttlSeconds * 1000,
    graceMs: settings.graceSeconds * 1000,
    // One name, always asked for: "no limits" is remembered as long as a document would be.
    negativeTtlMs: settings.ttlSeconds * 1000,
    ...settings.cache,
  });
  return {
    name,
    read: () =>
      cache.get(name).catch((error: unknown) => {
        // Not found is cached for the TTL, so a deployment without limits makes one call per TTL.
        if (error instanceof SecretReadError && error.kind === 'not_found') return undefined;
        throw error;
      }),
  };
}
