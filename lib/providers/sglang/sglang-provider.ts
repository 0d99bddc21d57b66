/**
 * SGLang's OpenAI-compatible server at the caller's custom host (`--api-key` makes it check a
 * Bearer key). Its completions request (`CompletionRequest` in
 * python/sglang/srt/entrypoints/openai/protocol.py) takes prompt batches, token ids and every
 * OpenAI field, `suffix` included; `best_of` is accepted there but no use of it was found, so it
 * is dropped and reported rather than silently ignored (guessed).
 * @see https://docs.sglang.ai/basic_usage/openai_api_completions.html
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';
import { requireCustomHost } from '../self-hosted/require-custom-host.ts';

export const sglangProvider = createOpenAICompatibleProvider({
  name: 'sglang',
  baseUrl: requireCustomHost('sglang', 'http://my-sglang:30000/v1'),
  prompts: { arrays: true, tokens: true },
  unsupported: ['best_of'],
});
