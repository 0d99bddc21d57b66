import type { FinishReason } from '../../api/completion-response.ts';
import { UpstreamError } from '../../api/errors.ts';

/**
 * Cohere `finish_reason` → OpenAI `finish_reason`. `ERROR` means the generation failed on
 * Cohere's side: there is no OpenAI word for a broken answer, so it throws. The v1 reasons
 * `ERROR_TOXIC` and `ERROR_LIMIT` are still mapped for older deployments.
 * @see https://docs.cohere.com/reference/chat (finish_reason)
 * @throws UpstreamError (502, `generation_error`) for `ERROR`.
 */
export function mapCohereFinishReason(reason: string | null | undefined): FinishReason | null {
  switch (reason) {
    case null:
    case undefined:
      return null;
    case 'MAX_TOKENS':
    case 'ERROR_LIMIT':
      return 'length';
    case 'ERROR_TOXIC':
      return 'content_filter';
    case 'ERROR':
      throw new UpstreamError('cohere reported an error during generation.', { provider: 'cohere', statusCode: 502, code: 'generation_error' });
    default:
      // COMPLETE, STOP_SEQUENCE, and TOOL_CALL (which a plain prompt cannot trigger).
      return 'stop';
  }
}
