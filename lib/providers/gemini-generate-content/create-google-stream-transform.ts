/**
 * Gemini `streamGenerateContent?alt=sse` events → completion parts. Each event is a partial
 * `GenerateContentResponse`: new text per candidate, a `finishReason` on a candidate's last
 * event, and `usageMetadata` that grows as it goes (so only the last one counts, sent once at
 * the end). The stream has no terminal event of its own: it is complete when every candidate
 * it started has a finish reason, or when the prompt was blocked.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
import { UpstreamError } from '../../api/errors.ts';
import { expectShape, parseUpstreamJson } from '../parse-upstream-json.ts';
import type { CompletionPart, ProviderCall, StreamReader, UpstreamEvent } from '../provider.ts';
import { convertGoogleLogprobs } from './convert-google-logprobs.ts';
import { convertGoogleUsage } from './convert-google-usage.ts';
import { googleSchemas, type GoogleUsageMetadata } from './google-schemas.ts';
import { mapGoogleFinishReason } from './map-google-finish-reason.ts';
import { blockedChoices, candidateCount } from './read-google-response.ts';
import { readGoogleCandidateText } from './read-google-candidate.ts';

const PROVIDER = 'google';

export function createGoogleStreamTransform(call: ProviderCall): StreamReader {
  let usage: GoogleUsageMetadata | null | undefined;
  let blocked = false;
  const started = new Set<number>();
  const finished = new Set<number>();
  /** Characters of text so far per candidate, where the next logprob offsets start. */
  const offsets = new Map<number, number>();

  return {
    read(event: UpstreamEvent): CompletionPart[] {
      if (event.kind !== 'sse') return [];
      const json = parseUpstreamJson(event.data, PROVIDER);
      if (typeof json === 'object' && json !== null && 'error' in json) throw streamError(json);
      const chunk = expectShape(googleSchemas().response, json, PROVIDER);
      if (chunk.usageMetadata) usage = chunk.usageMetadata;

      const part: CompletionPart = { choices: [] };
      if (chunk.responseId) part.id = chunk.responseId;
      if (chunk.modelVersion) part.model = chunk.modelVersion;

      if (!chunk.candidates?.length && chunk.promptFeedback?.blockReason) {
        blocked = true;
        part.choices = blockedChoices(candidateCount(call));
        return [part];
      }
      for (const [position, candidate] of (chunk.candidates ?? []).entries()) {
        const index = candidate.index ?? position;
        started.add(index);
        const text = readGoogleCandidateText(candidate);
        const finishReason = mapGoogleFinishReason(candidate.finishReason);
        if (finishReason) finished.add(index);
        if (!text && !finishReason) continue;
        const offset = offsets.get(index) ?? 0;
        offsets.set(index, offset + text.length);
        part.choices.push({ index, text, logprobs: convertGoogleLogprobs(candidate.logprobsResult, offset), finish_reason: finishReason });
      }
      return part.choices.length > 0 ? [part] : [];
    },

    end(): CompletionPart[] | undefined {
      const complete = blocked || (started.size > 0 && [...started].every((index) => finished.has(index)));
      return complete ? [{ choices: [], usage: convertGoogleUsage(usage) }] : undefined;
    },
  };
}

/** An error object inside the stream (`{"error": {"code": 503, "status": "UNAVAILABLE", ...}}`) keeps its HTTP code. */
function streamError(json: unknown): UpstreamError {
  const parsed = googleSchemas().error.safeParse(json);
  const error = parsed.success ? parsed.data.error : undefined;
  const code = error?.code;
  return new UpstreamError(`google stream error: ${error?.message ?? 'unknown error'}`, {
    provider: PROVIDER,
    statusCode: code && code >= 400 && code <= 599 ? code : 502,
    code: error?.status ?? 'upstream_stream_error',
  });
}
