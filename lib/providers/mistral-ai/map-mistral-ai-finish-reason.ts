import type { FinishReason } from '../../api/completion-response.ts';
import { UpstreamError } from '../../api/errors.ts';
import { mapFinishReason, type FinishReasonTable } from '../map-finish-reason.ts';

/** `tool_calls` cannot come from a plain prompt, but ends a message normally. */
const mistralFinishReasons: FinishReasonTable = { stop: 'stop', tool_calls: 'stop', length: 'length', model_length: 'length' };

/**
 * Mistral `finish_reason` → OpenAI `finish_reason`. `error` means the generation failed
 * midway: OpenAI has no word for that, and a broken answer must not pass for a finished one,
 * so it throws.
 * @see https://docs.mistral.ai/api/#tag/chat/operation/chat_completion_v1_chat_completions_post (finish_reason)
 * @throws UpstreamError (502, `generation_error`) for `error`.
 */
export function mapMistralAIFinishReason(reason: string | null | undefined): FinishReason | null {
  if (reason === 'error') {
    throw new UpstreamError('mistral-ai reported an error during generation.', { provider: 'mistral-ai', statusCode: 502, code: 'generation_error' });
  }
  return mapFinishReason('mistral-ai', mistralFinishReasons, reason);
}
