import type { FinishReason } from '../../api/completion-response.ts';
import { UpstreamError } from '../../api/errors.ts';
import { mapFinishReason, type FinishReasonTable } from '../map-finish-reason.ts';

/** The v1 reasons `ERROR_TOXIC` and `ERROR_LIMIT` are kept for older deployments; `TOOL_CALL` cannot come from a plain prompt. */
const cohereFinishReasons: FinishReasonTable = {
  COMPLETE: 'stop',
  STOP_SEQUENCE: 'stop',
  TOOL_CALL: 'stop',
  MAX_TOKENS: 'length',
  ERROR_LIMIT: 'length',
  ERROR_TOXIC: 'content_filter',
};

/**
 * Cohere `finish_reason` → OpenAI `finish_reason`. `ERROR` means the generation failed on
 * Cohere's side: there is no OpenAI word for a broken answer, so it throws.
 * @see https://docs.cohere.com/reference/chat (finish_reason)
 * @throws UpstreamError (502, `generation_error`) for `ERROR`.
 */
export function mapCohereFinishReason(reason: string | null | undefined): FinishReason | null {
  if (reason === 'ERROR') {
    throw new UpstreamError('cohere reported an error during generation.', { provider: 'cohere', statusCode: 502, code: 'generation_error' });
  }
  return mapFinishReason('cohere', cohereFinishReasons, reason);
}
