/**
 * A container-wide cache in front of a slow, rate-limited secret source (Secrets Manager allows
 * ~10,000 GetSecretValue calls per second per account and costs per call; a cold read takes
 * tens of milliseconds). Policies, in order:
 * - a value younger than `ttlMs` is served without a call;
 * - concurrent misses for one name share one call (single flight);
 * - `not_found`, `denied` and `invalid` answers are cached for `negativeTtlMs`, so a caller
 *   repeating an unknown name cannot turn every request into a call;
 * - when a refresh fails with `unavailable`, the value read before keeps serving until
 *   `graceMs` after it expired, and the source is left alone for `retryAfterFailureMs`
 *   so an outage does not add a failing call to every request.
 */
import { describeError, log } from '../log.ts';
import { SecretReadError } from './key-errors.ts';

export interface SecretCacheOptions {
  ttlMs: number;
  graceMs: number;
  negativeTtlMs: number;
  retryAfterFailureMs: number;
  /** Entries kept; the oldest-written go first. Bounds memory against callers inventing names. */
  maxEntries: number;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now: () => number;
}

export const DEFAULT_SECRET_CACHE_OPTIONS: SecretCacheOptions = {
  ttlMs: 300_000,
  graceMs: 3_600_000,
  negativeTtlMs: 30_000,
  retryAfterFailureMs: 10_000,
  maxEntries: 1_000,
  now: Date.now,
};

interface Entry<T> {
  value?: T;
  expiresAt: number;
  /** The definitive failure being remembered (not found, denied, invalid) until `expiresAt`. */
  failure?: SecretReadError;
  /** After a failed refresh: serve `value` without calling until then. */
  retryAt?: number;
  pending?: Promise<T>;
}

export class SecretCache<T> {
  readonly #read: (name: string) => Promise<T>;
  readonly #options: SecretCacheOptions;
  readonly #entries = new Map<string, Entry<T>>();

  constructor(read: (name: string) => Promise<T>, options: Partial<SecretCacheOptions> = {}) {
    this.#read = read;
    this.#options = { ...DEFAULT_SECRET_CACHE_OPTIONS, ...options };
  }

  /** @throws SecretReadError when nothing usable is cached and the source fails. */
  get(name: string): Promise<T> {
    const now = this.#options.now();
    const entry = this.#entries.get(name);
    if (entry) {
      if (entry.failure && now < entry.expiresAt) return Promise.reject(entry.failure);
      if (entry.value !== undefined && now < entry.expiresAt) return Promise.resolve(entry.value);
      if (entry.pending) return entry.pending;
      if (entry.value !== undefined && entry.retryAt !== undefined && now < entry.retryAt && this.#withinGrace(entry, now)) {
        return Promise.resolve(entry.value);
      }
    }
    return this.#refresh(name, entry);
  }

  /** Forgets everything (tests; a rotation hook could call it). */
  clear(): void {
    this.#entries.clear();
  }

  #refresh(name: string, previous: Entry<T> | undefined): Promise<T> {
    const entry: Entry<T> = previous ?? { expiresAt: 0 };
    const pending = this.#read(name).then(
      (value) => {
        this.#store(name, { value, expiresAt: this.#options.now() + this.#options.ttlMs });
        return value;
      },
      (error: unknown) => this.#recover(name, entry, error),
    );
    entry.pending = pending;
    this.#store(name, entry);
    return pending;
  }

  #recover(name: string, entry: Entry<T>, error: unknown): T {
    const now = this.#options.now();
    const failure = error instanceof SecretReadError ? error : new SecretReadError('unavailable', name, `The secret ${name} could not be read.`, { cause: error });
    delete entry.pending;
    if (failure.kind !== 'unavailable') {
      // A definitive answer: stop serving an old value (the key was deleted or access revoked).
      this.#store(name, { failure, expiresAt: now + this.#options.negativeTtlMs });
      throw failure;
    }
    if (entry.value !== undefined && this.#withinGrace(entry, now)) {
      entry.retryAt = now + this.#options.retryAfterFailureMs;
      log.warn('secret refresh failed; serving the cached value', { secret: name, staleForMs: now - entry.expiresAt, ...describeError(failure) });
      return entry.value;
    }
    log.error('secret read failed', { secret: name, ...describeError(failure) });
    throw failure;
  }

  #withinGrace(entry: Entry<T>, now: number): boolean {
    return now < entry.expiresAt + this.#options.graceMs;
  }

  #store(name: string, entry: Entry<T>): void {
    this.#entries.delete(name);
    this.#entries.set(name, entry);
    if (this.#entries.size <= this.#options.maxEntries) return;
    for (const [oldest, candidate] of this.#entries) {
      if (this.#entries.size <= this.#options.maxEntries) break;
      if (!candidate.pending) this.#entries.delete(oldest);
    }
  }
}
