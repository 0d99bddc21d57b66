import type { CompletionPart } from '../provider.ts';
import { convertAnthropicUsage } from './convert-anthropic-usage.ts';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.ts';
import { readAnthropicMessage } from './read-anthropic-message.ts';

/**
 * A whole Messages API answer → one completion part: its text blocks joined as one choice.
 * @see https://docs.anthropic.com/en/api/messages#response-content
 */
export function readAnthropicCompletion(raw: unknown, providerName: string): CompletionPart {
  const message = readAnthropicMessage(raw, providerName);
  const part: CompletionPart = {
    choices: [{ index: 0, text: message.text, logprobs: null, finish_reason: mapAnthropicFinishReason(message.stopReason) ?? 'stop' }],
    usage: convertAnthropicUsage(message.usage),
  };
  if (message.id) part.id = message.id;
  if (message.model) part.model = message.model;
  return part;
}
