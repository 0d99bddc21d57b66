/**
 * The limits document for a request: read from its source (lib/keys/limits-source.ts, which owns
 * the caching) and validated once per stored value, not once per request. A malformed document is
 * a 500 naming the secret, logged once per value: never "no limits". A document that cannot be read
 * (Secrets Manager down, nothing cached) is store trouble like the table's: `allow` serves without
 * limits and logs it, `deny` answers 503; the source is then left alone for `retryAfterFailureMs`.
 */
import type { LimitsSource } from '../keys/limits-source.ts';
import { describeError, log } from '../log.ts';
import type { StoreErrorPolicy } from './create-limiter.ts';
import { LimitsDocumentError, LimitsUnavailableError } from './limit-errors.ts';
import { type LimitsDocument, parseLimitsDocument } from './limits-document.ts';

/**
 * Resolves to undefined when there is no document (no limits). `foundNone` says whether the last
 * read found none, so a request can skip the limits' work without waiting on a read.
 */
export type LoadLimitsDocument = (() => Promise<LimitsDocument | undefined>) & { foundNone?: () => boolean };

export interface LimitsDocumentLoaderOptions {
  onStoreError?: StoreErrorPolicy;
  /** After a failed read, answer by the policy without reading for this long. Default 10 s. */
  retryAfterFailureMs?: number;
  now?: () => number;
}

export function createLimitsDocumentLoader(source: LimitsSource, options: LimitsDocumentLoaderOptions = {}): LoadLimitsDocument {
  const policy = options.onStoreError ?? 'allow';
  const retryAfterFailureMs = options.retryAfterFailureMs ?? 10_000;
  const now = options.now ?? Date.now;
  let failure: { error: unknown; until: number } | undefined;

  // Keyed by the stored object: the source hands out the same one until the cache refreshes it.
  const parsed = new WeakMap<object, LimitsDocument | LimitsDocumentError>();

  let foundNone = false;

  function validate(value: unknown): LimitsDocument | undefined {
    foundNone = value === undefined;
    if (value === undefined) return undefined;
    const memoKey = typeof value === 'object' && value !== null ? value : undefined;
    let outcome = memoKey && parsed.get(memoKey);
    if (outcome === undefined) {
      try {
        outcome = parseLimitsDocument(value, source.name);
      } catch (error) {
        if (!(error instanceof LimitsDocumentError)) throw error;
        log.error('limits document invalid', { secret: source.name, error: error.message });
        outcome = error;
      }
      if (memoKey) parsed.set(memoKey, outcome);
    }
    if (outcome instanceof LimitsDocumentError) throw outcome;
    return outcome;
  }

  function unreadable(error: unknown): undefined {
    if (policy === 'deny') throw new LimitsUnavailableError({ cause: error });
    return undefined;
  }

  function loadLimitsDocument(): Promise<LimitsDocument | undefined> {
    if (failure && now() < failure.until) return Promise.resolve(unreadable(failure.error));
    return source.read().then(validate, (error: unknown) => {
      // Unknown is not none: the policy decides for the requests until a read succeeds.
      foundNone = false;
      failure = { error, until: now() + retryAfterFailureMs };
      log.error('limits document unreadable', { secret: source.name, policy, ...describeError(error) });
      return unreadable(error);
    });
  }
  return Object.assign(loadLimitsDocument, { foundNone: () => foundNone });
}
