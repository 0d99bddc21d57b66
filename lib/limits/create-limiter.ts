/**
 * Enforcement that holds across instances: before the upstream call a request reserves on every
 * applicable counter with a conditional add (requests: 1; tokens: the estimate; cost: the price of
 * the estimate), all at once. The store checks each ceiling atomically, so concurrent instances
 * together pass a limit by at most what is reserved and not yet corrected, i.e. what is in flight.
 * If any counter refuses, the reservations already made are released and the request is refused;
 * after the request `settle` corrects each counter by the actual tokens and cost.
 *
 * `reserve` does not hold the request: the seam starts it beside the upstream call and awaits it
 * only before the first byte (see `abortOnRefusal`).
 */
import { describeError, log } from '../log.ts';
import type { GatewayTable } from '../store/gateway-table.ts';
import { applicableCounters, type Counter, type LimitSubject } from './applicable-counters.ts';
import { LimitsUnavailableError } from './limit-errors.ts';
import type { LimitsDocument } from './limits-document.ts';
import type { Unit } from './measures.ts';
import { type CounterState, rateLimitHeaders } from './rate-limit-headers.ts';
import { type RefusedCounter, refusalError } from './refusal-error.ts';

/** What a request uses (or is estimated to use): tokens, and their cost (null when the price is unknown). */
export interface LimitUsage {
  tokens: number;
  costUsd: number | null;
}

export interface Reservation {
  /** `x-ratelimit-*` for the answer, from the tightest applicable rule (empty when no rule applies). */
  readonly headers: Readonly<Record<string, string>>;
  /** True when the store failed and `allow` let the request through uncounted (log and count it). */
  readonly storeError: boolean;
  /** Corrects the reserved tokens and cost to the actual ones. Never throws (logs instead); once only. */
  settle(actual: LimitUsage): Promise<void>;
  /** Gives back everything reserved (the request never reached a provider). Once only, like `settle`. */
  release(): Promise<void>;
}

export interface Limiter {
  /**
   * @throws RateLimitExceededError / InsufficientQuotaError (429) when a rule has no room,
   *   LimitsUnavailableError (503) when the store fails and the policy is `deny`.
   */
  reserve(document: LimitsDocument, subject: LimitSubject, estimate: LimitUsage): Promise<Reservation>;
}

export type StoreErrorPolicy = 'allow' | 'deny';

export interface LimiterOptions {
  table: GatewayTable;
  /** Epoch milliseconds; tests inject a clock to cross windows. */
  now?: () => number;
  /** `GATEWAY_LIMITS_ON_STORE_ERROR`: serve uncounted (default) or refuse with 503. */
  onStoreError?: StoreErrorPolicy;
}

/** Counters outlive their window by an hour, so `npm run usage` just after a reset still sees the last one. */
const TTL_GRACE_SECONDS = 3_600;
const ATTRIBUTE = 'used';

interface Held {
  counter: Counter;
  reserved: number;
}

export function createLimiter(options: LimiterOptions): Limiter {
  const { table } = options;
  const now = options.now ?? Date.now;
  const policy = options.onStoreError ?? 'allow';

  const ttlOf = (counter: Counter) => Math.ceil(counter.window.endMs / 1_000) + TTL_GRACE_SECONDS;

  /** Unconditional corrections; failures are logged, the request is already answered. */
  async function adjust(changes: ReadonlyArray<{ counter: Counter; amount: number }>, reason: string): Promise<void> {
    const results = await Promise.allSettled(
      changes.filter((change) => change.amount !== 0).map((change) => table.add(change.counter.key, ATTRIBUTE, change.amount, { ttl: ttlOf(change.counter) })),
    );
    for (const result of results) {
      if (result.status === 'rejected') log.warn('limits counter not corrected', { reason, table: table.description, ...describeError(result.reason) });
    }
  }

  function reservation(held: Held[], headers: Record<string, string>, storeError: boolean): Reservation {
    let done = false;
    return {
      headers,
      storeError,
      async settle(actual) {
        if (done) return;
        done = true;
        const actualOf: Record<Unit, number> = { requests: 1, tokens: actual.tokens, cost: actual.costUsd ?? 0 };
        await adjust(
          held.map(({ counter, reserved }) => ({ counter, amount: actualOf[counter.unit] - reserved })),
          'settle',
        );
      },
      async release() {
        if (done) return;
        done = true;
        await adjust(
          held.map(({ counter, reserved }) => ({ counter, amount: -reserved })),
          'release',
        );
      },
    };
  }

  return {
    async reserve(document, subject, estimate) {
      const nowMs = now();
      const counters = applicableCounters(document, subject, nowMs);
      if (counters.length === 0) return reservation([], {}, false);

      const amountOf: Record<Unit, number> = { requests: 1, tokens: Math.max(0, estimate.tokens), cost: Math.max(0, estimate.costUsd ?? 0) };
      const attempts = await Promise.allSettled(
        counters.map((counter) => table.add(counter.key, ATTRIBUTE, amountOf[counter.unit], { ttl: ttlOf(counter), ceiling: counter.limit })),
      );

      const held: Held[] = [];
      const states: CounterState[] = [];
      const refused: Counter[] = [];
      let failure: unknown;
      attempts.forEach((attempt, index) => {
        const counter = counters[index]!;
        if (attempt.status === 'rejected') failure ??= attempt.reason;
        else if (attempt.value.applied) {
          held.push({ counter, reserved: amountOf[counter.unit] });
          states.push({ counter, used: attempt.value.value });
        } else refused.push(counter);
      });

      if (failure !== undefined) {
        log.warn('limits store unavailable', { policy, table: table.description, ...describeError(failure) });
        if (policy === 'deny') {
          await adjust(held.map(({ counter, reserved }) => ({ counter, amount: -reserved })), 'release');
          throw new LimitsUnavailableError({ cause: failure });
        }
        // Serve, keeping what was counted: settle still corrects the counters that answered.
        if (refused.length === 0) return reservation(held, rateLimitHeaders(states, nowMs), true);
      }

      if (refused.length > 0) {
        const [, readBack] = await Promise.all([
          adjust(held.map(({ counter, reserved }) => ({ counter, amount: -reserved })), 'release'),
          Promise.all(refused.map((counter) => readUsed(counter))),
        ]);
        const refusedStates: RefusedCounter[] = refused.map((counter, index) => ({ counter, used: readBack[index]!, requested: amountOf[counter.unit] }));
        const released = states.map((state) => ({ ...state, used: state.used - amountOf[state.counter.unit] }));
        throw refusalError(refusedStates, released, nowMs);
      }

      return reservation(held, rateLimitHeaders(states, nowMs), false);
    },
  };

  /** The counter's value for the refusal's message; the limit itself if it cannot be read. */
  async function readUsed(counter: Counter): Promise<number> {
    try {
      const item = await table.get(counter.key, { consistent: true });
      const used = item?.values[ATTRIBUTE];
      return typeof used === 'number' ? used : 0;
    } catch {
      return counter.limit;
    }
  }
}
