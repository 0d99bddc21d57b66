/**
 * Nebius AI Studio (Token Factory) `/v1/completions`, OpenAI's request on a vLLM-based service.
 * Portkey still uses `api.studio.nebius.ai`; `.com` is the current host (guessed: both resolve).
 * @see https://docs.nebius.com/studio/inference/api
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const nebiusProvider = createOpenAICompatibleProvider({
  name: 'nebius',
  baseUrl: 'https://api.studio.nebius.com/v1',
  prompts: { arrays: false, tokens: false },
  unsupported: ['best_of', 'suffix'],
});
