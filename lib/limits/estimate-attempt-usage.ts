/**
 * What one attempt will use at most, for its reservation, and what it did use, for settling,
 * priced by the target's own `pricing` when it has one, else by the price table (lib/usage), as the
 * usage record prices them.
 *
 * Text is counted as one token per 3 characters, not with the tokenizer: a reservation runs beside
 * the upstream call and holds the first byte, and loading the tokenizer takes ~115 ms on a cold
 * container (lib/usage/estimate-tokens.ts) and ~1 MB in the bundle. English runs ~4 characters per
 * token, so this leans to reserving more; the provider's reported usage corrects it after the
 * answer, and the estimate is settled on only when a provider reports none.
 */
import { promptList } from '../api/completion-request.ts';
import type { Usage } from '../api/completion-response.ts';
import type { TargetAttempt } from '../routing/target-middleware.ts';
import { computeCostUsd, type Pricing } from '../usage/compute-cost-usd.ts';
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
  for (const prompt of prompts) promptTokens += typeof prompt === 'string' ? approximateTokens(prompt) : prompt.length;
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
    for (const text of completionTexts) completionTokens += approximateTokens(text);
  }
  return { tokens: promptTokens + completionTokens, costUsd: options.priced ? await priceTokens(attempt, promptTokens, completionTokens) : null };
}

/** @example approximateTokens('Say this is a test') // 6 (the tokenizer says 5) */
export function approximateTokens(text: string): number {
  return Math.ceil(text.length / CHARACTERS_PER_TOKEN);
}

const CHARACTERS_PER_TOKEN = 3;

/** The target's `pricing` (a virtual key's secret or a config target) wins over the price table. */
function priceTokens(attempt: TargetAttempt, promptTokens: number, completionTokens: number): Promise<number | null> {
  const pricing = (attempt.call.target as { pricing?: Pricing }).pricing;
  if (pricing) return Promise.resolve(computeCostUsd({ promptTokens, completionTokens }, pricing));
  return lookUpTableCost({ provider: attempt.provider.name, model: attempt.call.params.model, promptTokens, completionTokens });
}
