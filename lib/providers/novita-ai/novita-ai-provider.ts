/**
 * Novita AI's OpenAI-compatible completions, at the path its API reference shows
 * (`/openai/v1/completions`; its older guide's base URL `/v3/openai` is Portkey's). The
 * reference lists `max_tokens`, `n`, `seed`, the two penalties, `stop`, `temperature`, `top_p`,
 * `logit_bias`, `logprobs` and `best_of` (plus its own `top_k`, `min_p`,
 * `repetition_penalty`); no `echo` (emulated), `suffix` or `user`.
 * @see https://novita.ai/docs/api-reference/model-apis-llm-create-completion
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const novitaAIProvider = createOpenAICompatibleProvider({
  name: 'novita-ai',
  baseUrl: 'https://api.novita.ai/openai/v1',
  prompts: { arrays: false, tokens: false },
  unsupported: ['suffix', 'user'],
  emulated: ['echo'],
});
