/**
 * Nebius Token Factory (formerly AI Studio) `/v1/completions` at `api.tokenfactory.nebius.com`
 * (Portkey still has `api.studio.nebius.ai`). Its reference takes the prompt as a string, a
 * list, token ids or lists of them, and lists `max_tokens`, `temperature`, `top_p`, `n`,
 * `logprobs`, `echo`, `stop`, the two penalties, `logit_bias` and `user`; not `best_of`,
 * `seed` or `suffix`.
 * @see https://docs.tokenfactory.nebius.com/api-reference/inference/create-completion
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const nebiusProvider = createOpenAICompatibleProvider({
  name: 'nebius',
  baseUrl: 'https://api.tokenfactory.nebius.com/v1',
  prompts: { arrays: true, tokens: true },
  unsupported: ['best_of', 'seed', 'suffix'],
});
