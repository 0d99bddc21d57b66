/**
 * Together AI's `/v1/completions`: one string prompt per call, `n` native, `stop` an array.
 * Its `echo` returns the prompt in a separate `prompt` field rather than in the text, so the
 * gateway emulates OpenAI's echo instead.
 * @see https://docs.together.ai/reference/completions-1
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';
import { toStopSequences } from '../to-stop-sequences.ts';

export const togetherAIProvider = createOpenAICompatibleProvider({
  name: 'together-ai',
  baseUrl: 'https://api.together.xyz/v1',
  prompts: { arrays: false, tokens: false },
  unsupported: ['best_of', 'suffix', 'user'],
  emulated: ['echo'],
  rules: { stop: { transform: toStopSequences } },
});
