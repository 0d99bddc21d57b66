/**
 * DeepInfra's OpenAI-compatible `/v1/openai/completions`: "a single string is currently
 * supported" as prompt; `n`, `echo`, `logprobs`, `seed` and `user` native.
 * @see https://docs.deepinfra.com/api-reference/openai-completions-1
 */
import type { ParameterTable } from '../map-parameters.ts';
import { bearerAuth, createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const deepInfraParameters = {
  echo: {},
  frequency_penalty: {},
  logprobs: {},
  max_tokens: {},
  n: {},
  presence_penalty: {},
  seed: {},
  stop: {},
  temperature: {},
  top_p: {},
  user: {},
} as const satisfies ParameterTable;

export const deepInfraProvider = createOpenAICompatibleProvider({
  name: 'deepinfra',
  baseUrl: 'https://api.deepinfra.com/v1/openai',
  prompts: { arrays: false, tokens: false },
  parameters: deepInfraParameters,
  headers: bearerAuth,
});
