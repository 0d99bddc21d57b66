/**
 * Featherless AI's `/v1/completions` (vLLM behind it): a string prompt, the sampling
 * parameters; no `best_of`, `logit_bias` or `suffix` (guessed from its parameter list).
 * @see https://featherless.ai/docs/completions
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const featherlessAIProvider = createOpenAICompatibleProvider({
  name: 'featherless-ai',
  baseUrl: 'https://api.featherless.ai/v1',
  prompts: { arrays: false, tokens: false },
  unsupported: ['best_of', 'logit_bias', 'suffix'],
});
