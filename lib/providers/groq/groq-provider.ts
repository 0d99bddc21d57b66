/**
 * Groq: chat completions only (its OpenAI-compatibility page lists no legacy completions), so
 * the prompt is one user turn. `n` must be 1 (emulated); no `logit_bias`. A stream's usage
 * arrives in `x_groq.usage` of its last chunk.
 * @see https://console.groq.com/docs/api-reference#chat-create
 * @see https://console.groq.com/docs/openai
 */
import { createOpenAIChatProvider } from '../openai-chat/create-openai-chat-provider.ts';

export const groqProvider = createOpenAIChatProvider({
  name: 'groq',
  baseUrl: 'https://api.groq.com/openai/v1',
  nativeN: false,
  unsupported: ['logit_bias'],
});
