/**
 * Minimal, lenient schemas of Gemini's `GenerateContentResponse` (the whole answer, and each
 * `streamGenerateContent?alt=sse` event, which has the same shape): only the fields used.
 * @see https://ai.google.dev/api/generate-content#generatecontentresponse
 */
import { z } from '../../api/zod.ts';

const logprobsCandidate = z.object({ token: z.nullish(z.string()), logProbability: z.nullish(z.number()) });

const logprobsResult = z.object({
  chosenCandidates: z.nullish(z.array(logprobsCandidate)),
  topCandidates: z.nullish(z.array(z.object({ candidates: z.nullish(z.array(logprobsCandidate)) }))),
});
export type GoogleLogprobsResult = z.infer<typeof logprobsResult>;

const candidate = z.object({
  index: z.nullish(z.number()),
  content: z.nullish(z.object({ parts: z.nullish(z.array(z.object({ text: z.nullish(z.string()), thought: z.nullish(z.boolean()) }))) })),
  finishReason: z.nullish(z.string()),
  logprobsResult: z.nullish(logprobsResult),
});
export type GoogleCandidate = z.infer<typeof candidate>;

const usageMetadata = z.object({
  promptTokenCount: z.nullish(z.number()),
  candidatesTokenCount: z.nullish(z.number()),
  thoughtsTokenCount: z.nullish(z.number()),
  totalTokenCount: z.nullish(z.number()),
});
export type GoogleUsageMetadata = z.infer<typeof usageMetadata>;

export const googleResponseSchema = z.object({
  candidates: z.nullish(z.array(candidate)),
  promptFeedback: z.nullish(z.object({ blockReason: z.nullish(z.string()) })),
  usageMetadata: z.nullish(usageMetadata),
  modelVersion: z.nullish(z.string()),
  responseId: z.nullish(z.string()),
});
export type GoogleResponse = z.infer<typeof googleResponseSchema>;

/** `{"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT"}}` (Google's API error shape). */
export const googleErrorSchema = z.object({
  error: z.object({ code: z.nullish(z.number()), message: z.nullish(z.string()), status: z.nullish(z.string()) }),
});
