/**
 * Anthropic stream events → completion parts. `message_start` carries the id, model and the
 * prompt's token count; text arrives in `content_block_delta` (`text_delta`); `message_delta`
 * carries the stop reason and the cumulative output count; `message_stop` ends the message.
 * Nothing is emitted before the first text, so an `error` event that comes first still fails
 * the call before the first byte (and can be retried elsewhere).
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types
 */
import { UpstreamError } from '../../api/errors.ts';
import { expectShape, parseUpstreamJson } from '../parse-upstream-json.ts';
import type { CompletionPart, StreamTransform, UpstreamEvent } from '../provider.ts';
import { anthropicSchemas, type AnthropicUsage } from './anthropic-schemas.ts';
import { convertAnthropicUsage } from './convert-anthropic-usage.ts';
import { mapAnthropicErrorStatus } from './map-anthropic-error-status.ts';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.ts';

const PROVIDER = 'anthropic';

export function createAnthropicStreamTransform(): StreamTransform {
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
    transform(event: UpstreamEvent): CompletionPart[] {
      if (event.kind !== 'sse') return [];
      const message = expectShape(anthropicSchemas().streamEvent, parseUpstreamJson(event.data, PROVIDER), PROVIDER);
      switch (message.type) {
        case 'message_start':
          id = message.message?.id ?? undefined;
          model = message.message?.model ?? undefined;
          usage = { ...message.message?.usage };
          return [];
        case 'content_block_start': {
          const text = message.content_block?.type === 'text' ? message.content_block.text : undefined;
          return text ? [part(text, null)] : [];
        }
        case 'content_block_delta':
          // Only text becomes completion text; thinking and tool-input deltas have no OpenAI place.
          return message.delta?.type === 'text_delta' && message.delta.text ? [part(message.delta.text, null)] : [];
        case 'message_delta': {
          // The delta's counts are cumulative and win over message_start's; absent ones keep it.
          for (const [key, value] of Object.entries(message.usage ?? {})) {
            if (value !== null && value !== undefined) usage[key as keyof AnthropicUsage] = value;
          }
          const reason = mapAnthropicFinishReason(message.delta?.stop_reason);
          if (!reason) return [];
          finished = true;
          return [part('', reason)];
        }
        case 'message_stop': {
          stopped = true;
          const parts = finished ? [] : [part('', 'stop')];
          finished = true;
          parts.push({ choices: [], usage: convertAnthropicUsage(usage) });
          return parts;
        }
        case 'error':
          throw new UpstreamError(`anthropic stream error: ${message.error?.message ?? 'unknown error'}`, {
            provider: PROVIDER,
            statusCode: mapAnthropicErrorStatus(message.error?.type),
            code: message.error?.type ?? 'upstream_stream_error',
          });
        default:
          // ping, content_block_stop, and event types added later.
          return [];
      }
    },
    flush(): CompletionPart[] {
      if (!stopped) {
        throw new UpstreamError('anthropic ended the stream before message_stop.', { provider: PROVIDER, statusCode: 502, code: 'stream_truncated' });
      }
      return [];
    },
  };
}
