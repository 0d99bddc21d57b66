import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseEvent {
  kind: 'sse';
  /** The `event:` field, when the upstream names its events (Anthropic does, OpenAI does not). */
  event: string | undefined;
  data: string;
}

/**
 * Turns a byte stream of server-sent events into typed events, as they arrive.
 * Parsing follows the WHATWG rules (eventsource-parser), so CRLF, comments and
 * multi-line `data:` fields are handled without regexes.
 */
export async function* decodeSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const pending: SseEvent[] = [];
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      pending.push({ kind: 'sse', event: message.event, data: message.data });
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    while (pending.length > 0) yield pending.shift()!;
  }
  parser.feed(decoder.decode());
  // A final event without its blank line still counts (some servers omit it before closing).
  parser.feed('\n\n');
  while (pending.length > 0) yield pending.shift()!;
}
