import type { FinishReason } from '../../api/completion-response.ts';
import { mapFinishReason, type FinishReasonTable } from '../map-finish-reason.ts';

/**
 * Anthropic `stop_reason` → OpenAI `finish_reason`, for the Messages API wherever it is served
 * (Anthropic, Bedrock's Claude). Reasons that end a turn normally (`end_turn`, `stop_sequence`,
 * and the tool/pause reasons a plain prompt never triggers) are `stop`.
 * @see https://docs.anthropic.com/en/api/handling-stop-reasons
 */
export const anthropicFinishReasons: FinishReasonTable = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  tool_use: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  refusal: 'content_filter',
};

export function mapAnthropicFinishReason(reason: string | null | undefined, provider = 'anthropic'): FinishReason | null {
  return mapFinishReason(provider, anthropicFinishReasons, reason);
}
