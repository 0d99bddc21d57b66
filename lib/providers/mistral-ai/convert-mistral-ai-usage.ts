import type { Usage } from '../../api/completion-response.ts';
import type { MistralUsage } from './mistral-ai-schemas.ts';

/**
 * Mistral reports usage in OpenAI's own words; only a missing total is filled in.
 * @see https://docs.mistral.ai/api/#tag/chat/operation/chat_completion_v1_chat_completions_post (usage)
 */
export function convertMistralAIUsage(usage: MistralUsage): Usage | undefined {
  if (!usage) return undefined;
  const prompt = usage.prompt_tokens ?? 0;
  const completion = usage.completion_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: usage.total_tokens ?? prompt + completion };
}
