/**
 * Enforcement that holds across instances: before the upstream call a request reserves on every
 * applicable counter (requests: 1; tokens: the estimate; cost: the price of the estimate) with one
 * conditional add per item, i.e. per rule and scope, all items at once. The store checks every
 * ceiling of an item atomically, so concurrent instances together pass a limit by at most what is
 * reserved and not yet corrected, i.e. what is in flight. If any item refuses, the reservations
 * already made are released and the request is refused; after the request `settle` corrects each
 * item by the actual tokens and cost (one write per item whose counters need it: requests never
 * do). Each write also removes the item's long-past windows.
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
import { pastCounterAttributes } from './past-counters.ts';
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
  /** The units of the counters held: settling needs tokens or a cost only when they are among them. */
  readonly units: ReadonlySet<Unit>;
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
  reserve(document: LimitsDocument, subject: LimitSubject, estimate: LimitUsage | EstimateUsage): Promise<Reservation>;
}

/** A lazy estimate: called only when a counter of tokens or cost applies (counting a prompt costs CPU). */
export type EstimateUsage = () => LimitUsage | Promise<LimitUsage>;

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
const NO_USAGE: LimitUsage = { tokens: 0, costUsd: 0 };
/** Items whose attributes this process remembers (to remove past windows); forgotten all at once past this. */
const KNOWN_ITEMS_LIMIT = 10_000;

/** The counters of one item (a rule and scope): written together, in one conditional update. */
interface ItemCounters {
  id: string;
  key: Counter['key'];
  counters: Counter[];
}

interface Held {
  item: ItemCounters;
  /** What was added to each counter of the item, by attribute. */
  reserved: Record<string, number>;
}

