/**
 * GitHub Models: chat completions at `https://models.github.ai/inference` (Portkey still uses
 * the retired `models.inference.ai.azure.com`), a GitHub token with `models:read` as Bearer.
 * No legacy completions: the prompt is one user turn; `n` emulated, no `logit_bias` or `user`.
 * @see https://docs.github.com/en/rest/models/inference
 */
import { createOpenAIChatProvider } from '../openai-chat/create-openai-chat-provider.ts';

export const githubProvider = createOpenAIChatProvider({
  name: 'github',
  baseUrl: 'https://models.github.ai/inference',
  nativeN: false,
  unsupported: ['logit_bias', 'user'],
});
