/**
 * What a cache hit counts (issue #14, "Accounting"), for the usage and limits wiring: the usage
 * record keeps the stored answer's token counts (what the answer was) but costs 0 and says
 * `cache: "HIT"`; metrics count a request and a `CacheHits`; limits count the request and no
 * tokens or cost, since no provider was paid.
 */
import type { Usage } from '../api/completion-response.ts';
import type { CacheStatus } from './cache-settings.ts';

export interface CacheAccounting {
  cache: CacheStatus;
  /** The usage record's `costUsd`: 0 for a hit, else undefined (priced as usual). */
  costUsd: 0 | undefined;
  /** EMF `CacheHits`. */
  cacheHits: 0 | 1;
  /** Tokens and cost to charge against limits: none for a hit, else the answer's own. */
  limitTokens: number | undefined;
  limitCostUsd: 0 | undefined;
}

/** @example cacheAccounting('HIT', usage) // { cache: 'HIT', costUsd: 0, cacheHits: 1, limitTokens: 0, limitCostUsd: 0 } */
export function cacheAccounting(status: CacheStatus, usage: Usage | undefined): CacheAccounting {
  if (status === 'HIT') return { cache: status, costUsd: 0, cacheHits: 1, limitTokens: 0, limitCostUsd: 0 };
  return { cache: status, costUsd: undefined, cacheHits: 0, limitTokens: usage?.total_tokens, limitCostUsd: undefined };
}
