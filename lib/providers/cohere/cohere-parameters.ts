/**
 * OpenAI completion parameters → Cohere v2 chat. Cohere's own ranges are narrower than
 * OpenAI's for `p` and the penalties, and values outside them are clamped and reported.
 * `temperature` is only "non-negative" on Cohere, so OpenAI's 0..2 passes as is. Dropped:
 * `logit_bias`, `logprobs` (Cohere returns the chosen token's log probability only, never the
 * top alternatives OpenAI's integer asks for), `user`, `suffix`, `best_of`.
 * @see https://docs.cohere.com/reference/chat
 */
import type { ParameterTable } from '../map-parameters.ts';
import { toStopSequences } from '../to-stop-sequences.ts';

export const cohereParameters = {
  max_tokens: {},
  temperature: {},
  top_p: { to: 'p', range: [0.01, 0.99] },
  stop: { to: 'stop_sequences', transform: toStopSequences },
  seed: {},
  frequency_penalty: { range: [0, 1] },
  presence_penalty: { range: [0, 1] },
} as const satisfies ParameterTable;
