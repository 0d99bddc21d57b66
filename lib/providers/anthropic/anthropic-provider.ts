/**
 * Anthropic through the Messages API (the legacy `/v1/complete` no longer serves current
 * models): the prompt becomes one user turn, the answer's text blocks become the completion.
 * The wire format is the shared anthropic-messages module; this file is how to reach Anthropic.
 * @see https://docs.anthropic.com/en/api/messages
 */
import { anthropicMessagesParameters } from '../anthropic-messages/anthropic-messages-parameters.ts';
import { anthropicSchemas } from '../anthropic-messages/anthropic-messages-schemas.ts';
import { convertAnthropicUsage } from '../anthropic-messages/convert-anthropic-usage.ts';
import { mapAnthropicFinishReason } from '../anthropic-messages/map-anthropic-finish-reason.ts';
import { readAnthropicMessage } from '../anthropic-messages/read-anthropic-message.ts';
import { mergeAnthropicUsage, readAnthropicStreamEvent } from '../anthropic-messages/read-anthropic-stream-event.ts';
import type { AnthropicUsage } from '../anthropic-messages/anthropic-messages-schemas.ts';
import { parseUpstreamJson } from '../parse-upstream-json.ts';
import type { CompletionPart, Provider, StreamReader } from '../provider.ts';
import { singleTextPrompt } from '../single-text-prompt.ts';

const NAME = 'anthropic';
/** A custom host replaces this, version prefix included: `{host}/messages`. */
const ANTHROPIC_BASE_URL = 'https://api.anthropic.com/v1';
/** @see https://docs.anthropic.com/en/api/versioning */
const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

export const anthropicProvider: Provider = {
  name: NAME,
  streamFormat: 'sse',
  streamEnd: 'message_stop',
  prompts: { arrays: false, tokens: false },
  emulated: { n: true, echo: true },
  parameters: anthropicMessagesParameters,
  baseUrl: () => ANTHROPIC_BASE_URL,

  buildRequest(call, mapped) {
    const { params, target } = call;
    const body: Record<string, unknown> = { model: params.model, messages: [{ role: 'user', content: singleTextPrompt(params.prompt, NAME) }], ...mapped };
    if (call.stream) body.stream = true;
    const headers: Record<string, string> = { 'anthropic-version': target.anthropic_version ?? DEFAULT_ANTHROPIC_VERSION };
    if (target.api_key) headers['x-api-key'] = target.api_key;
    if (target.anthropic_beta) headers['anthropic-beta'] = target.anthropic_beta;
    return { path: '/messages', headers, body };
  },

  parseResponse(raw) {
    const message = readAnthropicMessage(raw, NAME);
    const part: CompletionPart = {
      choices: [{ index: 0, text: message.text, logprobs: null, finish_reason: mapAnthropicFinishReason(message.stopReason) ?? 'stop' }],
      usage: convertAnthropicUsage(message.usage),
    };
    if (message.id) part.id = message.id;
    if (message.model) part.model = message.model;
    return part;
  },

  createStreamReader: createAnthropicStreamReader,

  /** `{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}`: the type is the code. */
  errorFormat: {
    get schema() {
      return anthropicSchemas().error;
    },
    toFields: (data: { error: { type?: string | null; message?: string | null } }) => ({ message: data.error.message, code: data.error.type ?? null }),
  },
};

/**
 * Nothing is emitted before the first text, so an `error` event that comes first still fails
 * the call before the first byte (and can be retried elsewhere).
 */
function createAnthropicStreamReader(): StreamReader {
  let id: string | undefined;
  let model: string | undefined;
  let usage: AnthropicUsage = {};
  let finished = false;
  let stopped = false;

  function part(text: string, finishReason: CompletionPart['choices'][number]['finish_reason']): CompletionPart {
    const result: CompletionPart = { choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }] };
    if (id) result.id = id;
    if (model) result.model = model;
    return result;
  }

  return {
    read(event) {
      if (event.kind !== 'sse') return [];
      const read = readAnthropicStreamEvent(parseUpstreamJson(event.data, NAME), NAME);
      if (read.id) id = read.id;
      if (read.model) model = read.model;
      usage = mergeAnthropicUsage(usage, read.usage);
      if (read.text) return [part(read.text, null)];
      const reason = mapAnthropicFinishReason(read.stopReason);
      if (reason) {
        finished = true;
        return [part('', reason)];
      }
      if (!read.stopped) return [];
      stopped = true;
      const parts = finished ? [] : [part('', 'stop')];
      finished = true;
      parts.push({ choices: [], usage: convertAnthropicUsage(usage) });
      return parts;
    },
    end: () => (stopped ? [] : undefined),
  };
}
