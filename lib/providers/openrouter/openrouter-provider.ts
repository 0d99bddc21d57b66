/**
 * OpenRouter's `/api/v1/completions`: a string prompt, the sampling parameters of its
 * parameter list; no `n` or `echo` (the gateway emulates them). Its `logprobs` is the chat
 * API's boolean with `top_logprobs`, not the legacy integer and shape, so it is dropped.
 * @see https://openrouter.ai/docs/api-reference/overview
 * @see https://openrouter.ai/docs/api-reference/parameters
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const openRouterProvider = createOpenAICompatibleProvider({
  name: 'openrouter',
  baseUrl: 'https://openrouter.ai/api/v1',
  prompts: { arrays: false, tokens: false },
  unsupported: ['best_of', 'logprobs', 'suffix'],
  emulated: ['n', 'echo'],
});
