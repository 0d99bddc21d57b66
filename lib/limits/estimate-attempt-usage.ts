/**
 * What one attempt will use at most, for its reservation, and what it did use, for settling:
 * tokens counted by the usage record's tokenizer (lib/usage), priced by the target's own `pricing`
 * when it has one, else by the price table (lib/usage), as the usage record prices them.
 */
import { promptList } from '../api/completion-request.ts';
import type { Usage } from '../api/completion-response.ts';
import type { TargetAttempt } from '../routing/target-middleware.ts';
import { computeCostUsd, type Pricing } from '../usage/compute-cost-usd.ts';
import { estimateTokens } from '../usage/estimate-tokens.ts';
import { lookUpTableCost } from '../usage/look-up-table-cost.ts';
import type { LimitUsage } from './create-limiter.ts';
import { estimateReservation } from './estimate-reservation.ts';

export interface AttemptEstimate extends LimitUsage {
  /** The prompts' tokens alone: what settling assumes when the provider reports no usage. */
  promptTokens: number;
}

/** Prompt tokens + `max_tokens` × choices, and their price (null when unknown). */
export async function estimateAttemptUsage(attempt: TargetAttempt): Promise<AttemptEstimate> {
  const { params } = attempt.call;
  const prompts = promptList(params.prompt);
  let promptTokens = 0;
  for (const prompt of prompts) promptTokens += typeof prompt === 'string' ? await estimateTokens(prompt) : prompt.length;
  const { tokens } = estimateReservation({ promptTokens, promptCount: prompts.length, maxTokens: params.max_tokens, n: params.n, bestOf: params.best_of });
  return { tokens, promptTokens, costUsd: await priceTokens(attempt, promptTokens, tokens - promptTokens) };
}

/**
 * What the attempt used: the provider's reported usage (summed over parts), else the prompt's
 * estimate plus the completion text counted here (a stream without a usage chunk, a caller gone).
 */
export async function actualAttemptUsage(
  attempt: TargetAttempt,
  reported: readonly Usage[],
  completionTexts: readonly string[],
  estimate: () => Promise<AttemptEstimate>,
  options: { priced: boolean },
): Promise<LimitUsage> {
  let promptTokens = 0;
  let completionTokens = 0;
  if (reported.length > 0) {
    for (const usage of reported) {
      promptTokens += usage.prompt_tokens;
      completionTokens += usage.completion_tokens;
    }
  } else {
    promptTokens = (await estimate()).promptTokens;
    for (const text of completionTexts) completionTokens += await estimateTokens(text);
  }
  return { tokens: promptTokens + completionTokens, costUsd: options.priced ? await priceTokens(attempt, promptTokens, completionTokens) : null };
}

/** The target's `pricing` (a virtual key's secret or a config target) wins over the price table. */
function priceTokens(attempt: TargetAttempt, promptTokens: number, completionTokens: number): Promise<number | null> {
  const pricing = (attempt.call.target as { pricing?: Pricing }).pricing;
  if (pricing) return Promise.resolve(computeCostUsd({ promptTokens, completionTokens }, pricing));
  return lookUpTableCost({ provider: attempt.provider.name, model: attempt.call.params.model, promptTokens, completionTokens });
}
