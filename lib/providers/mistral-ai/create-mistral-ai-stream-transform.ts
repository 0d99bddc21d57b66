/**
 * Mistral stream chunks (chat and FIM alike) → completion parts: `delta.content` is the text,
 * the last chunk carries `finish_reason` and the usage, then `data: [DONE]`. A stream that ends
 * before any choice finished is truncated.
 * @see https://docs.mistral.ai/api/#tag/chat/operation/chat_completion_v1_chat_completions_post (stream)
 */
import { UpstreamError } from '../../api/errors.ts';
import { expectShape, parseUpstreamJson } from '../parse-upstream-json.ts';
import type { CompletionPart, StreamReader, UpstreamEvent } from '../provider.ts';
import { convertMistralAIUsage } from './convert-mistral-ai-usage.ts';
import { readMistralAIText } from './read-mistral-ai-text.ts';
import { mapMistralAIFinishReason } from './map-mistral-ai-finish-reason.ts';
import { mistralSchemas } from './mistral-ai-schemas.ts';

const PROVIDER = 'mistral-ai';

export function createMistralAIStreamTransform(): StreamReader {
  let finished = false;
  return {
    read(event: UpstreamEvent): CompletionPart[] {
      if (event.kind !== 'sse' || event.data === '[DONE]') return [];
      const json = parseUpstreamJson(event.data, PROVIDER);
      if (typeof json === 'object' && json !== null && 'object' in json && (json as { object?: unknown }).object === 'error') {
        const message = (json as { message?: unknown }).message;
        throw new UpstreamError(`mistral-ai stream error: ${typeof message === 'string' ? message : 'unknown error'}`, { provider: PROVIDER, statusCode: 502, code: 'upstream_stream_error' });
      }
      const chunk = expectShape(mistralSchemas().chunk, json, PROVIDER);
      const part: CompletionPart = { choices: [] };
      for (const [position, choice] of (chunk.choices ?? []).entries()) {
        const text = readMistralAIText(choice.delta?.content);
        const finishReason = mapMistralAIFinishReason(choice.finish_reason);
        if (finishReason) finished = true;
        if (text || finishReason) part.choices.push({ index: choice.index ?? position, text, logprobs: null, finish_reason: finishReason });
      }
      const usage = convertMistralAIUsage(chunk.usage);
      if (usage) part.usage = usage;
      if (part.choices.length === 0 && !part.usage) return [];
      if (chunk.id) part.id = chunk.id;
      if (chunk.model) part.model = chunk.model;
      return [part];
    },
    end: () => (finished ? [] : undefined),
  };
}
