/**
 * Anthropic through the Messages API (the legacy `/v1/complete` no longer serves current
 * models): the prompt becomes one user turn, the answer's text blocks become the completion.
 * The wire format is the shared anthropic-messages module; this file is how to reach Anthropic.
 * @see https://docs.anthropic.com/en/api/messages
 */
import { anthropicMessagesErrorFormat } from '../anthropic-messages/anthropic-messages-error-format.ts';
import { anthropicMessagesParameters } from '../anthropic-messages/anthropic-messages-parameters.ts';
import { buildAnthropicMessagesBody } from '../anthropic-messages/build-anthropic-messages-body.ts';
import { createAnthropicStreamReader } from '../anthropic-messages/create-anthropic-stream-reader.ts';
import { readAnthropicCompletion } from '../anthropic-messages/read-anthropic-completion.ts';
import type { Provider } from '../provider.ts';

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
    const body = { model: params.model, ...buildAnthropicMessagesBody(call, mapped, NAME) };
    const headers: Record<string, string> = { 'anthropic-version': target.anthropic_version ?? DEFAULT_ANTHROPIC_VERSION };
    if (target.api_key) headers['x-api-key'] = target.api_key;
    if (target.anthropic_beta) headers['anthropic-beta'] = target.anthropic_beta;
    return { path: '/messages', headers, body };
  },

  parseResponse: (raw) => readAnthropicCompletion(raw, NAME),
  // Nothing is emitted before the first text, so an `error` event that comes first still fails
  // the call before the first byte (and can be retried elsewhere).
  createStreamReader: () => createAnthropicStreamReader(NAME),
  errorFormat: anthropicMessagesErrorFormat,
};
