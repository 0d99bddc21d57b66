/**
 * SambaNova Cloud: chat completions only (guessed: no completions endpoint is documented), the
 * prompt as one user turn; `max_tokens`, `temperature`, `top_p` and `stop` are its sampling
 * parameters (the rest are dropped), `n` emulated.
 * @see https://docs.sambanova.ai/cloud/api-reference/endpoints/chat
 */
import { createOpenAIChatProvider } from '../openai-chat/create-openai-chat-provider.ts';

export const sambaNovaProvider = createOpenAIChatProvider({
  name: 'sambanova',
  baseUrl: 'https://api.sambanova.ai/v1',
  nativeN: false,
  unsupported: ['frequency_penalty', 'presence_penalty', 'logit_bias', 'seed', 'user'],
});
