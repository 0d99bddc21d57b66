/**
 * xAI's legacy `/v1/completions` ("not supported by reasoning models"): OpenAI's request and
 * `text_completion` answer. Its reference marks `best_of`, `frequency_penalty` and `logit_bias`
 * "(Unsupported)", types `logprobs` as a boolean (not OpenAI's 0..5 count, so it is dropped
 * rather than sent with another meaning) and lists no `suffix`.
 * @see https://docs.x.ai/developers/rest-api-reference/inference/legacy
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const xAIProvider = createOpenAICompatibleProvider({
  name: 'x-ai',
  baseUrl: 'https://api.x.ai/v1',
  prompts: { arrays: false, tokens: false },
  unsupported: ['best_of', 'frequency_penalty', 'logit_bias', 'logprobs', 'suffix'],
});
