/**
 * Cerebras' `/v1/completions`: prompt as a string, a list or token ids. Its reference lists
 * `max_tokens`, `temperature` (0..1.5), `top_p`, `stop`, `seed`, `echo`, `user` and, in its
 * example, `logprobs`; not `best_of`, `n`, `frequency_penalty`, `presence_penalty`,
 * `logit_bias` or `suffix` (those are in its SDK's signature only), so they are dropped and `n`
 * is emulated.
 * @see https://inference-docs.cerebras.ai/api-reference/completions
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const cerebrasProvider = createOpenAICompatibleProvider({
  name: 'cerebras',
  baseUrl: 'https://api.cerebras.ai/v1',
  prompts: { arrays: true, tokens: true },
  unsupported: ['best_of', 'frequency_penalty', 'logit_bias', 'presence_penalty', 'suffix'],
  emulated: ['n'],
  rules: { temperature: { range: [0, 1.5] } },
});
