import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKeyStore, keyStoreSettingsFromEnv } from './create-key-store.ts';
import { createFileKeyStore, loadKeysFile } from './file-key-store.ts';

const caller = { userArn: null, accountId: null };

describe('the file key store', () => {
  it('reads virtual keys and configs from one JSON file', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'keys-'));
    const path = join(directory, 'keys.json');
    writeFileSync(path, JSON.stringify({ virtual_keys: { local: { provider: 'openai', api_key: 'sk-file' } }, configs: { single: { provider: 'openai' } } }));
    const store = createKeyStore({ ...keyStoreSettingsFromEnv({ GATEWAY_KEY_SOURCE: 'file', GATEWAY_KEYS_FILE: path }) });
    expect(await store.getVirtualKey('local', caller)).toEqual({ provider: 'openai', api_key: 'sk-file' });
    expect(await store.getConfig('single', caller)).toEqual({ provider: 'openai' });
    await expect(store.getVirtualKey('other', caller)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('validates entries like secrets and names the entry when one is wrong', async () => {
    const store = createFileKeyStore({ virtual_keys: { bad: { api_key: 'sk-no-provider-1234' } } }, 'keys.json');
    const error = await store.getVirtualKey('bad', caller).catch((caught: unknown) => caught as Error);
    expect(error).toMatchObject({ statusCode: 500 });
    expect((error as Error).message).toContain('virtual_keys.bad');
    expect((error as Error).message).toContain('provider');
    expect((error as Error).message).not.toContain('sk-no-provider-1234');
  });

  it('applies allowed_principals; a local caller has no identity', async () => {
    const store = createFileKeyStore({ virtual_keys: { team: { provider: 'openai', allowed_principals: ['111122223333'] } } });
    await expect(store.getVirtualKey('team', caller)).rejects.toMatchObject({ statusCode: 403 });
  });

  it('fails loudly at start for a named file that is missing or malformed', () => {
    expect(() => loadKeysFile('/nonexistent/keys.json')).toThrow('Cannot load the keys file /nonexistent/keys.json (ENOENT).');
    const path = join(mkdtempSync(join(tmpdir(), 'keys-')), 'keys.json');
    writeFileSync(path, '{"virtual_keys": []}');
    expect(() => loadKeysFile(path)).toThrow('must be a JSON object');
  });

  it('ships an example file that loads and validates', async () => {
    const store = createFileKeyStore(loadKeysFile(join(import.meta.dirname, '../../gateway.keys.example.json')));
    expect(await store.getVirtualKey('openai-prod', caller)).toMatchObject({ provider: 'openai' });
    expect(await store.getVirtualKey('local-vllm', caller)).toMatchObject({ custom_host: 'http://127.0.0.1:8000/v1' });
    expect(await store.getConfig('openai-then-anthropic', caller)).toMatchObject({ strategy: { mode: 'fallback' } });
  });
});

describe('key store settings from the environment', () => {
  it('defaults to Secrets Manager with the contract prefix and a 5-minute TTL', () => {
    expect(keyStoreSettingsFromEnv({})).toEqual({ source: 'secretsmanager', prefix: 'llm-gateway/', ttlSeconds: 300, graceSeconds: 3600 });
  });

  it('rejects an unknown source or a bad TTL, naming the variable', () => {
    expect(() => keyStoreSettingsFromEnv({ GATEWAY_KEY_SOURCE: 'vault' })).toThrow('GATEWAY_KEY_SOURCE');
    expect(() => keyStoreSettingsFromEnv({ GATEWAY_SECRETS_TTL_SECONDS: 'five' })).toThrow('GATEWAY_SECRETS_TTL_SECONDS');
    for (const prefix of ['llm', '', '*', 'llm-gateway/*', '/llm/', 'llm gateway/']) {
      expect(() => keyStoreSettingsFromEnv({ GATEWAY_SECRETS_PREFIX: prefix }), prefix).toThrow('GATEWAY_SECRETS_PREFIX');
    }
    expect(keyStoreSettingsFromEnv({ GATEWAY_SECRETS_PREFIX: 'team-a/llm/' }).prefix).toBe('team-a/llm/');
  });
});
