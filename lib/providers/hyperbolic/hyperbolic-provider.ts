/**
 * Hyperbolic's `/v1/completions`, documented for its base models (Portkey maps chat only; a true
 * completions endpoint is preferred). No `best_of`, `logit_bias` or `suffix` (guessed).
 * @see https://docs.hyperbolic.xyz/docs/rest-api
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const hyperbolicProvider = createOpenAICompatibleProvider({
  name: 'hyperbolic',
  baseUrl: 'https://api.hyperbolic.xyz/v1',
  prompts: { arrays: false, tokens: false },
  unsupported: ['best_of', 'logit_bias', 'suffix'],
});
