/**
 * DeepInfra's OpenAI-compatible `/v1/openai/completions`: "a single string is currently
 * supported" as prompt; `n`, `echo`, `logprobs`, `seed` and `user` native.
 * @see https://docs.deepinfra.com/api-reference/openai-completions-1
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const deepInfraProvider = createOpenAICompatibleProvider({
  name: 'deepinfra',
  baseUrl: 'https://api.deepinfra.com/v1/openai',
  prompts: { arrays: false, tokens: false },
  unsupported: ['best_of', 'logit_bias', 'suffix'],
});
