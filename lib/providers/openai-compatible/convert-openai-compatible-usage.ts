import type { Usage } from '../../api/completion-response.ts';

/** Fills a complete usage object from whatever counts a server sent (some omit total_tokens). */
export function convertOpenAICompatibleUsage(
  usage: { prompt_tokens?: number | null; completion_tokens?: number | null; total_tokens?: number | null } | null | undefined,
): Usage | undefined {
  if (!usage) return undefined;
  const prompt = usage.prompt_tokens ?? 0;
  const completion = usage.completion_tokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: usage.total_tokens ?? prompt + completion };
}
