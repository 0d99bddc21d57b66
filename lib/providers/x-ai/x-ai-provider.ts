/**
 * xAI's legacy `/v1/completions` ("not supported by reasoning models"): OpenAI's request and
 * `text_completion` answer. Its reference lists no `suffix` or `best_of` (guessed: dropped).
 * @see https://docs.x.ai/developers/rest-api-reference/inference/legacy
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const xAIProvider = createOpenAICompatibleProvider({
  name: 'x-ai',
  baseUrl: 'https://api.x.ai/v1',
  prompts: { arrays: false, tokens: false },
  unsupported: ['best_of', 'suffix'],
});
