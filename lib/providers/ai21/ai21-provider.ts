/**
 * AI21's Jamba: chat completions (Jurassic-2's `/{model}/complete`, which Portkey still maps,
 * was retired in 2024), the prompt as one user turn. `n` is native (up to 16); no penalties,
 * `seed`, `logit_bias` or `user` in its request; "for Jamba models, the maximum allowed value"
 * of `max_tokens` "is 4096", so a larger one is clamped and reported.
 * @see https://docs.ai21.com/reference/jamba-1-6-api-ref
 */
import { createOpenAIChatProvider } from '../openai-chat/create-openai-chat-provider.ts';

export const ai21Provider = createOpenAIChatProvider({
  name: 'ai21',
  baseUrl: 'https://api.ai21.com/studio/v1',
  nativeN: true,
  unsupported: ['frequency_penalty', 'presence_penalty', 'logit_bias', 'seed', 'user'],
  rules: { max_tokens: { range: [1, 4096] } },
});
