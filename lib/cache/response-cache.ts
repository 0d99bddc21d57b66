/**
 * The one owner of caching answers: reads within a time budget, checks expiry, decodes; writes
 * only complete answers that fit an item. A cache fault never fails a request: a store that
 * errors, is slow or holds something unreadable is a miss (logged); a failed write is logged.
 * Stores (memory, DynamoDB) only move bytes.
 */
import { describeError, log } from '../log.ts';
import type { CompletionPart } from '../providers/provider.ts';
import { isCompleteAnswer } from './assemble-parts.ts';
import { decodeAnswer, encodeAnswer } from './cache-codec.ts';
import type { CacheStore } from './cache-store.ts';
import { CACHE_ITEM_OVERHEAD_BYTES, DYNAMODB_MAX_ITEM_BYTES } from './dynamodb-cache-store.ts';

export interface ResponseCacheOptions {
  store: CacheStore;
  /** `GATEWAY_CACHE_READ_BUDGET_MS`: a read slower than this is a miss (the request goes upstream). */
  readBudgetMs?: number;
  /** `GATEWAY_CACHE_WRITE_TIMEOUT_MS`: a write is abandoned after this (it only delays the invocation's end). */
  writeTimeoutMs?: number;
  /** Largest encoded answer stored; DynamoDB's item limit less the item's other attributes, also in memory. */
  maxEntryBytes?: number;
  /** Milliseconds since the epoch; tests inject a clock. */
  now?: () => number;
}

export const DEFAULT_READ_BUDGET_MS = 50;
export const DEFAULT_WRITE_TIMEOUT_MS = 1000;
export const DEFAULT_MAX_ENTRY_BYTES = DYNAMODB_MAX_ITEM_BYTES - CACHE_ITEM_OVERHEAD_BYTES;

/** Why an answer was or was not stored (also counted in `stats`). */
export type StoreOutcome = 'stored' | 'incomplete' | 'oversized' | 'failed';

export interface CacheStats {
  hits: number;
  misses: number;
  expired: number;
  readErrors: number;
  readTimeouts: number;
  stored: number;
  incomplete: number;
  oversized: number;
  writeErrors: number;
}

export class ResponseCache {
  readonly store: CacheStore;
  /** Counters since the container started (for metrics: `oversized` is the "counted"). */
  readonly stats: CacheStats = { hits: 0, misses: 0, expired: 0, readErrors: 0, readTimeouts: 0, stored: 0, incomplete: 0, oversized: 0, writeErrors: 0 };
  readonly #readBudgetMs: number;
  readonly #writeTimeoutMs: number;
  readonly #maxEntryBytes: number;
  readonly #now: () => number;

  constructor(options: ResponseCacheOptions) {
    this.store = options.store;
    this.#readBudgetMs = options.readBudgetMs ?? DEFAULT_READ_BUDGET_MS;
    this.#writeTimeoutMs = options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
    this.#maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
    this.#now = options.now ?? Date.now;
  }

  /** The stored answer for `key`, or undefined on a miss, an expired entry or any fault. Never rejects. */
  async lookup(key: string, context: { traceId?: string } = {}): Promise<CompletionPart | undefined> {
    const fields = { traceId: context.traceId, store: this.store.kind, key: key.slice(0, 12) };
    if (this.store.ready) {
      try {
        await this.store.ready();
      } catch (error) {
        this.stats.readErrors++;
        log.warn('cache store unavailable, treated as a miss', { ...fields, ...describeError(error) });
        return undefined;
      }
    }
    const read = await withinBudget((signal) => this.store.get(key, { signal }), this.#readBudgetMs);
    if (read.kind === 'timeout') {
      this.stats.readTimeouts++;
      log.warn('cache read over budget, treated as a miss', { ...fields, budgetMs: this.#readBudgetMs });
      return undefined;
    }
    if (read.kind === 'error') {
      this.stats.readErrors++;
      log.warn('cache read failed, treated as a miss', { ...fields, ...describeError(read.error) });
      return undefined;
    }
    const entry = read.value;
    if (!entry) {
      this.stats.misses++;
      return undefined;
    }
    // DynamoDB deletes expired items late (within days): the entry's own ttl decides.
    if (entry.expiresAt * 1000 <= this.#now()) {
      this.stats.expired++;
      this.stats.misses++;
      return undefined;
    }
    try {
      const part = decodeAnswer(entry.value);
      this.stats.hits++;
      return part;
    } catch (error) {
      this.stats.readErrors++;
      log.warn('cache entry unreadable, treated as a miss', { ...fields, ...describeError(error) });
      return undefined;
    }
  }

  /**
   * Stores a whole answer for `maxAgeSeconds`. Only complete answers (assemble-parts.ts →
   * isCompleteAnswer) that fit an item are written. Never rejects. The work (compressing
   * included) starts on the next turn of the event loop, so the answer or the stream's last
   * chunks already written in this turn reach the caller first.
   */
  async save(key: string, part: CompletionPart, maxAgeSeconds: number, context: { traceId?: string } = {}): Promise<StoreOutcome> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const fields = { traceId: context.traceId, store: this.store.kind, key: key.slice(0, 12) };
    if (!isCompleteAnswer(part)) {
      this.stats.incomplete++;
      log.info('cache skipped an incomplete answer', fields);
      return 'incomplete';
    }
    let value: Uint8Array;
    try {
      value = encodeAnswer(part);
    } catch (error) {
      this.stats.writeErrors++;
      log.warn('cache could not encode an answer', { ...fields, ...describeError(error) });
      return 'failed';
    }
    if (value.byteLength > this.#maxEntryBytes) {
      this.stats.oversized++;
      log.info('cache skipped an answer too large for an item', { ...fields, bytes: value.byteLength, maxBytes: this.#maxEntryBytes });
      return 'oversized';
    }
    const expiresAt = Math.floor(this.#now() / 1000) + maxAgeSeconds;
    const write = await withinBudget((signal) => this.store.put(key, { value, expiresAt }, { signal }), this.#writeTimeoutMs);
    if (write.kind !== 'value') {
      this.stats.writeErrors++;
      const reason = write.kind === 'timeout' ? { timeoutMs: this.#writeTimeoutMs } : describeError(write.error);
      log.warn('cache write failed', { ...fields, ...reason });
      return 'failed';
    }
    this.stats.stored++;
    return 'stored';
  }
}

type Bounded<T> = { kind: 'value'; value: T } | { kind: 'error'; error: unknown } | { kind: 'timeout' };

/** Runs `work` with a signal that aborts after `budgetMs`; settles at the budget at the latest. */
function withinBudget<T>(work: (signal: AbortSignal) => Promise<T>, budgetMs: number): Promise<Bounded<T>> {
  const controller = new AbortController();
  return new Promise<Bounded<T>>((resolve) => {
    const timer = setTimeout(() => {
      resolve({ kind: 'timeout' });
      controller.abort(new Error(`cache store took longer than ${budgetMs} ms`));
    }, budgetMs);
    timer.unref?.();
    let pending: Promise<T>;
    try {
      pending = work(controller.signal);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve({ kind: 'value', value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ kind: 'error', error });
      },
    );
  });
}
