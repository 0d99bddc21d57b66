/**
 * OpenAI's own `/v1/completions`: every parameter passes through unchanged.
 * @see https://platform.openai.com/docs/api-reference/completions/create
 */
import type { ProviderTarget } from '../../config/target.ts';
import { bearerAuth } from '../bearer-auth.ts';
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const openAIProvider = createOpenAICompatibleProvider({
  name: 'openai',
  baseUrl: 'https://api.openai.com/v1',
  prompts: { arrays: true, tokens: true },
  headers(target: ProviderTarget) {
    const headers = bearerAuth(target);
    if (target.openai_organization) headers['openai-organization'] = target.openai_organization;
    if (target.openai_project) headers['openai-project'] = target.openai_project;
    return headers;
  },
});
