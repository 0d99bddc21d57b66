/**
 * SambaNova Cloud's `/v1/completions`: a true completion of a raw prompt (its reference's
 * example carries the model's own template in the prompt), rather than the prompt as a chat
 * turn. The reference lists `max_tokens`, `temperature` (0..1), `top_p`, `stop`, `seed`, `n`,
 * the two penalties and `logit_bias` (plus its own `top_k`, `do_sample`); `logprobs` is the chat
 * API's boolean, so it is dropped with `best_of`, `suffix` and `user`. `n` (its SDK's examples
 * send only 1) and `echo` are emulated. Its answer says `"object": "chat.completion"` around
 * OpenAI's `choices[].text`, which the family reads.
 * @see https://docs.sambanova.ai/docs/api-reference/completions/create-completion
 */
import { createOpenAICompatibleProvider } from '../openai-compatible/create-openai-compatible-provider.ts';

export const sambaNovaProvider = createOpenAICompatibleProvider({
  name: 'sambanova',
  baseUrl: 'https://api.sambanova.ai/v1',
  prompts: { arrays: false, tokens: false },
  unsupported: ['best_of', 'logprobs', 'suffix', 'user'],
  emulated: ['n', 'echo'],
  rules: { temperature: { range: [0, 1] } },
});
