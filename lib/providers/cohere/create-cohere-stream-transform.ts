/**
 * Cohere v2 chat stream events → completion parts: `message-start` names the answer,
 * `content-delta` carries text, `message-end` the finish reason and usage; the stream then
 * ends (some deployments add `data: [DONE]`). Ending without `message-end` is truncation.
 * @see https://docs.cohere.com/reference/chat-stream
 * @see https://docs.cohere.com/docs/streaming
 */
import { UpstreamError } from '../../api/errors.ts';
import { expectShape, parseUpstreamJson } from '../parse-upstream-json.ts';
import type { CompletionPart, StreamReader, UpstreamEvent } from '../provider.ts';
import { cohereSchemas } from './cohere-schemas.ts';
import { convertCohereUsage } from './convert-cohere-usage.ts';
import { mapCohereFinishReason } from './map-cohere-finish-reason.ts';

const PROVIDER = 'cohere';

export function createCohereStreamTransform(): StreamReader {
  let id: string | undefined;
  let ended = false;

  function part(text: string, finishReason: CompletionPart['choices'][number]['finish_reason']): CompletionPart {
    const result: CompletionPart = { choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }] };
    if (id) result.id = id;
    return result;
  }

  return {
    read(event: UpstreamEvent): CompletionPart[] {
      if (event.kind !== 'sse' || event.data === '[DONE]') return [];
      const message = expectShape(cohereSchemas().streamEvent, parseUpstreamJson(event.data, PROVIDER), PROVIDER);
      switch (message.type) {
        case 'message-start':
          id = message.id ?? undefined;
          return [];
        case 'content-delta': {
          const content = message.delta?.message?.content;
          const text = content && !Array.isArray(content) ? content.text : undefined;
          return text ? [part(text, null)] : [];
        }
        case 'message-end': {
          ended = true;
          const finished = part('', mapCohereFinishReason(message.delta?.finish_reason) ?? 'stop');
          finished.usage = convertCohereUsage(message.delta?.usage);
          return [finished];
        }
        default:
          // content-start, content-end, citation and tool events, and types added later.
          return [];
      }
    },
    end: () => (ended ? [] : undefined),
  };
}
