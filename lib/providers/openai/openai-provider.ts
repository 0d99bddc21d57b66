/**
 * OpenAI's own `/v1/completions`: every parameter passes through unchanged.
 * @see https://platform.openai.com/docs/api-reference/completions/create
 */
import { bearerAuth, createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';
import type { ParameterTable } from '../map-parameters.ts';

export const openAIParameters = {
  best_of: {},
  echo: {},
  frequency_penalty: {},
  logit_bias: {},
  logprobs: {},
  max_tokens: {},
  n: {},
  presence_penalty: {},
  seed: {},
  stop: {},
  suffix: {},
  temperature: {},
  top_p: {},
  user: {},
} as const satisfies ParameterTable;

export const openAIProvider = createOpenAICompatibleProvider({
  name: 'openai',
  baseUrl: 'https://api.openai.com/v1',
  prompts: { arrays: true, tokens: true },
  parameters: openAIParameters,
  headers(target) {
    const headers = bearerAuth(target);
    if (target.openai_organization) headers['openai-organization'] = target.openai_organization;
    if (target.openai_project) headers['openai-project'] = target.openai_project;
    return headers;
  },
});
