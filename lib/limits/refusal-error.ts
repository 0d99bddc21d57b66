/**
 * The answer to a request a rule has no room for. A budget wins over a rate limit (retrying in a
 * minute will not help if the day's budget is gone), and a request larger than a whole minute's
 * limit is not worth retrying either; the message names the rule, the measure and when the window
 * resets.
 */
import { InsufficientQuotaError, RateLimitExceededError } from './limit-errors.ts';
import { type CounterState, rateLimitHeaders } from './rate-limit-headers.ts';
import { isRateLimit, type MeasureName } from './measures.ts';

export interface RefusedCounter extends CounterState {
  /** What this request asked to reserve on the counter. */
  requested: number;
}

/**
 * @param refused counters without room (at least one), `used` as read after the refusal
 * @param others counters that had room, for the rate-limit headers
 */
export function refusalError(refused: readonly RefusedCounter[], others: readonly CounterState[], nowMs: number): RateLimitExceededError | InsufficientQuotaError {
  const headers = rateLimitHeaders([...others, ...refused], nowMs);
  const budget = refused.find((state) => !isRateLimit(state.counter.measure));
  if (budget) {
    return new InsufficientQuotaError(`Budget exhausted: ${describe(budget)} It resets at ${new Date(budget.counter.window.endMs).toISOString()}.`, {
      headers: { ...headers, 'x-should-retry': 'false' },
    });
  }
  // A request larger than a whole window's limit never fits: say so, and tell SDKs not to retry it.
  const tooLarge = refused.find((state) => state.requested > state.counter.limit);
  if (tooLarge) {
    return new RateLimitExceededError(`Request too large: ${describe(tooLarge)} Lower max_tokens or n, or shorten the prompt.`, {
      unit: tooLarge.counter.unit === 'tokens' ? 'tokens' : 'requests',
      headers: { ...headers, 'x-should-retry': 'false' },
    });
  }
  // Several rates may refuse at once: wait for the last of them to reset.
  const first = refused[0]!;
  const waitMs = Math.max(...refused.map((state) => state.counter.window.endMs - nowMs));
  const seconds = Math.max(1, Math.ceil(waitMs / 1_000));
  return new RateLimitExceededError(
    `Rate limit reached: ${describe(first)} The window resets at ${new Date(first.counter.window.endMs).toISOString()}; try again in ${seconds}s.`,
    {
      unit: first.counter.unit === 'tokens' ? 'tokens' : 'requests',
      headers: { ...headers, 'retry-after': String(seconds), 'retry-after-ms': String(Math.max(0, Math.ceil(waitMs))) },
    },
  );
}

function describe(state: RefusedCounter): string {
  const { counter } = state;
  return `rule "${counter.rule}" allows ${counter.limit} ${MEASURE_PHRASES[counter.measure]} (UTC); used ${round(state.used)}, this request needs ${round(state.requested)}.`;
}

const MEASURE_PHRASES: Record<MeasureName, string> = {
  requests_per_minute: 'requests per minute',
  requests_per_day: 'requests per day',
  requests_per_month: 'requests per month',
  tokens_per_minute: 'tokens per minute',
  tokens_per_day: 'tokens per day',
  tokens_per_month: 'tokens per month',
  cost_usd_per_day: 'USD of cost per day',
  cost_usd_per_month: 'USD of cost per month',
};

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
