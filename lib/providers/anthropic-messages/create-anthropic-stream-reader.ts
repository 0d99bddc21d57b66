/**
 * Messages API stream events (`message_start`, `content_block_delta`, `message_delta`,
 * `message_stop`, `error`) → completion parts, for every provider that speaks the format
 * (Anthropic, Claude on Vertex AI).
 * @see https://docs.anthropic.com/en/api/messages-streaming
 */
import { parseUpstreamJson } from '../parse-upstream-json.ts';
import type { CompletionPart, StreamReader } from '../provider.ts';
import type { AnthropicUsage } from './anthropic-messages-schemas.ts';
import { convertAnthropicUsage } from './convert-anthropic-usage.ts';
import { mapAnthropicFinishReason } from './map-anthropic-finish-reason.ts';
import { mergeAnthropicUsage, readAnthropicStreamEvent } from './read-anthropic-stream-event.ts';

/**
 * Nothing is emitted before the first text, so an `error` event that comes first still fails
 * the call before the first byte (and can be retried elsewhere).
 */
export function createAnthropicStreamReader(providerName: string): StreamReader {
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
    read(event) {
      if (event.kind !== 'sse') return [];
      const read = readAnthropicStreamEvent(parseUpstreamJson(event.data, providerName), providerName);
      if (read.id) id = read.id;
      if (read.model) model = read.model;
      usage = mergeAnthropicUsage(usage, read.usage);
      if (read.text) return [part(read.text, null)];
      const reason = mapAnthropicFinishReason(read.stopReason);
      if (reason) {
        finished = true;
        return [part('', reason)];
      }
      if (!read.stopped) return [];
      stopped = true;
      const parts = finished ? [] : [part('', 'stop')];
      finished = true;
      parts.push({ choices: [], usage: convertAnthropicUsage(usage) });
      return parts;
    },
    end: () => (stopped ? [] : undefined),
  };
}
