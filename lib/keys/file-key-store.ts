/**
 * Keys for local runs: one JSON file shaped `{"virtual_keys": {"vk": {...}}, "configs": {"cid": {...}}}`,
 * each entry what the Secrets Manager secret would hold. Read once, at start; restart to reload.
 */
import { readFileSync } from 'node:fs';
import { SecretReadError } from './key-errors.ts';
import type { KeyStore } from './key-store.ts';
import { createStoredKeyStore } from './stored-key-store.ts';

export interface KeysFile {
  virtual_keys?: Record<string, unknown>;
  configs?: Record<string, unknown>;
  /** The limits document (lib/keys/limits-source.ts), validated by lib/limits. */
  limits?: unknown;
}

/** A store over the file's content; `origin` names the file in messages. */
export function createFileKeyStore(content: KeysFile, origin = 'the keys file'): KeyStore {
  const entries = new Map<string, unknown>();
  for (const [id, value] of Object.entries(content.virtual_keys ?? {})) entries.set(`virtual_keys.${id}`, value);
  for (const [id, value] of Object.entries(content.configs ?? {})) entries.set(`configs.${id}`, value);
  return createStoredKeyStore({
    virtualKeyName: (id) => `virtual_keys.${id}`,
    configName: (id) => `configs.${id}`,
    async read(name) {
      if (!entries.has(name)) throw new SecretReadError('not_found', name, `${origin} has no ${name}.`);
      return entries.get(name);
    },
  });
}

/**
 * Reads and checks a keys file.
 * @throws Error naming the file when it cannot be read or is not shaped like a keys file
 * (at start: a broken local setup should fail loudly, not answer 404 to every request).
 */
export function loadKeysFile(path: string): KeysFile {
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'not JSON';
    throw new Error(`Cannot load the keys file ${path} (${reason}).`);
  }
  const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isRecord(content) || !['virtual_keys', 'configs'].every((section) => content[section] === undefined || isRecord(content[section]))) {
    throw new Error(`The keys file ${path} must be a JSON object {"virtual_keys": {...}, "configs": {...}}.`);
  }
  return content as KeysFile;
}
