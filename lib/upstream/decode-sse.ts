import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseEvent {
  kind: 'sse';
  /** The `event:` field, when the upstream names its events (Anthropic does, OpenAI does not). */
  event: string | undefined;
  data: string;
}

/**
 * A push decoder: bytes in, the events they complete out. The engine feeds it each chunk of the
 * body as it arrives, so decoding adds no iterator layer (and no promise) per event.
 */
export interface EventDecoder<Event> {
  /** The events that `chunk` completes (often none, sometimes many). */
  feed(chunk: Uint8Array): Event[];
  /** The events still owed when the body has ended. @throws Error when the body ended inside a frame. */
  end(): Event[];
}

/**
 * An upstream sent more bytes without finishing an event (or a frame) than the gateway holds:
 * a broken or hostile upstream must not grow the buffer without bound.
 */
export class StreamEventTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`an upstream stream event exceeds ${limitBytes} bytes`);
    this.name = 'StreamEventTooLargeError';
  }
}

/** What one SSE line or event may hold by default (see lib/providers/engine-settings.ts). */
const DEFAULT_MAXIMUM_EVENT_BYTES = 1024 * 1024;

/**
 * Turns bytes of server-sent events into typed events. Parsing follows the WHATWG rules
 * (eventsource-parser), so CRLF, comments and multi-line `data:` fields are handled without regexes.
 *
 * The parser buffers an unfinished line and the data lines of an unfinished event; the bytes
 * fed since an event or comment last completed bound both, so they are what `maxEventBytes`
 * caps (loosely: by at most a quarter of it, or 4 KiB).
 * @throws StreamEventTooLargeError (from `feed`) past `maxEventBytes` without an event completing.
 */
export function createSseDecoder(maxEventBytes = DEFAULT_MAXIMUM_EVENT_BYTES): EventDecoder<SseEvent> {
  let pending: SseEvent[] = [];
  let completed = false;
  let bytesSinceCompleted = 0;
  const sliceBytes = Math.max(4096, Math.floor(maxEventBytes / 4));
  const parser = createParser({
    onEvent(message: EventSourceMessage) {
      completed = true;
      pending.push({ kind: 'sse', event: message.event, data: message.data });
    },
    onComment() {
      completed = true;
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
      // In slices, so that a network chunk holding many whole events is not taken for one big event.
      for (let offset = 0; offset < chunk.byteLength; offset += sliceBytes) {
        const slice = offset === 0 && chunk.byteLength <= sliceBytes ? chunk : chunk.subarray(offset, offset + sliceBytes);
        bytesSinceCompleted += slice.byteLength;
        completed = false;
        parser.feed(decoder.decode(slice, { stream: true }));
        // What follows the completed event in this slice is not counted: the bound is loose by one slice.
        if (completed) bytesSinceCompleted = 0;
        else if (bytesSinceCompleted > maxEventBytes) throw new StreamEventTooLargeError(maxEventBytes);
      }
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
