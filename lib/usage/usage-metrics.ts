/**
 * The metrics of one request, from its usage record: what the dashboard and the alarms read.
 */
import type { UsageRecord } from './usage-record.ts';
import type { MetricValues } from './format-emf-metrics.ts';

export interface RequestFacts {
  /** True when the gateway's own limits refused the request (an upstream's 429 is not ours). */
  limitRejected: boolean;
}

/**
 * @example
 * usageMetrics(record, { limitRejected: false });
 * // { Requests: 1, Errors: 0, Latency: 840, TimeToFirstByte: 120, PromptTokens: 12, ... }
 */
export function usageMetrics(record: UsageRecord, facts: RequestFacts): MetricValues {
  const failed = record.status >= 400 || record.errorCode !== null;
  const metrics: MetricValues = {
    Requests: 1,
    Errors: failed ? 1 : 0,
    Latency: record.latencyMs,
    PromptTokens: record.promptTokens,
    CompletionTokens: record.completionTokens,
    Retries: record.retries,
    Fallbacks: record.fallbacks,
    // A stream that broke after its 200 went out: the error reached the caller in-band.
    StreamErrors: record.stream && record.status < 400 && record.errorCode !== null ? 1 : 0,
    CacheHits: record.cache === 'HIT' ? 1 : 0,
    LimitRejections: facts.limitRejected ? 1 : 0,
  };
  // Unknown is not zero: a missing first byte or price is left out, not averaged in as 0.
  if (record.firstByteMs !== null) metrics.TimeToFirstByte = record.firstByteMs;
  if (record.costUsd !== null) metrics.CostUsd = record.costUsd;
  return metrics;
}
