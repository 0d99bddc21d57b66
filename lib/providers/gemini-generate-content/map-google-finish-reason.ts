import type { FinishReason } from '../../api/completion-response.ts';
import { mapFinishReason, type FinishReasonTable } from '../map-finish-reason.ts';

/**
 * Gemini `finishReason` → OpenAI `finish_reason`. Every reason that means "blocked by a
 * filter" is `content_filter`; the rest end the candidate normally (`OTHER`, and tool-call
 * reasons a plain prompt cannot trigger) and are `stop`.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 */
const googleFinishReasons: FinishReasonTable = {
  STOP: 'stop',
  OTHER: 'stop',
  FINISH_REASON_UNSPECIFIED: 'stop',
  MALFORMED_FUNCTION_CALL: 'stop',
  UNEXPECTED_TOOL_CALL: 'stop',
  TOO_MANY_TOOL_CALLS: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  LANGUAGE: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
};

export function mapGoogleFinishReason(reason: string | null | undefined): FinishReason | null {
  return mapFinishReason('google', googleFinishReasons, reason);
}
