/**
 * LM Studio's OpenAI-compatible server at the caller's custom host (it takes any key). Its
 * `/v1/completions` lists the sampling parameters and `logit_bias`; no `n`, `echo`, `best_of`,
 * `logprobs`, `suffix` or `user` (guessed from its endpoint list): `n` and `echo` are emulated.
 * @see https://lmstudio.ai/docs/app/api/endpoints/openai
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
