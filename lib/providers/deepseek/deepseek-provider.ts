/**
 * DeepSeek: chat completions with the prompt as one user turn, or, for `suffix`, its FIM
 * completions beta (`/beta/completions`, OpenAI's completions request, `max_tokens` at most
 * 4096). Both below `https://api.deepseek.com`, so a custom host serves both.
 * @see https://api-docs.deepseek.com/api/create-chat-completion
 * @see https://api-docs.deepseek.com/guides/fim_completion
 * @see https://api-docs.deepseek.com/api/create-completion
 */
import { chooseWireFormat } from '../openai-chat/choose-wire-format.ts';
import { createOpenAIChatProvider } from '../openai-chat/create-openai-chat-provider.ts';
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

const DEEPSEEK_BASE_URL = 'https://api.deepseek.com';

const chat = createOpenAIChatProvider({
  name: 'deepseek',
  baseUrl: DEEPSEEK_BASE_URL,
  nativeN: false,
  unsupported: ['logit_bias', 'seed', 'user'],
});

const fim = createOpenAICompatibleProvider({
  name: 'deepseek',
  baseUrl: DEEPSEEK_BASE_URL,
  path: '/beta/completions',
  prompts: { arrays: false, tokens: false },
  unsupported: ['best_of', 'logit_bias', 'seed', 'user'],
  emulated: ['n', 'echo'],
  rules: { max_tokens: { range: [1, 4096] } },
});

export const deepSeekProvider = chooseWireFormat({
  name: 'deepseek',
  formats: { 'chat completions (no `suffix`)': chat, 'FIM completions beta (`suffix`)': fim },
  choose: ({ params }) => (params.suffix !== undefined ? fim : chat),
  baseUrl: () => DEEPSEEK_BASE_URL,
});
