/**
 * OpenAI's rate-limit headers from the state of the counters a request reserved on: for requests
 * and for tokens, the counter with the least room left (the tightest rule) speaks. A pure function,
 * so every answer (served or refused) carries the same view.
 * @see https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers
 */
import type { Counter } from './applicable-counters.ts';

export interface CounterState {
  counter: Counter;
  /** The counter's value including this request's reservation (or, when refused, as read). */
  used: number;
}

/**
 * @example rateLimitHeaders([{ counter: rpm600, used: 12 }], now)
 * // { 'x-ratelimit-limit-requests': '600', 'x-ratelimit-remaining-requests': '588', 'x-ratelimit-reset-requests': '37s' }
 */
export function rateLimitHeaders(states: readonly CounterState[], nowMs: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const unit of ['requests', 'tokens'] as const) {
    const tightest = tightestOf(states.filter((state) => state.counter.unit === unit));
    if (!tightest) continue;
    headers[`x-ratelimit-limit-${unit}`] = String(tightest.counter.limit);
    headers[`x-ratelimit-remaining-${unit}`] = String(Math.max(0, Math.floor(tightest.counter.limit - tightest.used)));
    headers[`x-ratelimit-reset-${unit}`] = formatResetDuration(tightest.counter.window.endMs - nowMs);
  }
  return headers;
}

/** Least room left; on a tie, the one that resets last (it binds longer). */
function tightestOf(states: readonly CounterState[]): CounterState | undefined {
  let best: CounterState | undefined;
  for (const state of states) {
    if (!best) {
      best = state;
      continue;
    }
    const room = state.counter.limit - state.used;
    const bestRoom = best.counter.limit - best.used;
    if (room < bestRoom || (room === bestRoom && state.counter.window.endMs > best.counter.window.endMs)) best = state;
  }
  return best;
}

/**
 * A duration as OpenAI writes it in `x-ratelimit-reset-*` (Go's style): `20ms`, `6s`, `1m30s`, `25h0m0s`.
 */
export function formatResetDuration(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole < 1_000) return `${whole}ms`;
  const seconds = Math.ceil(whole / 1_000);
  const hours = Math.floor(seconds / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours}h${minutes}m${rest}s`;
  if (minutes > 0) return `${minutes}m${rest}s`;
  return `${rest}s`;
}
