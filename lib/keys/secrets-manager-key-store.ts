/**
 * Virtual keys and stored configs in AWS Secrets Manager (DESIGN.md → Keys): the virtual key `vk`
 * is the secret `${prefix}vk`, the config `cid` is `${prefix}configs/cid`, both cached per container.
 */
import { afterNextAwsCall } from '../aws/aws-json-call.ts';
import type { KeyStore } from './key-store.ts';
import { prepareStoredKeySchemas } from './parse-stored-key.ts';
import { createSecretsManagerReader, type SecretsManagerReaderOptions } from './read-secrets-manager-secret.ts';
import { SecretCache, type SecretCacheOptions } from './secret-cache.ts';
import { createStoredKeyStore } from './stored-key-store.ts';

export const DEFAULT_SECRETS_PREFIX = 'llm-gateway/';

export interface SecretsManagerKeyStoreOptions extends SecretsManagerReaderOptions {
  /** Prepended to every name; the Lambda role may read only `secret:${prefix}*`. */
  prefix?: string;
  cache?: Partial<SecretCacheOptions>;
  /** Replaces the SDK reader (tests of the cache alone). */
  read?: (name: string) => Promise<unknown>;
}

export function createSecretsManagerKeyStore(options: SecretsManagerKeyStoreOptions = {}): KeyStore {
  const prefix = options.prefix ?? DEFAULT_SECRETS_PREFIX;
  const cache = new SecretCache(options.read ?? createSecretsManagerReader(options), options.cache);
  let prepared = false;
  return createStoredKeyStore({
    virtualKeyName: (id) => `${prefix}${id}`,
    configName: (id) => `${prefix}configs/${id}`,
    read(name) {
      // The first value read is checked against schemas built on first use: built while Secrets
      // Manager answers, they are not between its answer and the provider request.
      if (!prepared) {
        prepared = true;
        afterNextAwsCall(prepareStoredKeySchemas);
      }
      return cache.get(name);
    },
  });
}
