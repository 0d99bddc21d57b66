import type { MistralContent } from './mistral-ai-schemas.ts';

/**
 * The answer text of a message or delta: the string itself, or the `text` chunks of a chunk
 * list, leaving out a reasoning model's `thinking` chunks.
 * @see https://docs.mistral.ai/capabilities/reasoning/
 */
export function readMistralAIText(content: MistralContent): string {
  if (!content) return '';
  if (typeof content === 'string') return content;
  let text = '';
  for (const chunk of content) if (chunk.type === 'text' && chunk.text) text += chunk.text;
  return text;
}
