/**
 * The usage record: the one JSON log line written after the last byte of every request (DESIGN.md,
 * "Usage record"). Platform teams query its field names, so they are a contract. It is built from
 * facts only: never the prompt, the completion or a key; a virtual key appears by name.
 */
import { computeCostUsd, type Pricing, roundUsd } from './compute-cost-usd.ts';
import { sumTokenUsage, type TokenUsagePart } from './sum-token-usage.ts';

export type CacheStatus = 'HIT' | 'MISS' | 'REFRESH' | 'DISABLED';

export interface UsageInput {
  /** The `x-portkey-trace-id` of the answer. */
  traceId: string;
  /** The IAM caller from API Gateway's request context; null locally. */
  caller: { arn: string | null; account: string | null } | null;
  /** The virtual key of the answering target (its name, never its secret). */
  virtualKey: string | null;
  /** The stored config id, if the request named one (an inline config has none). */
  configId: string | null;
  /** The answering (or last tried) target's provider and the model sent upstream. */
  provider: string | null;
  model: string | null;
  /** The `x-portkey-last-used-option-index` path, when a config was used. */
  targetPath: string | null;
  /** The HTTP status the caller got. */
  status: number;
  /** The OpenAI error code the caller got, also for an in-band stream error. */
  errorCode: string | null;
  stream: boolean;
  /** Retries on the answering target; targets given up before it. */
  retries: number;
  fallbacks: number;
  cache: CacheStatus | null;
  /** Milliseconds on one clock (lib/monotonic-ms.ts); `firstByteAt` null when nothing was sent. */
  timings: { startedAt: number; firstByteAt: number | null; lastByteAt: number };
  /** One part per upstream call that produced tokens. */
  usage: readonly TokenUsagePart[];
  /** The target's `pricing` (virtual key secret or config target); wins over the price table. */
  pricing: Pricing | null;
  /** What the price table says these tokens cost on this provider and model; null when unknown. */
  priceTableCostUsd: number | null;
}

export interface UsageRecord {
  message: 'request';
  traceId: string;
  caller: string | null;
  account: string | null;
  virtualKey: string | null;
  config: string | null;
  provider: string | null;
  model: string | null;
  target: string | null;
  status: number;
  errorCode: string | null;
  stream: boolean;
  retries: number;
  fallbacks: number;
  cache: CacheStatus | null;
  latencyMs: number;
  firstByteMs: number | null;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  tokensEstimated: boolean;
  costUsd: number | null;
}

/**
 * @example
 * log line: JSON.stringify(buildUsageRecord({ traceId, caller: null, ..., usage: [part], pricing: null, priceTableCostUsd: 0.0004 }))
 */
export function buildUsageRecord(input: Omit<UsageInput, 'priceTableCostUsd'> & { priceTableCostUsd?: number | null }, priceTableCostUsd = input.priceTableCostUsd ?? null): UsageRecord {
  const tokens = sumTokenUsage(input.usage);
  return {
    message: 'request',
    traceId: input.traceId,
    caller: input.caller?.arn ?? null,
    account: input.caller?.account ?? null,
    virtualKey: input.virtualKey,
    config: input.configId,
    provider: input.provider,
    model: input.model,
    target: input.targetPath,
    status: input.status,
    errorCode: input.errorCode,
    stream: input.stream,
    retries: input.retries,
    fallbacks: input.fallbacks,
    cache: input.cache,
    latencyMs: elapsed(input.timings.startedAt, input.timings.lastByteAt),
    firstByteMs: input.timings.firstByteAt === null ? null : elapsed(input.timings.startedAt, input.timings.firstByteAt),
    promptTokens: tokens.promptTokens,
    completionTokens: tokens.completionTokens,
    totalTokens: tokens.totalTokens,
    tokensEstimated: tokens.estimated,
    costUsd: recordCost(input, tokens, priceTableCostUsd),
  };
}

/** A cache hit called no upstream: it cost nothing, whatever tokens the cached answer reports. */
function recordCost(input: Pick<UsageInput, 'cache' | 'pricing'>, tokens: { promptTokens: number; completionTokens: number }, priceTableCostUsd: number | null): number | null {
  if (input.cache === 'HIT') return 0;
  if (input.pricing) return computeCostUsd(tokens, input.pricing);
  return priceTableCostUsd === null ? null : roundUsd(priceTableCostUsd);
}

/**
 * Whole milliseconds, never negative (a clock read out of order is a bug, not a negative latency)
 * and always a number (metrics lines carry it as is).
 */
function elapsed(from: number, to: number): number {
  const milliseconds = Math.round(to - from);
  return milliseconds > 0 ? milliseconds : 0;
}

