/**
 * Ollama's OpenAI-compatible `/v1/completions` (a local server: no key needed, though one is
 * sent when given, for ollama.com). Its prompt "currently only accepts a string", and it lists
 * `best_of`, `echo`, `logit_bias`, `user` and `n` as unsupported: `n` and `echo` are emulated.
 * @see https://docs.ollama.com/api/openai-compatibility
 * @see https://github.com/ollama/ollama/blob/main/docs/openai.md#v1completions
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const ollamaProvider = createOpenAICompatibleProvider({
  name: 'ollama',
  baseUrl: 'http://localhost:11434/v1',
  prompts: { arrays: false, tokens: false },
  unsupported: ['best_of', 'logit_bias', 'logprobs', 'user'],
  emulated: ['n', 'echo'],
});
