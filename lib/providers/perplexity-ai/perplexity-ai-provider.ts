/**
 * Perplexity's Sonar: chat completions at `https://api.perplexity.ai/chat/completions` (no
 * `/v1`), the prompt as one user turn. Its extra `citations` / `search_results` are not part
 * of a completion and are ignored. No `stop`, `seed`, `logit_bias` or `user` (guessed from its
 * request schema); `n` emulated.
 * @see https://docs.perplexity.ai/api-reference/chat-completions-post
 */
import { createOpenAIChatProvider } from '../openai-chat/create-openai-chat-provider.ts';

export const perplexityAIProvider = createOpenAIChatProvider({
  name: 'perplexity-ai',
  baseUrl: 'https://api.perplexity.ai',
  nativeN: false,
  unsupported: ['logit_bias', 'seed', 'stop', 'user'],
});
