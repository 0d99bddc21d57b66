/**
 * Together AI's `/v1/completions`: one string prompt per call, `n` native, `stop` an array.
 * Its `echo` returns the prompt in a separate `prompt` field rather than in the text, so the
 * gateway emulates OpenAI's echo instead.
 * @see https://docs.together.ai/reference/completions-1
 */
import type { ParameterTable } from '../map-parameters.ts';
import { bearerAuth, createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const togetherAIParameters = {
  echo: 'emulated',
  frequency_penalty: {},
  logit_bias: {},
  logprobs: {},
  max_tokens: {},
  n: {},
  presence_penalty: {},
  seed: {},
  stop: { transform: (stop: string | string[]) => (typeof stop === 'string' ? [stop] : stop) },
  temperature: {},
  top_p: {},
} as const satisfies ParameterTable;

export const togetherAIProvider = createOpenAICompatibleProvider({
  name: 'together-ai',
  baseUrl: 'https://api.together.xyz/v1',
  prompts: { arrays: false, tokens: false },
  parameters: togetherAIParameters,
  headers: bearerAuth,
});
