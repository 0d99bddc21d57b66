/**
 * The usage writer the edge calls once per finished request (`onRequestFinished`): the record as
 * one JSON line (or one short line for a person at a terminal), and an EMF line when metrics are
 * on. It runs after the caller's last byte and never fails the request: a record that cannot be
 * built is logged as such.
 */
import { describeError, log } from '../log.ts';
import type { FinishedRequest, RequestFinishedHook } from '../request-finished.ts';
import type { TargetMiddleware } from '../routing/target-middleware.ts';
import { afterNextUpstreamRequest } from '../upstream/send-upstream.ts';
import { preloadPriceTable, priceFromTable } from './look-up-table-cost.ts';
import type { MetricsSettings } from './metrics-settings.ts';
import { type PriceLookUp, writeUsage, type WriteUsageOptions } from './record-usage.ts';
import { requestFactsOf, usageRecordOf } from './usage-of-finished-request.ts';
import type { UsageRecord } from './usage-record.ts';

export interface UsageRecorderOptions {
  metrics: MetricsSettings;
  /** One short line instead of the JSON record (`npm start` on a terminal). */
  readable?: boolean;
  /** Where lines go; default the log's sink (stdout). */
  write?: (line: string) => void;
  lookUp?: PriceLookUp;
}

/**
 * Synchronous for most requests (tokens reported, price known): it returns a promise only when
 * it must count tokens or load the price table. It runs once per invocation, mostly in V8's
 * first tiers, where each promise and each call shows (bench/usage-recording-runtime.ts).
 * @example
 * const onRequestFinished = createUsageRecorder({ metrics: readMetricsSettings() });
 */
export function createUsageRecorder(options: UsageRecorderOptions): RequestFinishedHook {
  const { lookUp = priceFromTable } = options;
  const writeOptions: WriteUsageOptions = { metrics: options.metrics, readable: options.readable ?? false, ...(options.write ? { write: options.write } : {}) };
  function write(record: UsageRecord, finished: FinishedRequest): void {
    try {
      writeUsage(record, requestFactsOf(finished), writeOptions);
    } catch (error) {
      failed(error, finished);
    }
  }
  return function recordUsage(finished: FinishedRequest): Promise<void> | undefined {
    let record: UsageRecord | Promise<UsageRecord>;
    try {
      record = usageRecordOf(finished, lookUp);
    } catch (error) {
      failed(error, finished);
      return undefined;
    }
    if (record instanceof Promise) {
      return record.then(
        (ready) => write(ready, finished),
        (error: unknown) => failed(error, finished),
      );
    }
    write(record, finished);
    return undefined;
  };
}

function failed(error: unknown, finished: FinishedRequest): void {
  log.error('usage record failed', { traceId: finished.traceId, ...describeError(error) });
}

/**
 * The innermost target middleware: the first call to reach a provider starts loading the price
 * table once its request is on the wire, so that the load (~30 ms of compile and evaluation on a
 * cold container) overlaps the upstream's answer instead of following the last byte, or delaying
 * the request itself. Off the cold start, and never for a request that no provider answers (a
 * cache hit); a record that needs the table before then loads it itself.
 */
let priceTableLoadStarted = false;

export const startPriceTableLoad: TargetMiddleware = (next) =>
  function preloadThenCall(attempt) {
    // Once per container (the chain is composed per request).
    if (!priceTableLoadStarted) {
      priceTableLoadStarted = true;
      afterNextUpstreamRequest(preloadPriceTable);
    }
    return next(attempt);
  };
