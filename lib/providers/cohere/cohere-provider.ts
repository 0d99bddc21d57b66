/**
 * Cohere through the v2 Chat API: the prompt becomes one user message, the answer's text
 * content becomes the completion. Bearer auth.
 * @see https://docs.cohere.com/reference/chat
 */
import { joinUrl } from '../join-url.ts';
import { expectShape } from '../parse-upstream-json.ts';
import { mapParameters, type ParameterTable } from '../map-parameters.ts';
import type { CompletionPart, Provider } from '../provider.ts';
import { singleTextPrompt } from '../single-text-prompt.ts';
import { cohereParameters } from './cohere-parameters.ts';
import { cohereSchemas } from './cohere-schemas.ts';
import { convertCohereUsage } from './convert-cohere-usage.ts';
import { createCohereStreamTransform } from './create-cohere-stream-transform.ts';
import { mapCohereFinishReason } from './map-cohere-finish-reason.ts';

const NAME = 'cohere';
/** A custom host replaces this, version prefix included: `{host}/chat`. */
export const COHERE_BASE_URL = 'https://api.cohere.com/v2';

export const cohereProvider: Provider & { readonly parameters: ParameterTable } = {
  name: NAME,
  streamFormat: 'sse',
  prompts: { arrays: false, tokens: false },
  parameters: cohereParameters,

  buildRequest(call) {
    const { params, target, stream } = call;
    const { body, warnings } = mapParameters(params, cohereParameters, { provider: NAME, strict: call.strict });
    const payload: Record<string, unknown> = { model: params.model, messages: [{ role: 'user', content: singleTextPrompt(params.prompt, NAME) }], ...body };
    if (stream) payload.stream = true;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      ...call.forwardedHeaders,
    };
    if (target.api_key) headers.authorization = `Bearer ${target.api_key}`;
    return {
      request: { url: joinUrl(target.custom_host ?? COHERE_BASE_URL, '/chat'), method: 'POST', headers, body: JSON.stringify(payload) },
      warnings,
    };
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

  createStreamTransform: createCohereStreamTransform,
};
