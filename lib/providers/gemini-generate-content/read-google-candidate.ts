import type { GoogleCandidate } from './google-schemas.ts';

/**
 * The answer text of a candidate: its text parts joined, without a thinking model's thought
 * parts (`thought: true`), which are reasoning, not completion text.
 * @see https://ai.google.dev/gemini-api/docs/thinking
 */
export function readGoogleCandidateText(candidate: GoogleCandidate): string {
  let text = '';
  for (const part of candidate.content?.parts ?? []) if (part.text && !part.thought) text += part.text;
  return text;
}
