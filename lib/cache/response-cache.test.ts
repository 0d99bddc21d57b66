import { describe, expect, it } from 'vitest';
import type { CompletionPart } from '../providers/provider.ts';
import { cacheAccounting } from './cache-hit-accounting.ts';
import { MemoryCacheStore } from './memory-cache-store.ts';
import { ResponseCache } from './response-cache.ts';

const ANSWER: CompletionPart = { choices: [{ index: 0, text: 'x', logprobs: null, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } };

describe('ResponseCache.save', () => {
  it('does its work after the current turn, so the bytes written in it reach the caller first', async () => {
    const store = new MemoryCacheStore();
    const cache = new ResponseCache({ store });
    const saving = cache.save('k', ANSWER, 600);
    await Promise.resolve();
    await Promise.resolve();
    expect(store.size).toBe(0);
    expect(await saving).toBe('stored');
    expect(store.size).toBe(1);
  });

  it('reports a store that is not ready as a miss', async () => {
    const cache = new ResponseCache({
      store: { kind: 'dynamodb', ready: () => Promise.reject(new Error('no SDK')), get: () => Promise.reject(new Error('unreached')), put: () => Promise.resolve() },
    });
    expect(await cache.lookup('k')).toBeUndefined();
    expect(cache.stats.readErrors).toBe(1);
  });
});

describe('cacheAccounting', () => {
  it('makes a hit cost nothing and count no tokens against limits, and counts it as a cache hit', () => {
    expect(cacheAccounting('HIT', ANSWER.usage)).toEqual({ cache: 'HIT', costUsd: 0, cacheHits: 1, limitTokens: 0, limitCostUsd: 0 });
  });

  it('leaves a miss priced and counted as usual', () => {
    for (const status of ['MISS', 'REFRESH', 'DISABLED'] as const) {
      expect(cacheAccounting(status, ANSWER.usage)).toEqual({ cache: status, costUsd: undefined, cacheHits: 0, limitTokens: 7, limitCostUsd: undefined });
    }
  });
});
