import type { FinishReason } from '../../api/completion-response.ts';
import { UpstreamError } from '../../api/errors.ts';

/**
 * Mistral `finish_reason` → OpenAI `finish_reason`. `error` means the generation failed
 * midway: OpenAI has no word for that, and a broken answer must not pass for a finished one,
 * so it throws.
 * @see https://docs.mistral.ai/api/#tag/chat/operation/chat_completion_v1_chat_completions_post (finish_reason)
 * @throws UpstreamError (502, `generation_error`) for `error`.
 */
export function mapMistralAIFinishReason(reason: string | null | undefined): FinishReason | null {
  switch (reason) {
    case null:
    case undefined:
      return null;
    case 'length':
    case 'model_length':
      return 'length';
    case 'error':
      throw new UpstreamError('mistral-ai reported an error during generation.', { provider: 'mistral-ai', statusCode: 502, code: 'generation_error' });
    default:
      // stop, and tool_calls (which a plain prompt cannot trigger).
      return 'stop';
  }
}
