/**
 * The end of every request, in two steps the edge calls after the last byte:
 * `priceUsage` builds the record (loading the price table only when a price is needed from it),
 * `writeUsage` writes it as one JSON line and, when metrics are on, one EMF line.
 */
import { describeError, log, logRequestId, writeLogLines } from '../log.ts';
import { formatEmfMetrics } from './format-emf-metrics.ts';
import { formatUsageLine } from './format-usage-line.ts';
import { lookUpTableCost } from './look-up-table-cost.ts';
import type { MetricsSettings } from './metrics-settings.ts';
import { providerDimension } from './metrics-settings.ts';
import { sumTokenUsage } from './sum-token-usage.ts';
import { type RequestFacts, usageMetrics } from './usage-metrics.ts';
import { buildUsageRecord, type UsageInput, type UsageRecord } from './usage-record.ts';

export type UnpricedUsageInput = Omit<UsageInput, 'priceTableCostUsd'>;

/**
 * The record of a request, priced. The table is consulted only when neither a cache hit nor the
 * target's `pricing` decides the cost, and a table that fails to load costs the record its price,
 * never the record.
 */
export async function priceUsage(input: UnpricedUsageInput, lookUp = lookUpTableCost): Promise<UsageRecord> {
  let priceTableCostUsd: number | null = null;
  if (input.cache !== 'HIT' && !input.pricing && input.provider && input.model) {
    const tokens = sumTokenUsage(input.usage);
    try {
      priceTableCostUsd = await lookUp({ provider: input.provider, model: input.model, promptTokens: tokens.promptTokens, completionTokens: tokens.completionTokens });
    } catch (error) {
      log.warn('price table failed', { traceId: input.traceId, ...describeError(error) });
    }
  }
  return buildUsageRecord(input, priceTableCostUsd);
}

export interface WriteUsageOptions {
  metrics: MetricsSettings;
  /** Where lines go: the log's sink, stdout, which CloudWatch Logs reads (EMF needs exactly that). */
  write?: (line: string) => void;
  now?: () => Date;
  /**
   * One short line for a person instead of the JSON record (`npm start` on a terminal: the local
   * server passes `process.stdout.isTTY`). Never on Lambda: the JSON record is the bill.
   */
  readable?: boolean;
}

/**
 * Writes the usage record whatever `LOG_LEVEL` says: it is the bill, not a diagnostic. Its first
 * members match `lib/log.ts` lines (`level`, `time`, `message`), so one query reads both.
 */
export function writeUsage(record: UsageRecord, facts: RequestFacts, options: WriteUsageOptions): void {
  const now = options.now ? options.now() : new Date();
  const requestId = logRequestId();
  // The record's own members follow those of a log line; joined as strings, not spread into a copy.
  const lines = [options.readable ? formatUsageLine(record) : `{"level":"info","time":"${now.toISOString()}"${requestId === undefined ? '' : `,"requestId":${JSON.stringify(requestId)}`},${JSON.stringify(record).slice(1)}`];
  if (options.metrics.enabled) {
    lines.push(
      formatEmfMetrics({
        namespace: options.metrics.namespace,
        provider: providerDimension(record.provider),
        model: options.metrics.modelDimension(record.model),
        timestamp: now.getTime(),
        metrics: usageMetrics(record, facts),
      }),
    );
  }
  // One write for both lines where the sink allows it (see writeLogLines).
  if (options.write) for (const line of lines) options.write(line);
  else writeLogLines(lines);
}
