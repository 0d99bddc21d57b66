/**
 * Featherless AI's `/v1/completions` (vLLM behind it): a string prompt and the sampling
 * parameters its page lists (`max_tokens`, `temperature`, `top_p`, the two penalties, `seed`,
 * `stop`, plus its own `top_k`, `min_p`, `repetition_penalty`, `min_tokens`). It lists no `n`,
 * `echo`, `logprobs`, `logit_bias`, `user`, `best_of` or `suffix`: `n` and `echo` are emulated,
 * the rest dropped.
 * @see https://featherless.ai/docs/completions
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const featherlessAIProvider = createOpenAICompatibleProvider({
  name: 'featherless-ai',
  baseUrl: 'https://api.featherless.ai/v1',
  prompts: { arrays: false, tokens: false },
  unsupported: ['best_of', 'logit_bias', 'logprobs', 'suffix', 'user'],
  emulated: ['n', 'echo'],
});
