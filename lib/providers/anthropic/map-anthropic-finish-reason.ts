import type { FinishReason } from '../../api/completion-response.ts';

/**
 * Anthropic `stop_reason` → OpenAI `finish_reason`. OpenAI has only three words, so reasons
 * that end a turn normally (`end_turn`, `stop_sequence`, and the tool/pause reasons a plain
 * prompt never triggers) are `stop`; an unknown future reason also arrives with a complete
 * message (the stream reached `message_stop`), so it is `stop` too rather than a made-up word.
 * @see https://docs.anthropic.com/en/api/handling-stop-reasons
 */
export function mapAnthropicFinishReason(reason: string | null | undefined): FinishReason | null {
  switch (reason) {
    case null:
    case undefined:
      return null;
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}
