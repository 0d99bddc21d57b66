/**
 * Reads one Messages API stream event, wherever it arrives (an SSE `data:` from Anthropic, a
 * chunk of Bedrock's event stream): `message_start` carries the id, model and the prompt's
 * token count; text arrives in `content_block_start` / `content_block_delta` (`text_delta`);
 * `message_delta` carries the stop reason and the cumulative output count; `message_stop` ends
 * the message; `error` fails it.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types
 */
import { UpstreamError } from '../../api/errors.ts';
import { expectShape } from '../parse-upstream-json.ts';
import { anthropicSchemas, type AnthropicUsage } from './anthropic-messages-schemas.ts';
import { mapAnthropicErrorStatus } from './map-anthropic-error-status.ts';

/** What one event says; every field is absent unless the event carries it. */
export interface AnthropicStreamEvent {
  id?: string | undefined;
  model?: string | undefined;
  text?: string | undefined;
  stopReason?: string | undefined;
  /** Counts present in this event (later ones win over earlier ones, field by field). */
  usage?: AnthropicUsage | undefined;
  /** `message_stop`: the message is complete. */
  stopped?: true;
}

/**
 * @throws UpstreamError for an `error` event (its type as code, a fitting status), and (502)
 *   for an event of an unexpected shape.
 */
export function readAnthropicStreamEvent(json: unknown, provider: string): AnthropicStreamEvent {
  const event = expectShape(anthropicSchemas().streamEvent, json, provider);
  switch (event.type) {
    case 'message_start':
      return { id: event.message?.id ?? undefined, model: event.message?.model ?? undefined, usage: event.message?.usage ?? undefined };
    case 'content_block_start':
      return event.content_block?.type === 'text' && event.content_block.text ? { text: event.content_block.text } : {};
    case 'content_block_delta':
      // Only text becomes completion text; thinking and tool-input deltas have no OpenAI place.
      return isTextDelta(event.delta?.type) && event.delta?.text ? { text: event.delta.text } : {};
    case 'message_delta':
      return { stopReason: event.delta?.stop_reason ?? undefined, usage: event.usage ?? undefined };
    case 'message_stop':
      return { stopped: true };
    case 'error':
      throw new UpstreamError(`${provider} stream error: ${event.error?.message ?? 'unknown error'}`, {
        provider,
        statusCode: mapAnthropicErrorStatus(event.error?.type),
        code: event.error?.type ?? 'upstream_stream_error',
      });
    default:
      // ping, content_block_stop, and event types added later.
      return {};
  }
}

/** `text_delta`, or no type at all (Bedrock's documented chunks omit it). */
function isTextDelta(type: string | null | undefined): boolean {
  return type === 'text_delta' || type === null || type === undefined;
}

/** Overlays the counts an event reports on those seen so far. */
export function mergeAnthropicUsage(earlier: AnthropicUsage, later: AnthropicUsage | undefined): AnthropicUsage {
  if (!later) return earlier;
  const merged = { ...earlier };
  for (const [key, value] of Object.entries(later)) {
    if (value !== null && value !== undefined) merged[key as keyof AnthropicUsage] = value;
  }
  return merged;
}
