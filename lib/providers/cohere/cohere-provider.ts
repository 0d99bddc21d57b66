/**
 * Cohere through the v2 Chat API: the prompt becomes one user message, the answer's text
 * content becomes the completion. Bearer auth.
 * @see https://docs.cohere.com/reference/chat
 */
import { bearerAuth } from '../bearer-auth.ts';
import { expectShape } from '../parse-upstream-json.ts';
import type { CompletionPart, Provider } from '../provider.ts';
import { singleTextPrompt } from '../single-text-prompt.ts';
import { cohereParameters } from './cohere-parameters.ts';
import { cohereSchemas } from './cohere-schemas.ts';
import { convertCohereUsage } from './convert-cohere-usage.ts';
import { createCohereStreamTransform } from './create-cohere-stream-transform.ts';
import { mapCohereFinishReason } from './map-cohere-finish-reason.ts';

const NAME = 'cohere';
/** A custom host replaces this, version prefix included: `{host}/chat`. */
const COHERE_BASE_URL = 'https://api.cohere.com/v2';

export const cohereProvider: Provider = {
  name: NAME,
  streamFormat: 'sse',
  streamEnd: 'message-end',
  prompts: { arrays: false, tokens: false },
  // v2 chat has no num_generations: the gateway fans out n and prepends echo itself.
  emulated: { n: true, echo: true },
  parameters: cohereParameters,
  baseUrl: () => COHERE_BASE_URL,

  buildRequest(call, mapped) {
    const { params, target } = call;
    const body: Record<string, unknown> = { model: params.model, messages: [{ role: 'user', content: singleTextPrompt(params.prompt, NAME) }], ...mapped };
    if (call.stream) body.stream = true;
    return { path: '/chat', headers: bearerAuth(target), body };
  },

  parseResponse(raw) {
    const response = expectShape(cohereSchemas().response, raw, NAME);
    let text = '';
    for (const item of response.message?.content ?? []) if (item.type === 'text' && item.text) text += item.text;
    const part: CompletionPart = {
      choices: [{ index: 0, text, logprobs: null, finish_reason: mapCohereFinishReason(response.finish_reason) ?? 'stop' }],
      usage: convertCohereUsage(response.usage),
    };
    if (response.id) part.id = response.id;
    return part;
  },

  createStreamReader: createCohereStreamTransform,
};
