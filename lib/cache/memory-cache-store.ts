/**
 * The cache of `npm start` (no `GATEWAY_TABLE`): least recently used out first, bounded by the
 * bytes it holds rather than by a count, since one answer may be 100 bytes or 100 KB.
 * Expired entries leave when met; the bound evicts the rest.
 */
import type { CacheStore, StoredEntry } from './cache-store.ts';

/** What a Map entry costs beyond its value: the key string, the entry object, the map slot (an estimate). */
const ENTRY_OVERHEAD_BYTES = 200;

export const DEFAULT_MEMORY_CACHE_BYTES = 64 * 1024 * 1024;

export class MemoryCacheStore implements CacheStore {
  readonly kind = 'memory';
  readonly maxBytes: number;
  readonly #entries = new Map<string, StoredEntry>();
  readonly #now: () => number;
  #bytes = 0;

  /** `now` in milliseconds. */
  constructor(options: { maxBytes?: number; now?: () => number } = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MEMORY_CACHE_BYTES;
    this.#now = options.now ?? Date.now;
  }

  /** Bytes held, overhead included. */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): Promise<StoredEntry | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) return Promise.resolve(undefined);
    this.#entries.delete(key);
    if (entry.expiresAt * 1000 <= this.#now()) {
      // Dropped now to free the memory; handed back once so the cache counts it as expired.
      this.#bytes -= sizeOf(key, entry);
      return Promise.resolve(entry);
    }
    this.#entries.set(key, entry); // most recently used now
    return Promise.resolve(entry);
  }

  put(key: string, entry: StoredEntry): Promise<void> {
    const size = sizeOf(key, entry);
    const previous = this.#entries.get(key);
    if (previous) {
      this.#entries.delete(key);
      this.#bytes -= sizeOf(key, previous);
    }
    if (size > this.maxBytes) return Promise.resolve(); // would evict everything and still not fit
    this.#entries.set(key, entry);
    this.#bytes += size;
    for (const [oldKey, oldEntry] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldKey);
      this.#bytes -= sizeOf(oldKey, oldEntry);
    }
    return Promise.resolve();
  }
}

function sizeOf(key: string, entry: StoredEntry): number {
  return entry.value.byteLength + key.length + ENTRY_OVERHEAD_BYTES;
}
