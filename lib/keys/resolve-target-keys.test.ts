import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../api/errors.ts';
import type { ProviderTarget } from '../config/target.ts';
import type { KeyStore } from './key-store.ts';
import { mergeStoredTarget, resolveTargetKeys } from './resolve-target-keys.ts';
import { isCustomHostTrusted } from './trusted-custom-host.ts';

const caller = { userArn: null, accountId: null };

function storeOf(secrets: Record<string, Partial<ProviderTarget>>): KeyStore & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async getVirtualKey(name) {
      asked.push(name);
      return { ...secrets[name]! };
    },
    async getConfig() {
      throw new Error('not used');
    },
  };
}

describe('resolveTargetKeys', () => {
  it('leaves a target without a virtual key alone, without a look-up', async () => {
    const keyStore = storeOf({});
    const target = { provider: 'openai', api_key: 'sk-own' };
    expect(await resolveTargetKeys(target, { keyStore, caller })).toBe(target);
    expect(keyStore.asked).toEqual([]);
  });

  it('refuses a virtual key with 400 when no key store is configured', async () => {
    await expect(resolveTargetKeys({ virtual_key: 'vk' }, { caller })).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('fills the stored fields; the target wins for settings, the secret for provider and key', async () => {
    const keyStore = storeOf({ vk: { provider: 'azure-openai', api_key: 'stored', azure_api_version: '2024-02-01', request_timeout: 1000 } });
    const resolved = await resolveTargetKeys(
      { virtual_key: 'vk', provider: 'openai', api_key: 'from-authorization-header', azure_api_version: '2024-10-21', request_timeout: 5000 },
      { keyStore, caller },
    );
    expect(resolved).toEqual({ virtual_key: 'vk', provider: 'azure-openai', api_key: 'stored', azure_api_version: '2024-10-21', request_timeout: 5000 });
  });

  it('drops caller credentials that the stored credential does not name', () => {
    const merged = mergeStoredTarget(
      { provider: 'bedrock', aws_access_key_id: 'AKIA-stored', aws_secret_access_key: 'stored-secret' },
      { virtual_key: 'vk', aws_session_token: 'caller-token', aws_region: 'eu-west-1' },
    );
    expect(merged).toEqual({ provider: 'bedrock', aws_access_key_id: 'AKIA-stored', aws_secret_access_key: 'stored-secret', aws_region: 'eu-west-1', virtual_key: 'vk' });
  });

  it('refuses with 400 a caller host for a stored credential', () => {
    const stored = { provider: 'openai', api_key: 'stored' };
    expect(() => mergeStoredTarget(stored, { virtual_key: 'vk', custom_host: 'https://attacker.example/v1' })).toThrow(
      expect.objectContaining({ statusCode: 400, code: 'virtual_key_host_override', param: 'custom_host' }),
    );
    expect(() => mergeStoredTarget({ ...stored, custom_host: 'https://llm.internal/v1' }, { virtual_key: 'vk', custom_host: 'http://127.0.0.1:9/v1' })).toThrow(
      InvalidRequestError,
    );
    expect(() => mergeStoredTarget({ provider: 'azure-openai', api_key: 'stored', azure_resource_name: 'ours' }, { virtual_key: 'vk', azure_resource_name: 'theirs' })).toThrow(
      expect.objectContaining({ param: 'azure_resource_name' }),
    );
  });

  it('lets a caller choose the host for a secret without a credential, untrusted', () => {
    const merged = mergeStoredTarget({ provider: 'vllm' }, { virtual_key: 'vk', custom_host: 'http://127.0.0.1:8000/v1' });
    expect(merged.custom_host).toBe('http://127.0.0.1:8000/v1');
    expect(isCustomHostTrusted(merged)).toBe(false);
  });

  it('trusts the stored host, also after the routing copies the target, but not once it changes', () => {
    const merged = mergeStoredTarget({ provider: 'openai', api_key: 'stored', custom_host: 'https://llm.internal/v1' }, { virtual_key: 'vk' });
    expect(isCustomHostTrusted(merged)).toBe(true);
    expect(isCustomHostTrusted({ ...merged, request_timeout: 10 })).toBe(true);
    expect(isCustomHostTrusted({ ...merged, custom_host: 'https://elsewhere.example' })).toBe(false);
    expect(JSON.stringify(merged)).not.toContain('trusted');
    expect(isCustomHostTrusted(JSON.parse(JSON.stringify(merged)) as Partial<ProviderTarget>)).toBe(false);
  });

  it('accepts the caller naming the same host the secret holds', () => {
    const merged = mergeStoredTarget({ provider: 'openai', api_key: 'stored', custom_host: 'https://llm.internal/v1' }, { virtual_key: 'vk', custom_host: 'https://llm.internal/v1' });
    expect(isCustomHostTrusted(merged)).toBe(true);
  });
});