export function createLimiter(options: LimiterOptions): Limiter {
  const { table } = options;
  const now = options.now ?? Date.now;
  const policy = options.onStoreError ?? 'allow';
  /** The attributes each item had after this process's last write to it. */
  const known = new Map<string, string[]>();

  /**
   * One write to an item, removing its long-past windows (as of `nowMs`, the reservation's time).
   * A reservation also sets the item's TTL past the latest window it counts; a correction leaves
   * it, so a late one cannot shorten the life of a newer window's counts.
   */
  async function write(item: ItemCounters, amounts: Record<string, number>, nowMs: number, ceilings?: Record<string, number>) {
    let ttl: number | undefined;
    if (ceilings) {
      let endMs = 0;
      for (const counter of item.counters) endMs = Math.max(endMs, counter.window.endMs);
      ttl = Math.ceil(endMs / 1_000) + TTL_GRACE_SECONDS;
    }
    const remove = pastCounterAttributes(known.get(item.id) ?? [], nowMs).filter((attribute) => !(attribute in amounts));
    const result = await table.add(item.key, amounts, { ttl, ceilings, remove });
    if (result.applied) {
      if (known.size >= KNOWN_ITEMS_LIMIT && !known.has(item.id)) known.clear();
      known.set(item.id, Object.keys(result.values));
    }
    return result;
  }

  /** Unconditional corrections, one write per item with a change; failures are logged, the request is already answered. */
  async function adjust(changes: ReadonlyArray<{ item: ItemCounters; amounts: Record<string, number> }>, nowMs: number, reason: string): Promise<void> {
    const writes: Array<Promise<unknown>> = [];
    for (const { item, amounts } of changes) {
      const nonZero: Record<string, number> = {};
      let any = false;
      for (const attribute in amounts) {
        if (amounts[attribute] === 0) continue;
        nonZero[attribute] = amounts[attribute]!;
        any = true;
      }
      if (any) writes.push(write(item, nonZero, nowMs));
    }
    for (const result of await Promise.allSettled(writes)) {
      if (result.status === 'rejected') log.warn('limits counter not corrected', { reason, table: table.description, ...describeError(result.reason) });
    }
  }

  const releaseAll = (held: readonly Held[], nowMs: number) => adjust(held.map(({ item, reserved }) => ({ item, amounts: negated(reserved) })), nowMs, 'release');

  function reservation(held: Held[], headers: Record<string, string>, storeError: boolean, nowMs: number): Reservation {
    let done = false;
    return {
      headers,
      storeError,
      units: new Set(held.flatMap(({ item }) => item.counters.map((counter) => counter.unit))),
      async settle(actual) {
        if (done) return;
        done = true;
        const actualOf: Record<Unit, number> = { requests: 1, tokens: actual.tokens, cost: actual.costUsd ?? 0 };
        await adjust(
          held.map(({ item, reserved }) => {
            const amounts: Record<string, number> = {};
            for (const counter of item.counters) amounts[counter.attribute] = actualOf[counter.unit] - reserved[counter.attribute]!;
            return { item, amounts };
          }),
          nowMs,
          'settle',
        );
      },
      async release() {
        if (done) return;
        done = true;
        await releaseAll(held, nowMs);
      },
    };
  }

  return {
    async reserve(document, subject, estimate) {
      const nowMs = now();
      const counters = applicableCounters(document, subject, nowMs);
      if (counters.length === 0) return reservation([], {}, false, nowMs);

      const usage = typeof estimate === 'function' ? (counters.some((counter) => counter.unit !== 'requests') ? await estimate() : NO_USAGE) : estimate;
      const amountOf: Record<Unit, number> = { requests: 1, tokens: Math.max(0, usage.tokens), cost: Math.max(0, usage.costUsd ?? 0) };
      const items = byItem(counters);
      const attempts = await Promise.allSettled(
        items.map((item) => {
          const amounts: Record<string, number> = {};
          const ceilings: Record<string, number> = {};
          for (const counter of item.counters) {
            amounts[counter.attribute] = amountOf[counter.unit];
            ceilings[counter.attribute] = counter.limit;
          }
          return write(item, amounts, nowMs, ceilings);
        }),
      );

      const held: Held[] = [];
      const states: CounterState[] = [];
      const refused: ItemCounters[] = [];
      let failure: unknown;
      attempts.forEach((attempt, index) => {
        const item = items[index]!;
        if (attempt.status === 'rejected') failure ??= attempt.reason;
        else if (attempt.value.applied) {
          const { values } = attempt.value;
          const reserved: Record<string, number> = {};
          for (const counter of item.counters) {
            reserved[counter.attribute] = amountOf[counter.unit];
            states.push({ counter, used: values[counter.attribute]! });
          }
          held.push({ item, reserved });
        } else refused.push(item);
      });

      if (failure !== undefined) {
        log.warn('limits store unavailable', { policy, table: table.description, ...describeError(failure) });
        if (policy === 'deny') {
          await releaseAll(held, nowMs);
          throw new LimitsUnavailableError({ cause: failure });
        }
        // Serve, keeping what was counted: settle still corrects the counters that answered.
        if (refused.length === 0) return reservation(held, rateLimitHeaders(states, nowMs), true, nowMs);
      }

      if (refused.length > 0) {
        const [, readBack] = await Promise.all([releaseAll(held, nowMs), Promise.all(refused.map((item) => readItem(item)))]);
        const refusedStates: RefusedCounter[] = [];
        const others: CounterState[] = states.map((state) => ({ ...state, used: state.used - amountOf[state.counter.unit] }));
        refused.forEach((item, index) => {
          const used = readBack[index]!;
          const withRoom: CounterState[] = [];
          for (const counter of item.counters) {
            const state = { counter, used: used[counter.attribute]!, requested: amountOf[counter.unit] };
            if (state.used + state.requested > counter.limit) refusedStates.push(state);
            else withRoom.push(state);
          }
          // The item refused, yet as read now every counter has room (others released since): blame the fullest.
          if (withRoom.length === item.counters.length) {
            const fullest = withRoom.reduce((a, b) => (b.used / b.counter.limit > a.used / a.counter.limit ? b : a));
            refusedStates.push({ ...fullest, requested: amountOf[fullest.counter.unit] });
            others.push(...withRoom.filter((state) => state !== fullest));
          } else others.push(...withRoom);
        });
        throw refusalError(refusedStates, others, nowMs);
      }

      return reservation(held, rateLimitHeaders(states, nowMs), false, nowMs);
    },
  };

  /** The item's counters' values for the refusal's message; each counter's limit if it cannot be read. */
  async function readItem(item: ItemCounters): Promise<Record<string, number>> {
    const used: Record<string, number> = {};
    try {
      const read = await table.get(item.key, { consistent: true });
      for (const counter of item.counters) {
        const value = read?.values[counter.attribute];
        used[counter.attribute] = typeof value === 'number' ? value : 0;
      }
    } catch {
      for (const counter of item.counters) used[counter.attribute] = counter.limit;
    }
    return used;
  }
}

/** Groups counters by item, in the order their items first appear. */
function byItem(counters: readonly Counter[]): ItemCounters[] {
  const items = new Map<string, ItemCounters>();
  for (const counter of counters) {
    const id = `${counter.key.pk}\u0000${counter.key.sk}`;
    let item = items.get(id);
    if (!item) items.set(id, (item = { id, key: counter.key, counters: [] }));
    item.counters.push(counter);
  }
  return [...items.values()];
}

function negated(amounts: Record<string, number>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const attribute in amounts) result[attribute] = -amounts[attribute]!;
  return result;
}
