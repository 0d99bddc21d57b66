/**
 * Hyperbolic's `/v1/completions`, for its base models (Portkey maps chat only; a true
 * completions endpoint is preferred). Its docs (now docs.hyperbolic.ai) document chat only; the
 * completions parameters are guessed: no `best_of`, `logit_bias` or `suffix`.
 * @see https://docs.hyperbolic.ai/inference/text-apis
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const hyperbolicProvider = createOpenAICompatibleProvider({
  name: 'hyperbolic',
  baseUrl: 'https://api.hyperbolic.xyz/v1',
  prompts: { arrays: false, tokens: false },
  unsupported: ['best_of', 'logit_bias', 'suffix'],
});
