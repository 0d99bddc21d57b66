import type { FinishReason } from '../../api/completion-response.ts';

/**
 * Gemini `finishReason` → OpenAI `finish_reason`. Every reason that means "blocked by a
 * filter" is `content_filter`; the rest end the candidate normally (`OTHER`, and tool-call
 * reasons a plain prompt cannot trigger) and are `stop`.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 */
export function mapGoogleFinishReason(reason: string | null | undefined): FinishReason | null {
  switch (reason) {
    case null:
    case undefined:
      return null;
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'LANGUAGE':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
      return 'content_filter';
    default:
      return 'stop';
  }
}
