/**
 * A whole Gemini `generateContent` answer → one completion part: a choice per candidate at its
 * `index`, thoughts left out, and a blocked prompt (`promptFeedback.blockReason`, no candidates)
 * as `content_filter` choices with empty text, the way OpenAI reports a filtered completion.
 * @see https://ai.google.dev/api/generate-content#generatecontentresponse
 */
import type { ProviderCall, CompletionPart } from '../provider.ts';
import { convertGoogleLogprobs } from './convert-google-logprobs.ts';
import { convertGoogleUsage } from './convert-google-usage.ts';
import { MAX_CANDIDATE_COUNT } from './google-parameters.ts';
import type { GoogleResponse } from './google-schemas.ts';
import { mapGoogleFinishReason } from './map-google-finish-reason.ts';
import { readGoogleCandidateText } from './read-google-candidate.ts';

export function readGoogleResponse(response: GoogleResponse, call: ProviderCall): CompletionPart {
  const candidates = response.candidates ?? [];
  const part: CompletionPart = {
    choices:
      candidates.length === 0 && response.promptFeedback?.blockReason
        ? blockedChoices(candidateCount(call))
        : candidates
            .map((candidate, position) => ({
              index: candidate.index ?? position,
              text: readGoogleCandidateText(candidate),
              logprobs: convertGoogleLogprobs(candidate.logprobsResult),
              finish_reason: mapGoogleFinishReason(candidate.finishReason) ?? 'stop',
            }))
            .sort((a, b) => a.index - b.index),
    usage: convertGoogleUsage(response.usageMetadata),
  };
  if (response.responseId) part.id = response.responseId;
  if (response.modelVersion) part.model = response.modelVersion;
  return part;
}

/** How many candidates the request asked for (`n`, within Gemini's limit). */
export function candidateCount(call: ProviderCall): number {
  return Math.min(Math.max(call.params.n ?? 1, 1), MAX_CANDIDATE_COUNT);
}

export function blockedChoices(count: number): CompletionPart['choices'] {
  return Array.from({ length: count }, (_, index) => ({ index, text: '', logprobs: null, finish_reason: 'content_filter' as const }));
}
