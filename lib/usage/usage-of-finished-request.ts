/**
 * From the facts of a finished request (lib/request-finished.ts) to the usage record's input:
 * which target answered, its tokens (reported, or counted when none came or the caller left),
 * and its `pricing`. Synchronous unless the tokens must be counted or the price table loaded:
 * most records are built and written in one step, without a promise.
 */
import { UpstreamError } from '../api/errors.ts';
import type { Usage } from '../api/completion-response.ts';
import { describeError, log } from '../log.ts';
import type { FinishedRequest } from '../request-finished.ts';
import { lastAttempt } from '../routing/route-outcome.ts';
import { estimateAnswerUsage } from './estimate-tokens.ts';
import { priceFromTable } from './look-up-table-cost.ts';
import { type PriceLookUp, priceUsage, type UnpricedUsageInput } from './record-usage.ts';
import type { TokenUsagePart } from './sum-token-usage.ts';
import type { RequestFacts } from './format-emf-metrics.ts';
import type { CacheStatus, UsageRecord } from './usage-record.ts';

const CACHE_STATUSES = new Set<string>(['HIT', 'MISS', 'REFRESH', 'DISABLED']);
/** The error codes of the gateway's own limits (lib/limits), as opposed to an upstream's 429. */
const LIMIT_CODES = new Set(['rate_limit_exceeded', 'insufficient_quota', 'limits_unavailable']);

/**
 * @example
 * const input = await usageInputOf(finished); // { traceId, provider: 'openai', usage: [{ promptTokens: 5, ... }], ... }
 */
function usageInputOf(finished: FinishedRequest): UnpricedUsageInput | Promise<UnpricedUsageInput> {
  const tokens = tokensOf(finished);
  return tokens instanceof Promise ? tokens.then((usage) => inputWith(finished, usage)) : inputWith(finished, tokens);
}

function inputWith(finished: FinishedRequest, usage: TokenUsagePart[]): UnpricedUsageInput {
  const { outcome } = finished;
  const answering = lastAttempt(outcome);
  const cacheHeader = outcome.headers['x-portkey-cache-status']?.toUpperCase();
  return {
    traceId: finished.traceId,
    caller: { arn: finished.caller.userArn ?? null, account: finished.caller.accountId ?? null },
    virtualKey: answering?.virtualKey ?? null,
    configId: outcome.storedConfig ?? null,
    provider: answering?.provider ?? null,
    model: answering?.params?.model ?? null,
    targetPath: answering?.path ?? null,
    status: finished.statusCode,
    errorCode: finished.errorCode,
    stream: finished.stream,
    retries: answering?.retries ?? 0,
    fallbacks: Math.max(0, outcome.attempts.length - 1),
    cache: cacheHeader !== undefined && CACHE_STATUSES.has(cacheHeader) ? (cacheHeader as CacheStatus) : 'DISABLED',
    timings: { startedAt: 0, firstByteAt: finished.firstByteMs ?? null, lastByteAt: finished.latencyMs },
    usage,
    pricing: answering?.pricing ?? null,
  };
}

/**
 * The tokens of a request: as reported, unless the gateway must count them itself. It counts
 * when an answer was under way (a stream) and either no usage came or the caller left before
 * the end (then the usage that came may be partial, or still on its way). A request refused or
 * failed before any answer has no tokens: nothing was generated for it.
 */
function tokensOf(finished: FinishedRequest): TokenUsagePart[] | Promise<TokenUsagePart[]> {
  // The answer's own estimate (the provider reported none) is kept as is: the caller was told these numbers.
  const reported = finished.usage === undefined ? undefined : toPart(finished.usage, finished.usageEstimated === true);
  const sent = lastAttempt(finished.outcome)?.params;
  const answered = finished.stream && finished.firstByteMs !== undefined && sent !== undefined;
  if (!answered || (reported !== undefined && !finished.callerGone)) return reported ? [reported] : [];
  return countedTokens(finished, sent.prompt, reported?.estimated ? undefined : reported);
}

/** The tokenizer's count (loaded on first use), keeping what the provider reported exactly. */
async function countedTokens(finished: FinishedRequest, prompt: unknown, reported: TokenUsagePart | undefined): Promise<TokenUsagePart[]> {
  let estimate: TokenUsagePart;
  try {
    estimate = await estimateAnswerUsage(prompt, finished.sentTexts);
  } catch (error) {
    // The tokenizer failed to load: the record still goes out, with what was reported.
    log.warn('token estimate failed', { traceId: finished.traceId, ...describeError(error) });
    return reported ? [{ ...reported, estimated: true }] : [];
  }
  // A prompt count the provider already gave (Anthropic's message_start) is exact: keep it.
  if (reported && reported.promptTokens > 0) estimate.promptTokens = reported.promptTokens;
  if (reported && reported.completionTokens > estimate.completionTokens) estimate.completionTokens = reported.completionTokens;
  return [estimate];
}

function toPart(usage: Usage, estimated: boolean): TokenUsagePart {
  return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, estimated };
}

/** What the metrics need beyond the record: whether the gateway's own limits refused it. */
export function requestFactsOf(finished: FinishedRequest): RequestFacts {
  const refusal = lastAttempt(finished.outcome)?.error;
  return { limitRejected: finished.errorCode !== null && LIMIT_CODES.has(finished.errorCode) && !(refusal instanceof UpstreamError) };
}

/**
 * The priced record of a finished request; a promise only when tokens must be counted or the
 * price table asked.
 * @example
 * const record = await usageRecordOf(finished); // { message: 'request', promptTokens: 5, costUsd: 0.0000125, ... }
 */
export function usageRecordOf(finished: FinishedRequest, lookUp: PriceLookUp = priceFromTable): UsageRecord | Promise<UsageRecord> {
  const input = usageInputOf(finished);
  return input instanceof Promise ? input.then((ready) => priceUsage(ready, lookUp)) : priceUsage(input, lookUp);
}
