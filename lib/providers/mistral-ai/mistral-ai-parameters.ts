/**
 * OpenAI completion parameters → Mistral. A request goes to one of two endpoints, each with
 * its own table: chat completions (the prompt as the user turn) or FIM completions (prompt +
 * suffix, for `suffix` or a Codestral model), which has no penalties.
 *
 * `n` is emulated by the gateway for both (declared on the provider): chat would take `n`, FIM
 * cannot, and the engine decides fan-out per provider rather than per endpoint; separate calls
 * keep OpenAI's choice indexing right at the cost of billing the prompt once per choice.
 * @see https://docs.mistral.ai/api/#tag/chat/operation/chat_completion_v1_chat_completions_post
 * @see https://docs.mistral.ai/api/#tag/fim/operation/fim_completion_v1_fim_completions_post
 */
import type { ParameterTable } from '../map-parameters.ts';

const shared = {
  max_tokens: {},
  // Mistral's API reference gave 0.0..1.0 (the current one only recommends 0.0..0.7).
  temperature: { range: [0, 1] },
  top_p: {},
  stop: {},
  seed: { to: 'random_seed' },
} as const satisfies ParameterTable;

export const mistralChatParameters = {
  ...shared,
  presence_penalty: {},
  frequency_penalty: {},
} as const satisfies ParameterTable;

export const mistralFimParameters = {
  ...shared,
  suffix: {},
} as const satisfies ParameterTable;
