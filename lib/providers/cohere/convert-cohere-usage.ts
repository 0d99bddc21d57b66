import type { Usage } from '../../api/completion-response.ts';
import type { CohereUsage } from './cohere-schemas.ts';

/**
 * Cohere reports `tokens` (what the model read and wrote, its prompt template included) and
 * `billed_units` (what is charged). OpenAI's usage counts the model's tokens, so `tokens` is
 * used, and `billed_units` only when a deployment sends nothing else.
 * @see https://docs.cohere.com/reference/chat (usage)
 */
export function convertCohereUsage(usage: CohereUsage): Usage {
  const counts = usage?.tokens ?? usage?.billed_units;
  const prompt = counts?.input_tokens ?? 0;
  const completion = counts?.output_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}
