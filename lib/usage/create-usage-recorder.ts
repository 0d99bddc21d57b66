/**
 * The usage writer the edge calls once per finished request (`onRequestFinished`): the record as
 * one JSON line (or one short line for a person at a terminal), and an EMF line when metrics are
 * on. It runs after the caller's last byte and never fails the request: a record that cannot be
 * built is logged as such.
 */
import { describeError, log } from '../log.ts';
import type { FinishedRequest, RequestFinishedHook } from '../request-finished.ts';
import type { TargetMiddleware } from '../routing/target-middleware.ts';
import { lookUpTableCost, preloadPriceTable } from './look-up-table-cost.ts';
import type { MetricsSettings } from './metrics-settings.ts';
import { writeUsage } from './record-usage.ts';
import { requestFactsOf, usageRecordOf } from './usage-of-finished-request.ts';

export interface UsageRecorderOptions {
  metrics: MetricsSettings;
  /** One short line instead of the JSON record (`npm start` on a terminal). */
  readable?: boolean;
  /** Where lines go; default the log's sink (stdout). */
  write?: (line: string) => void;
  lookUp?: typeof lookUpTableCost;
}

/**
 * @example
 * const onRequestFinished = createUsageRecorder({ metrics: readMetricsSettings() });
 */
export function createUsageRecorder(options: UsageRecorderOptions): RequestFinishedHook {
  const { metrics, readable = false, write, lookUp = lookUpTableCost } = options;
  return async function recordUsage(finished: FinishedRequest): Promise<void> {
    try {
      const record = await usageRecordOf(finished, lookUp);
      writeUsage(record, requestFactsOf(finished), { metrics, readable, ...(write ? { write } : {}) });
    } catch (error) {
      log.error('usage record failed', { traceId: finished.traceId, ...describeError(error) });
    }
  };
}

/**
 * The innermost target middleware: the first call to reach a provider starts loading the price
 * table, so that its load (~80-130 ms cold) overlaps the upstream's answer instead of following
 * the last byte. Off the cold start, and never for a request that no provider answers (a cache hit).
 */
let priceTableLoadStarted = false;

export const startPriceTableLoad: TargetMiddleware = (next) =>
  function preloadThenCall(attempt) {
    // Once per container (the chain is composed per request).
    if (!priceTableLoadStarted) {
      priceTableLoadStarted = true;
      preloadPriceTable();
    }
    return next(attempt);
  };
