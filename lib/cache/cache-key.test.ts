import { describe, expect, it } from 'vitest';
import { parseCompletionRequest } from '../api/completion-request.ts';
import type { ProviderTarget } from '../config/target.ts';
import { anthropicProvider } from '../providers/anthropic/anthropic-provider.ts';
import { bedrockProvider } from '../providers/bedrock/bedrock-provider.ts';
import { cohereProvider } from '../providers/cohere/cohere-provider.ts';
import { googleProvider } from '../providers/google/google-provider.ts';
import { openAIProvider } from '../providers/openai/openai-provider.ts';
import type { Provider, ProviderCall } from '../providers/provider.ts';
import { previewUpstreamRequest } from '../providers/preview-upstream-request.ts';
import { cacheCredentialOf, cacheKey, canonicalBody, credentialIdentity, type CacheCredential, type CacheKeyInput } from './cache-key.ts';

const URL_OPENAI = 'https://api.openai.com/v1/completions';
const BODY = '{"model":"gpt-3.5-turbo-instruct","prompt":"Say this is a test","max_tokens":7}';
const VK: CacheCredential = { kind: 'virtual-key', name: 'openai-prod' };
const base: CacheKeyInput = { provider: 'openai', url: URL_OPENAI, body: BODY, credential: VK };

/** The key of a request a real provider module builds, for the stream and the JSON form. */
async function keysOf(provider: Provider, target: ProviderTarget, body: Record<string, unknown>): Promise<[string, string]> {
  const build = async (stream: boolean) => {
    const call: ProviderCall = { params: parseCompletionRequest({ ...body, stream, ...(stream ? { stream_options: { include_usage: true } } : {}) }), target, stream, forwardedHeaders: {}, strict: false };
    const request = await previewUpstreamRequest(provider, call);
    return cacheKey({ provider: provider.name, url: request.url, body: request.body, credential: cacheCredentialOf(target) });
  };
  return [await build(false), await build(true)];
}

