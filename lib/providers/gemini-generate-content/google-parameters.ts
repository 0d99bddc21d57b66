/**
 * OpenAI completion parameters → Gemini `generationConfig`. `logit_bias`, `user`, `suffix` and
 * `best_of` have no Gemini equivalent and are dropped and reported.
 * @see https://ai.google.dev/api/generate-content#generationconfig
 */
import type { ParameterTable } from '../map-parameters.ts';
import { toStopSequences } from '../to-stop-sequences.ts';

/** Gemini returns at most this many candidates per request. */
export const MAX_CANDIDATE_COUNT = 8;

export const googleParameters = {
  // Gemini answers n itself (candidateCount), so the gateway fans out only prompt arrays.
  n: { to: 'generationConfig.candidateCount', range: [1, MAX_CANDIDATE_COUNT] },
  max_tokens: { to: 'generationConfig.maxOutputTokens', range: [1, Infinity] },
  temperature: { to: 'generationConfig.temperature' },
  top_p: { to: 'generationConfig.topP' },
  stop: { to: 'generationConfig.stopSequences', transform: toStopSequences },
  // "up to, but not including, 2.0": OpenAI's inclusive 2 is the one value Gemini refuses.
  presence_penalty: { to: 'generationConfig.presencePenalty', range: [-2, 1.99] },
  frequency_penalty: { to: 'generationConfig.frequencyPenalty', range: [-2, 1.99] },
  // An int32 on Gemini; OpenAI takes any integer.
  seed: { to: 'generationConfig.seed', range: [-2147483648, 2147483647] },
  // Top-k alternatives per token; `responseLogprobs: true` is set beside it by the provider.
  logprobs: { to: 'generationConfig.logprobs' },
} as const satisfies ParameterTable;
