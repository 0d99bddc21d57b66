/**
 * Where cached answers live: DynamoDB on Lambda, process memory under `npm start`. A store only
 * moves bytes; `ResponseCache` owns keys, expiry, encoding, budgets and error handling.
 */

export interface StoredEntry {
  /** The encoded answer (cache-codec.ts). */
  value: Uint8Array;
  /** Epoch seconds after which the entry must not be served (DynamoDB's `ttl`). */
  expiresAt: number;
}

export interface CacheStore {
  /** For the log. */
  readonly kind: 'dynamodb' | 'memory';
  /**
   * Loads what the first call needs (the SDK module), outside the read budget: otherwise the first
   * cached request of every container would miss on the import alone.
   */
  ready?(): Promise<void>;
  /** The entry, expired or not (the cache checks), or undefined. Rejects on a store failure. */
  get(key: string, options: { signal: AbortSignal }): Promise<StoredEntry | undefined>;
  put(key: string, entry: StoredEntry, options: { signal: AbortSignal }): Promise<void>;
}
