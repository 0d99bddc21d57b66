/**
 * Anthropic through the Messages API (the legacy `/v1/complete` no longer serves current
 * models): the prompt becomes one user turn, the answer's text blocks become the completion.
 * @see https://docs.anthropic.com/en/api/messages
 */
import { expectShape } from '../parse-upstream-json.ts';
import { joinUrl } from '../join-url.ts';
import { mapParameters, type ParameterTable } from '../map-parameters.ts';
import type { CompletionPart, Provider } from '../provider.ts';
import { singleTextPrompt } from '../single-text-prompt.ts';
import { anthropicParameters } from './anthropic-parameters.ts';
import { anthropicSchemas } from './anthropic-schemas.ts';
import { convertAnthropicUsage } from './convert-anthropic-usage.ts';
import { createAnthropicStreamTransform } from './create-anthropic-stream-transform.ts';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.ts';

const NAME = 'anthropic';
/** A custom host replaces this, version prefix included: `{host}/messages`. */
export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com/v1';
/** @see https://docs.anthropic.com/en/api/versioning */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

export const anthropicProvider: Provider & { readonly parameters: ParameterTable } = {
  name: NAME,
  streamFormat: 'sse',
  prompts: { arrays: false, tokens: false },
  parameters: anthropicParameters,

  buildRequest(call) {
    const { params, target, stream } = call;
    const { body, warnings } = mapParameters(params, anthropicParameters, { provider: NAME, strict: call.strict });
    const payload: Record<string, unknown> = {
      model: params.model,
      messages: [{ role: 'user', content: singleTextPrompt(params.prompt, NAME) }],
      ...body,
    };
    if (stream) payload.stream = true;

    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      ...call.forwardedHeaders,
      'anthropic-version': target.anthropic_version ?? DEFAULT_ANTHROPIC_VERSION,
    };
    if (target.api_key) headers['x-api-key'] = target.api_key;
    if (target.anthropic_beta) headers['anthropic-beta'] = target.anthropic_beta;
    return {
      request: { url: joinUrl(target.custom_host ?? ANTHROPIC_BASE_URL, '/messages'), method: 'POST', headers, body: JSON.stringify(payload) },
      warnings,
    };
  },

  parseResponse(raw) {
    const message = expectShape(anthropicSchemas().message, raw, NAME);
    const text = message.content.map((block) => (block.type === 'text' ? (block.text ?? '') : '')).join('');
    const part: CompletionPart = {
      choices: [{ index: 0, text, logprobs: null, finish_reason: mapAnthropicFinishReason(message.stop_reason) ?? 'stop' }],
      usage: convertAnthropicUsage(message.usage),
    };
    if (message.id) part.id = message.id;
    if (message.model) part.model = message.model;
    return part;
  },

  createStreamTransform: createAnthropicStreamTransform,

  parseError(statusCode, bodyText) {
    try {
      const parsed = anthropicSchemas().error.safeParse(JSON.parse(bodyText));
      if (parsed.success) {
        return { message: parsed.data.error.message ?? `anthropic answered ${statusCode}`, code: parsed.data.error.type ?? null };
      }
    } catch {
      // Not JSON (a proxy's HTML page): fall through to the text.
    }
    return { message: bodyText.slice(0, 500).trim() || `anthropic answered ${statusCode}` };
  },
};
