import { describe, expect, it } from 'vitest';
import type { CompletionRequest } from '../api/completion-request.ts';
import type { ProviderResult } from '../providers/call-provider.ts';
import { loadProvider } from '../providers/provider-lookup.ts';
import type { TargetAttempt } from '../routing/target-middleware.ts';
import { cacheMiddlewareFromEnv } from './cache-middleware-from-env.ts';
import { NO_CACHE_REQUEST, type CacheRequest } from './cache-settings.ts';

const ANSWER: ProviderResult = {
  kind: 'response',
  part: { id: 'cmpl-1', choices: [{ index: 0, text: 'live', logprobs: null, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } },
  warnings: [],
};

async function attemptWith(cache: CacheRequest): Promise<TargetAttempt & { headers: Record<string, string> }> {
  const provider = (await loadProvider('openai'))!;
  const headers: Record<string, string> = {};
  return {
    provider,
    call: {
      params: { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7 } as CompletionRequest,
      target: { provider: 'openai', api_key: 'sk-test' },
      stream: false,
      forwardedHeaders: {},
      strict: false,
    },
    path: undefined,
    virtualKey: undefined,
    cache,
    retry: 0,
    traceId: 'trace',
    caller: { arn: null, account: null },
    signal: undefined,
    setHeader: (name, value) => void (headers[name] = value),
    headers,
  } as TargetAttempt & { headers: Record<string, string> };
}

describe('cacheMiddlewareFromEnv', () => {
  it('answers DISABLED and calls the provider when the attempt asks for no cache', async () => {
    const { middleware, settle } = cacheMiddlewareFromEnv({});
    let calls = 0;
    const complete = middleware(async () => (calls++, ANSWER));
    const attempt = await attemptWith(NO_CACHE_REQUEST);
    await expect(complete(attempt)).resolves.toBe(ANSWER);
    expect(attempt.headers['x-portkey-cache-status']).toBe('DISABLED');
    expect(calls).toBe(1);
    await settle();
  });

  it('loads the cache on the first attempt that asks for it: a MISS is stored, the next is a HIT without a call', async () => {
    const { middleware, settle } = cacheMiddlewareFromEnv({});
    let calls = 0;
    const complete = middleware(async () => (calls++, ANSWER));
    const cache: CacheRequest = { config: { mode: 'simple', max_age: 600 }, forceRefresh: false };
    const first = await attemptWith(cache);
    await complete(first);
    expect(first.headers['x-portkey-cache-status']).toBe('MISS');
    await settle();
    const second = await attemptWith(cache);
    const hit = await complete(second);
    expect(second.headers['x-portkey-cache-status']).toBe('HIT');
    expect(hit.kind === 'response' && hit.part.choices[0]!.text).toBe('live');
    expect(calls).toBe(1);
    // Once loaded, the cache's own middleware serves attempts without a cache too.
    const plain = await attemptWith(NO_CACHE_REQUEST);
    await complete(plain);
    expect(plain.headers['x-portkey-cache-status']).toBe('DISABLED');
    expect(calls).toBe(2);
  });

  it('refuses a bad store setting at start, before any request', () => {
    expect(() => cacheMiddlewareFromEnv({ GATEWAY_CACHE_READ_BUDGET_MS: 'soon' })).toThrow(/GATEWAY_CACHE_READ_BUDGET_MS must be a positive whole number/);
    expect(() => cacheMiddlewareFromEnv({ GATEWAY_CACHE_MAX_AGE_SECONDS: '5' })).toThrow(/GATEWAY_CACHE_MAX_AGE_SECONDS/);
  });
});
