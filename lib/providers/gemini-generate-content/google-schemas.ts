/**
 * Minimal, lenient schemas of Gemini's `GenerateContentResponse` (the whole answer, and each
 * `streamGenerateContent?alt=sse` event, which has the same shape): only the fields used.
 * Built on first use (`googleSchemas()`), not at import: a container that never calls Gemini
 * never pays for them.
 * @see https://ai.google.dev/api/generate-content#generatecontentresponse
 */
import { lazy } from '../../api/lazy.ts';
import { z } from '../../api/zod.ts';

function buildGoogleSchemas() {
  const logprobsCandidate = z.object({ token: z.nullish(z.string()), logProbability: z.nullish(z.number()) });

  const logprobsResult = z.object({
    chosenCandidates: z.nullish(z.array(logprobsCandidate)),
    topCandidates: z.nullish(z.array(z.object({ candidates: z.nullish(z.array(logprobsCandidate)) }))),
  });

  const candidate = z.object({
    index: z.nullish(z.number()),
    content: z.nullish(z.object({ parts: z.nullish(z.array(z.object({ text: z.nullish(z.string()), thought: z.nullish(z.boolean()) }))) })),
    finishReason: z.nullish(z.string()),
    logprobsResult: z.nullish(logprobsResult),
  });

  const usageMetadata = z.object({
    promptTokenCount: z.nullish(z.number()),
    candidatesTokenCount: z.nullish(z.number()),
    thoughtsTokenCount: z.nullish(z.number()),
    totalTokenCount: z.nullish(z.number()),
  });

  const response = z.object({
    candidates: z.nullish(z.array(candidate)),
    promptFeedback: z.nullish(z.object({ blockReason: z.nullish(z.string()) })),
    usageMetadata: z.nullish(usageMetadata),
    modelVersion: z.nullish(z.string()),
    responseId: z.nullish(z.string()),
  });

  /** `{"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT"}}` (Google's API error shape). */
  const error = z.object({
    error: z.object({ code: z.nullish(z.number()), message: z.nullish(z.string()), status: z.nullish(z.string()) }),
  });

  return { logprobsResult, candidate, usageMetadata, response, error };
}

export const googleSchemas = lazy(buildGoogleSchemas);

type GoogleSchemas = ReturnType<typeof buildGoogleSchemas>;
export type GoogleLogprobsResult = z.infer<GoogleSchemas['logprobsResult']>;
export type GoogleCandidate = z.infer<GoogleSchemas['candidate']>;
export type GoogleUsageMetadata = z.infer<GoogleSchemas['usageMetadata']>;
export type GoogleResponse = z.infer<GoogleSchemas['response']>;
