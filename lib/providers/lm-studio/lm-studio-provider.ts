/**
 * LM Studio's OpenAI-compatible server at the caller's custom host (it takes any key). Its
 * supported payload parameters are `max_tokens`, `temperature`, `top_p`, `stop`, the two
 * penalties, `logit_bias` and `seed` (plus its own `top_k`, `repeat_penalty`); no `n`, `echo`,
 * `best_of`, `logprobs`, `suffix` or `user`: `n` and `echo` are emulated.
 * @see https://lmstudio.ai/docs/api/openai-api
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';
import { requireCustomHost } from '../self-hosted/require-custom-host.ts';

export const lmStudioProvider = createOpenAICompatibleProvider({
  name: 'lm-studio',
  baseUrl: requireCustomHost('lm-studio', 'http://my-workstation:1234/v1'),
  prompts: { arrays: false, tokens: false },
  unsupported: ['best_of', 'logprobs', 'suffix', 'user'],
  emulated: ['n', 'echo'],
});
