/**
 * Novita AI's OpenAI-compatible `/v3/openai/completions` (Portkey appends `/v1/completions`;
 * Novita's page shows the path used here).
 * @see https://novita.ai/docs/api-reference/model-apis-llm-create-completion
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const novitaAIProvider = createOpenAICompatibleProvider({
  name: 'novita-ai',
  baseUrl: 'https://api.novita.ai/v3/openai',
  prompts: { arrays: false, tokens: false },
  unsupported: ['best_of', 'logit_bias', 'suffix'],
});
