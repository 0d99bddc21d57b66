import type { Logprobs } from '../../api/completion-response.ts';
import type { GoogleLogprobsResult } from './google-schemas.ts';

/**
 * Gemini `logprobsResult` → OpenAI completion `logprobs`: the chosen token per step with its
 * log probability, the top alternatives per step as `{token: logprob}`, and each token's
 * character offset, counted on from `textOffset` (where this piece of text starts).
 * @see https://ai.google.dev/api/generate-content#LogprobsResult
 * @see https://platform.openai.com/docs/api-reference/completions/object#completions/object-choices
 */
export function convertGoogleLogprobs(result: GoogleLogprobsResult | null | undefined, textOffset = 0): Logprobs | null {
  const chosen = result?.chosenCandidates;
  if (!chosen) return null;
  const tokens = chosen.map((candidate) => candidate.token ?? '');
  const offsets: number[] = [];
  let offset = textOffset;
  for (const token of tokens) {
    offsets.push(offset);
    offset += token.length;
  }
  return {
    tokens,
    token_logprobs: chosen.map((candidate) => candidate.logProbability ?? null),
    top_logprobs: result.topCandidates
      ? result.topCandidates.map((step) => Object.fromEntries((step.candidates ?? []).map((candidate) => [candidate.token ?? '', candidate.logProbability ?? 0])))
      : null,
    text_offset: offsets,
  };
}
