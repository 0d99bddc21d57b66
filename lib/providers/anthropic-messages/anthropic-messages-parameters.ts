/**
 * OpenAI completion parameters → Anthropic Messages API fields, wherever the Messages API is
 * served (Anthropic, Bedrock's Claude family). Everything not named here (`frequency_penalty`,
 * `presence_penalty`, `logit_bias`, `logprobs`, `seed`, `suffix`, `best_of`) has no Messages API
 * equivalent and is dropped and reported. `suffix` is dropped rather than emulated: Claude has
 * no fill-in-the-middle mode, and a suffix pasted into the prompt would change the task rather
 * than constrain the answer. `n` and `echo` are emulated by the gateway (no `n`, no echo upstream).
 * @see https://docs.anthropic.com/en/api/messages
 */
import type { ParameterTable } from '../map-parameters.ts';
import { toStopSequences } from '../to-stop-sequences.ts';

export const anthropicMessagesParameters = {
  // Required by the Messages API and at least 1; OpenAI allows 0 and defaults to 16.
  max_tokens: { range: [1, Infinity], default: 16 },
  temperature: { range: [0, 1] },
  top_p: {},
  stop: { to: 'stop_sequences', transform: toStopSequences },
  user: { to: 'metadata.user_id' },
} as const satisfies ParameterTable;
