/**
 * Anthropic Claude on Bedrock: the Messages API (the shared anthropic-messages module) with
 * Bedrock's `anthropic_version` in the body, the prompt as one user turn of text blocks.
 * Stream chunks are Anthropic's own stream events. Bedrock's request has no `metadata`, so
 * `user` is dropped here.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages-request-response.html
 */
import { anthropicMessagesParameters } from '../anthropic-messages/anthropic-messages-parameters.ts';
import type { AnthropicUsage } from '../anthropic-messages/anthropic-messages-schemas.ts';
import { anthropicFinishReasons } from '../anthropic-messages/map-anthropic-finish-reason.ts';
import { readAnthropicMessage } from '../anthropic-messages/read-anthropic-message.ts';
import { readAnthropicStreamEvent } from '../anthropic-messages/read-anthropic-stream-event.ts';
import type { BedrockFamily, FamilyUsage } from './bedrock-family.ts';

const { user: _user, ...parameters } = anthropicMessagesParameters;

export const bedrockAnthropic: BedrockFamily = {
  name: 'anthropic',
  api: 'invoke',
  parameters,
  buildBody(prompt, mapped) {
    return { anthropic_version: 'bedrock-2023-05-31', messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }], ...mapped };
  },
  parseResponse(json) {
    const message = readAnthropicMessage(json, 'bedrock');
    return { text: message.text, stopReason: message.stopReason, usage: toFamilyUsage(message.usage) };
  },
  parseChunk(json) {
    const event = readAnthropicStreamEvent(json, 'bedrock');
    return { text: event.text, stopReason: event.stopReason, usage: toFamilyUsage(event.usage) };
  },
  finishReasons: anthropicFinishReasons,
};

/** Cached prompt tokens count as prompt tokens, as for Anthropic (convert-anthropic-usage.ts); absent counts stay absent. */
function toFamilyUsage(usage: AnthropicUsage | null | undefined): FamilyUsage | undefined {
  if (!usage) return undefined;
  const input = usage.input_tokens == null ? undefined : usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
  return { inputTokens: input, outputTokens: usage.output_tokens };
}
