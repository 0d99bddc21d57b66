/**
 * The end of every request, in two steps the edge calls after the last byte:
 * `priceUsage` builds the record (loading the price table only when a price is needed from it),
 * `writeUsage` writes it as one JSON line and, when metrics are on, one EMF line.
 */
import { describeError, log, logRequestId, writeLogLine, writeLogLines } from '../log.ts';
import { formatUsageMetrics, type RequestFacts } from './format-emf-metrics.ts';
import { formatUsageJson } from './format-usage-json.ts';
import { formatUsageLine } from './format-usage-line.ts';
import { priceFromTable, type TableCostInput } from './look-up-table-cost.ts';
import type { MetricsSettings } from './metrics-settings.ts';
import { providerDimension } from './metrics-settings.ts';
import { sumTokenUsage } from './sum-token-usage.ts';
import { buildUsageRecord, type UsageInput, type UsageRecord } from './usage-record.ts';

export type UnpricedUsageInput = Omit<UsageInput, 'priceTableCostUsd'>;

/** The price table's answer: at once when it is known, else once the table is loaded. */
export type PriceLookUp = (input: TableCostInput) => number | null | Promise<number | null>;

/**
 * The record of a request, priced. The table is consulted only when neither a cache hit nor the
 * target's `pricing` decides the cost, and a table that fails to load costs the record its price,
 * never the record. No promise unless the table must be waited for.
 */
export function priceUsage(input: UnpricedUsageInput, lookUp: PriceLookUp = priceFromTable): UsageRecord | Promise<UsageRecord> {
  if (input.cache === 'HIT' || input.pricing || !input.provider || !input.model) return buildUsageRecord(input, null);
  const tokens = sumTokenUsage(input.usage);
  let price: number | null | Promise<number | null>;
  try {
    price = lookUp({ provider: input.provider, model: input.model, promptTokens: tokens.promptTokens, completionTokens: tokens.completionTokens });
  } catch (error) {
    price = Promise.reject(error);
  }
  if (!(price instanceof Promise)) return buildUsageRecord(input, price);
  return price.then(
    (priceTableCostUsd) => buildUsageRecord(input, priceTableCostUsd),
    (error: unknown) => {
      log.warn('price table failed', { traceId: input.traceId, ...describeError(error) });
      return buildUsageRecord(input, null);
    },
  );
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
  const time = options.now ? options.now().getTime() : Date.now();
  const line = options.readable ? formatUsageLine(record) : formatUsageJson(record, time, logRequestId());
  if (!options.metrics.enabled) {
    if (options.write) options.write(line);
    else writeLogLine(line);
    return;
  }
  const dimensions = { namespace: options.metrics.namespace, provider: providerDimension(record.provider), model: options.metrics.modelDimension(record.model) };
  const metrics = formatUsageMetrics(record, facts, dimensions, time);
  if (options.write) {
    options.write(line);
    options.write(metrics);
  } else {
    // One write for both lines (see writeLogLines).
    writeLogLines([line, metrics]);
  }
}