describe('cacheKey', () => {
  it('is a SHA-256 in hex, the same for the same request', () => {
    expect(cacheKey(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey({ ...base })).toBe(cacheKey(base));
  });

  it('differs by provider, URL, body and credential', () => {
    const key = cacheKey(base);
    expect(cacheKey({ ...base, provider: 'azure-openai' })).not.toBe(key);
    expect(cacheKey({ ...base, url: 'http://127.0.0.1:8000/v1/completions' })).not.toBe(key);
    expect(cacheKey({ ...base, body: BODY.replace('"max_tokens":7', '"max_tokens":8') })).not.toBe(key);
    expect(cacheKey({ ...base, credential: { kind: 'virtual-key', name: 'openai-dev' } })).not.toBe(key);
    expect(cacheKey({ ...base, credential: { kind: 'secret', values: ['sk-a'] } })).not.toBe(cacheKey({ ...base, credential: { kind: 'secret', values: ['sk-b'] } }));
    expect(cacheKey({ ...base, credential: { kind: 'none' } })).not.toBe(key);
  });

  it('does not depend on the order of body fields or on the stream fields', () => {
    const reordered = '{"max_tokens":7,"prompt":"Say this is a test","model":"gpt-3.5-turbo-instruct"}';
    const streamed = '{"model":"gpt-3.5-turbo-instruct","prompt":"Say this is a test","max_tokens":7,"stream":true,"stream_options":{"include_usage":true}}';
    expect(cacheKey({ ...base, body: reordered })).toBe(cacheKey(base));
    expect(cacheKey({ ...base, body: streamed })).toBe(cacheKey(base));
    expect(cacheKey({ ...base, body: JSON.parse(streamed) as Record<string, unknown> })).toBe(cacheKey(base));
    // Nested objects are sorted too; arrays keep their order (it means something).
    expect(canonicalBody({ b: { y: 1, x: 2 }, a: [2, 1] })).toBe('{"a":[2,1],"b":{"x":2,"y":1}}');
  });

  it('differs when a nested field named stream is not the top-level flag', () => {
    expect(canonicalBody({ metadata: { stream: true } })).toBe('{"metadata":{"stream":true}}');
  });

  it('never contains a caller secret, and a keyed hash depends on its secret', () => {
    const secret: CacheCredential = { kind: 'secret', values: ['sk-live-abcdef'] };
    expect(credentialIdentity(secret)).not.toContain('sk-live');
    expect(credentialIdentity(secret, 'one')).not.toBe(credentialIdentity(secret, 'two'));
    expect(cacheKey({ ...base, credential: secret }, 'one')).not.toBe(cacheKey({ ...base, credential: secret }, 'two'));
    // Value boundaries count: ["ab", "c"] is not ["a", "bc"].
    expect(credentialIdentity({ kind: 'secret', values: ['ab', 'c'] })).not.toBe(credentialIdentity({ kind: 'secret', values: ['a', 'bc'] }));
  });

  it('is the same for a streamed and a JSON request of real providers, whatever their stream form', async () => {
    const body = { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7 };
    const cases: Array<[Provider, ProviderTarget, Record<string, unknown>]> = [
      [openAIProvider, { provider: 'openai', api_key: 'sk-test' }, body],
      [anthropicProvider, { provider: 'anthropic', api_key: 'sk-ant-test' }, { ...body, model: 'claude-3-5-haiku-latest' }],
      [cohereProvider, { provider: 'cohere', api_key: 'co-test' }, { ...body, model: 'command-r' }],
      [googleProvider, { provider: 'google', api_key: 'g-test' }, { ...body, model: 'gemini-2.0-flash' }],
      [bedrockProvider, { provider: 'bedrock', aws_region: 'us-east-1', aws_access_key_id: 'AKIDEXAMPLE', aws_secret_access_key: 'secret' }, { ...body, model: 'anthropic.claude-3-haiku-20240307-v1:0' }],
      [bedrockProvider, { provider: 'bedrock', aws_region: 'us-east-1', aws_access_key_id: 'AKIDEXAMPLE', aws_secret_access_key: 'secret' }, { ...body, model: 'meta.llama3-8b-instruct-v1:0' }],
    ];
    for (const [provider, target, request] of cases) {
      const [json, stream] = await keysOf(provider, target, request);
      expect(stream, `${provider.name} ${String(request.model)}`).toBe(json);
    }
  });

  it('still tells two real requests apart', async () => {
    const target = { provider: 'openai', api_key: 'sk-test' };
    const [a] = await keysOf(openAIProvider, target, { model: 'gpt-3.5-turbo-instruct', prompt: 'a' });
    const [b] = await keysOf(openAIProvider, target, { model: 'gpt-3.5-turbo-instruct', prompt: 'b' });
    const [c] = await keysOf(openAIProvider, { ...target, api_key: 'sk-other' }, { model: 'gpt-3.5-turbo-instruct', prompt: 'a' });
    expect(new Set([a, b, c]).size).toBe(3);
  });
});

describe('cacheCredentialOf', () => {
  it('names a virtual key even when its secret was read into the target', () => {
    expect(cacheCredentialOf({ provider: 'openai', virtual_key: 'openai-prod', api_key: 'sk-from-secret' })).toEqual({ kind: 'virtual-key', name: 'openai-prod' });
  });

  it("takes the caller's own key, AWS keys, or nothing", () => {
    expect(cacheCredentialOf({ provider: 'openai', api_key: 'sk-a' })).toMatchObject({ kind: 'secret' });
    const aws = (secret: string) => credentialIdentity(cacheCredentialOf({ provider: 'bedrock', aws_access_key_id: 'AKID', aws_secret_access_key: secret }));
    // The key id alone is no proof of holding the key: the secret is part of the identity.
    expect(aws('s1')).not.toBe(aws('s2'));
    expect(cacheCredentialOf({ provider: 'bedrock' })).toEqual({ kind: 'none' });
  });

  it('counts forwarded headers as credentials, so an upstream behind its own auth is scoped per caller', () => {
    const target = { provider: 'vllm', custom_host: 'http://127.0.0.1:8000/v1' };
    const one = credentialIdentity(cacheCredentialOf(target, { 'x-upstream-token': 't1' }));
    const two = credentialIdentity(cacheCredentialOf(target, { 'x-upstream-token': 't2' }));
    expect(one).not.toBe(two);
    expect(cacheCredentialOf({ ...target, virtual_key: 'vk' }, { 'x-upstream-token': 't1' })).toMatchObject({ kind: 'secret' });
  });
});
