/**
 * Fireworks AI's `/inference/v1/completions`: string, string[] and token prompts, `n`, `echo`
 * and `logprobs` native; no `best_of`, `logit_bias`, `seed` or `suffix` in its request schema.
 * @see https://docs.fireworks.ai/api-reference/post-completions
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const fireworksAIProvider = createOpenAICompatibleProvider({
  name: 'fireworks-ai',
  baseUrl: 'https://api.fireworks.ai/inference/v1',
  prompts: { arrays: true, tokens: true },
  unsupported: ['best_of', 'logit_bias', 'seed', 'suffix'],
});
