import { describe, expect, it } from 'vitest';
import { AuthenticationError } from '../api/errors.ts';
import type { CompletionPart } from '../providers/provider.ts';
import { cacheKey } from './cache-key.ts';
import { resolveCacheSettings } from './cache-settings.ts';
import { MemoryCacheStore } from './memory-cache-store.ts';
import { ResponseCache } from './response-cache.ts';
import { withResponseCache } from './with-response-cache.ts';

const ANSWER: CompletionPart = { id: 'cmpl-1', choices: [{ index: 0, text: 'cached', logprobs: null, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
const KEY = cacheKey({ provider: 'openai', url: 'https://api.openai.com/v1/completions', body: '{"prompt":"p"}', credential: { kind: 'virtual-key', name: 'openai-prod' } });
const enabled = resolveCacheSettings({ headers: { 'x-portkey-cache': 'simple' } });

async function cacheHolding(part: CompletionPart): Promise<ResponseCache> {
  const cache = new ResponseCache({ store: new MemoryCacheStore() });
  await cache.save(KEY, part, 600);
  return cache;
}

describe('withResponseCache', () => {
  it('gives a caller denied the virtual key no hit through it: the key is only made once access is checked', async () => {
    const cache = await cacheHolding(ANSWER);
    let completed = false;
    const denied = withResponseCache({
      cache,
      settings: enabled,
      stream: false,
      key: () => {
        throw new AuthenticationError('The caller may not use the virtual key openai-prod.', { statusCode: 403 });
      },
      complete: async () => {
        completed = true;
        return { kind: 'response' as const, part: ANSWER };
      },
    });
    await expect(denied).rejects.toMatchObject({ statusCode: 403 });
    expect(completed).toBe(false);
    expect(cache.stats.hits).toBe(0);
  });

  it('neither computes a key nor touches the store when disabled', async () => {
    const cache = await cacheHolding(ANSWER);
    let keyed = false;
    const { status, result } = await withResponseCache({
      cache,
      settings: { enabled: false },
      stream: false,
      key: () => {
        keyed = true;
        return KEY;
      },
      complete: async () => ({ kind: 'response' as const, part: { ...ANSWER, choices: [{ ...ANSWER.choices[0]!, text: 'live' }] } }),
    });
    expect(status).toBe('DISABLED');
    expect(keyed).toBe(false);
    expect(result.kind === 'response' && result.part.choices[0]!.text).toBe('live');
    expect(cache.stats).toMatchObject({ hits: 0, misses: 0 });
  });

  it('hands each write to onWrite so the edge can wait for it', async () => {
    const cache = new ResponseCache({ store: new MemoryCacheStore() });
    const writes: Array<Promise<unknown>> = [];
    await withResponseCache({ cache, settings: enabled, stream: false, key: () => KEY, complete: async () => ({ kind: 'response' as const, part: ANSWER }), onWrite: (write) => writes.push(write) });
    expect(await Promise.all(writes)).toEqual(['stored']);
    const again = await withResponseCache({ cache, settings: enabled, stream: false, key: () => KEY, complete: () => Promise.reject(new Error('no upstream call on a hit')) });
    expect(again.status).toBe('HIT');
  });
});
