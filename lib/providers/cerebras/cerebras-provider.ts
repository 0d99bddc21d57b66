/**
 * Cerebras' `/v1/completions`: prompt as a string, a list or token ids; no `best_of`,
 * `logit_bias` or `suffix` in its reference (`suffix` appears in its SDK only: guessed dropped).
 * `n` is emulated (guessed: not in the reference).
 * @see https://inference-docs.cerebras.ai/api-reference/completions
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const cerebrasProvider = createOpenAICompatibleProvider({
  name: 'cerebras',
  baseUrl: 'https://api.cerebras.ai/v1',
  prompts: { arrays: true, tokens: true },
  unsupported: ['best_of', 'logit_bias', 'suffix'],
  emulated: ['n'],
});
