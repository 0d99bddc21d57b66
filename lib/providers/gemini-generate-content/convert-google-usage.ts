import type { Usage } from '../../api/completion-response.ts';
import type { GoogleUsageMetadata } from './google-schemas.ts';

/**
 * Gemini counts a thinking model's thoughts apart from the answer (`thoughtsTokenCount`);
 * OpenAI's `completion_tokens` includes reasoning tokens, so the two are added.
 * @see https://ai.google.dev/api/generate-content#UsageMetadata
 */
export function convertGoogleUsage(usage: GoogleUsageMetadata | null | undefined): Usage {
  const prompt = usage?.promptTokenCount ?? 0;
  const completion = (usage?.candidatesTokenCount ?? 0) + (usage?.thoughtsTokenCount ?? 0);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}
