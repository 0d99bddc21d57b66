import type { FinishReason } from '../../api/completion-response.ts';

/**
 * OpenAI-compatible servers mostly answer `stop` / `length`, but some (vLLM, llama.cpp,
 * Ollama) use their own words. Unknown reasons count as a natural stop.
 * @see https://platform.openai.com/docs/api-reference/completions/object#completions/object-choices
 */
export function mapOpenAIFinishReason(reason: string | null | undefined): FinishReason | null {
  switch (reason) {
    case null:
    case undefined:
      return null;
    case 'length':
    case 'max_tokens':
    case 'model_length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}
