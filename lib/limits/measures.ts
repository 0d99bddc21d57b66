/**
 * The measures a rule may set, as data: what each counts and over which window. Per-minute measures
 * are rate limits (retry soon), per-day and per-month ones are budgets (do not retry).
 */
import type { WindowKind } from './limit-windows.ts';

export type Unit = 'requests' | 'tokens' | 'cost';

export const MEASURES = {
  requests_per_minute: { unit: 'requests', window: 'minute' },
  requests_per_day: { unit: 'requests', window: 'day' },
  requests_per_month: { unit: 'requests', window: 'month' },
  tokens_per_minute: { unit: 'tokens', window: 'minute' },
  tokens_per_day: { unit: 'tokens', window: 'day' },
  tokens_per_month: { unit: 'tokens', window: 'month' },
  cost_usd_per_day: { unit: 'cost', window: 'day' },
  cost_usd_per_month: { unit: 'cost', window: 'month' },
} as const satisfies Record<string, { unit: Unit; window: WindowKind }>;

export type MeasureName = keyof typeof MEASURES;

export const MEASURE_NAMES = Object.keys(MEASURES) as MeasureName[];

/** Whether exceeding the measure is a rate limit (429 `rate_limit_exceeded`) rather than a budget. */
export function isRateLimit(measure: MeasureName): boolean {
  return MEASURES[measure].window === 'minute';
}
