/**
 * llama.cpp's `llama-server` at the caller's custom host, OpenAI-compatible `/v1/completions`
 * (Bearer when started with `--api-key`). Its fill-in-the-middle is the native `/infill` with
 * another body and stream, not used here. Its OpenAI route refuses `best_of` and `suffix`, an
 * `n` other than 1 and `echo: true` (`oaicompat_completion_params_parse` in tools/server/utils.hpp):
 * the first two are dropped, `n` and `echo` emulated.
 * @see https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';
import { requireCustomHost } from '../self-hosted/require-custom-host.ts';

export const llamaCppProvider = createOpenAICompatibleProvider({
  name: 'llamacpp',
  baseUrl: requireCustomHost('llamacpp', 'http://my-llama-server:8080/v1'),
  prompts: { arrays: false, tokens: false },
  unsupported: ['best_of', 'suffix', 'user'],
  emulated: ['n', 'echo'],
});
