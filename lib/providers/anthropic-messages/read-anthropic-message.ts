/**
 * Reads a whole Messages API answer: the text blocks become the completion text (thinking and
 * tool blocks have no OpenAI place); the id, model, stop reason and usage as sent.
 * @see https://docs.anthropic.com/en/api/messages
 */
import { expectShape } from '../parse-upstream-json.ts';
import { anthropicSchemas, type AnthropicUsage } from './anthropic-messages-schemas.ts';

export interface AnthropicMessage {
  id: string | undefined;
  model: string | undefined;
  text: string;
  stopReason: string | null | undefined;
  usage: AnthropicUsage | null | undefined;
}

/** @throws UpstreamError (502) naming `provider` for a body of an unexpected shape. */
export function readAnthropicMessage(json: unknown, provider: string): AnthropicMessage {
  const message = expectShape(anthropicSchemas().message, json, provider);
  let text = '';
  // Bedrock's documented example omits `type` on text blocks.
  for (const block of message.content) if ((block.type === 'text' || block.type == null) && block.text) text += block.text;
  return { id: message.id ?? undefined, model: message.model ?? undefined, text, stopReason: message.stop_reason, usage: message.usage };
}
