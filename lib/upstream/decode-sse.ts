import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseEvent {
  kind: 'sse';
  /** The `event:` field, when the upstream names its events (Anthropic does, OpenAI does not). */
  event: string | undefined;
  data: string;
}

/**
 * A push decoder: bytes in, the events they complete out. The engine drives it from its one
 * iterator over the socket, so decoding adds no iterator layer (and no promise) per event.
 */
export interface EventDecoder<Event> {
  /** The events that `chunk` completes (often none, sometimes many). */
  feed(chunk: Uint8Array): Event[];
  /** The events still owed when the body has ended. @throws Error when the body ended inside a frame. */
  end(): Event[];
}

/**
 * Turns bytes of server-sent events into typed events. Parsing follows the WHATWG rules
 * (eventsource-parser), so CRLF, comments and multi-line `data:` fields are handled without regexes.
 */
export function createSseDecoder(): EventDecoder<SseEvent> {
  let pending: SseEvent[] = [];
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      pending.push({ kind: 'sse', event: message.event, data: message.data });
    },
  });
  const decoder = new TextDecoder();
  const take = () => {
    const events = pending;
    pending = [];
    return events;
  };
  return {
    feed(chunk) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      return take();
    },
    end() {
      parser.feed(decoder.decode());
      // A final event without its blank line still counts (some servers omit it before closing).
      parser.feed('\n\n');
      return take();
    },
  };
}

/** The decoder as an async generator, for tests and tools that hold a whole body. */
export async function* decodeSse(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = createSseDecoder();
  for await (const chunk of body) yield* decoder.feed(chunk);
  yield* decoder.end();
}
