/**
 * The Messages API request body shared by Anthropic and Claude on Vertex AI: the prompt becomes
 * one user turn, the mapped parameters sit beside it. The model, headers and URL are each
 * provider's own (Vertex names the model in the URL and sends none in the body).
 * @see https://docs.anthropic.com/en/api/messages
 */
import type { ProviderCall } from '../provider.ts';
import { singleTextPrompt } from '../single-text-prompt.ts';

export function buildAnthropicMessagesBody(call: ProviderCall, mapped: Record<string, unknown>, providerName: string): Record<string, unknown> {
  const body: Record<string, unknown> = { messages: [{ role: 'user', content: singleTextPrompt(call.params.prompt, providerName) }], ...mapped };
  if (call.stream) body.stream = true;
  return body;
}
