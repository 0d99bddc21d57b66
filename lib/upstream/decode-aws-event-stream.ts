/**
 * Decodes the AWS binary event stream (`application/vnd.amazon.eventstream`) that Bedrock's
 * InvokeModelWithResponseStream and ConverseStream answer with: length-prefixed frames, each
 * with CRC-checked prelude and message, typed headers and a payload.
 *
 * Frames are split here and decoded by `@smithy/eventstream-codec` (~25 KB minified, against
 * ~490 KB for the whole Bedrock runtime client), so the CRC and header rules are AWS's own.
 * @see https://docs.aws.amazon.com/transcribe/latest/dg/streaming-setting-up.html#streaming-event-stream
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html
 */
import type { EventStreamCodec } from '@smithy/eventstream-codec';
import { StreamEventTooLargeError, type EventDecoder } from './decode-sse.ts';

/** One decoded AWS event-stream message (Bedrock), headers already read. */
export interface AwsStreamEvent {
  kind: 'aws';
  /** `:message-type`: `event`, `exception` or `error`. */
  messageType: string;
  /** `:event-type` (e.g. `chunk`), `:exception-type` (e.g. `throttlingException`) or `:error-code`. */
  eventType: string;
  payload: Uint8Array;
}

/** Prelude (8) + prelude CRC (4) + message CRC (4): the smallest possible frame. */
const MINIMUM_FRAME_BYTES = 16;
/** AWS caps one event-stream message at 16 MiB; anything larger is a corrupt length prefix. */
const MAXIMUM_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * Loaded with the first Bedrock stream, not at cold start: evaluating the codec's module graph
 * (parts of @smithy/core) is a large share of the bundle's module-load time, and most containers
 * never stream from Bedrock.
 */
let codec: Promise<EventStreamCodec> | undefined;
function loadCodec(): Promise<EventStreamCodec> {
  codec ??= import('@smithy/eventstream-codec').then(
    ({ EventStreamCodec }) =>
      new EventStreamCodec(
        (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
        (text) => Buffer.from(text, 'utf8'),
      ),
  );
  return codec;
}

/**
 * A push decoder of frames, as they complete (a frame may span network chunks and a chunk may
 * hold many frames). Async to create: the codec loads with the first Bedrock stream.
 * @param maxFrameBytes the largest frame held (at most AWS's 16 MiB); a larger one is refused when its prefix arrives.
 * @throws Error (from `feed` / `end`) on a corrupt frame (bad length or CRC) or a body that ends inside a frame;
 *   StreamEventTooLargeError for a frame over `maxFrameBytes`.
 */
export async function createAwsEventStreamDecoder(maxFrameBytes = MAXIMUM_FRAME_BYTES): Promise<EventDecoder<AwsStreamEvent>> {
  const decoder = await loadCodec();
  let buffer: Buffer = Buffer.alloc(0);
  return {
    feed(chunk) {
      buffer = buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([buffer, chunk]);
      const events: AwsStreamEvent[] = [];
      while (buffer.length >= 4) {
        const length = buffer.readUInt32BE(0);
        if (length < MINIMUM_FRAME_BYTES || length > MAXIMUM_FRAME_BYTES) {
          throw new Error(`AWS event stream frame has an impossible length of ${length} bytes`);
        }
        if (length > maxFrameBytes) throw new StreamEventTooLargeError(maxFrameBytes);
        if (buffer.length < length) break;
        const frame = buffer.subarray(0, length);
        buffer = buffer.subarray(length);
        events.push(toAwsStreamEvent(decoder.decode(frame)));
      }
      return events;
    },
    end() {
      if (buffer.length > 0) throw new Error(`AWS event stream ended inside a frame (${buffer.length} bytes left)`);
      return [];
    },
  };
}

/** The decoder as an async generator, for tests and tools that hold a whole body. */
export async function* decodeAwsEventStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<AwsStreamEvent> {
  const decoder = await createAwsEventStreamDecoder();
  for await (const chunk of body) yield* decoder.feed(chunk);
  yield* decoder.end();
}

type DecodedMessage = ReturnType<EventStreamCodec['decode']>;

function toAwsStreamEvent(message: DecodedMessage): AwsStreamEvent {
  const header = (name: string): string => {
    const value = message.headers[name]?.value;
    return typeof value === 'string' ? value : '';
  };
  const messageType = header(':message-type') || 'event';
  // Exceptions name themselves in `:exception-type`; protocol errors in `:error-code`.
  const eventType =
    messageType === 'exception' ? header(':exception-type') : messageType === 'error' ? header(':error-code') : header(':event-type');
  // A protocol error carries its message in a header and no body: give it one, as exceptions have.
  const payload = messageType === 'error' ? Buffer.from(JSON.stringify({ message: header(':error-message') })) : message.body;
  return { kind: 'aws', messageType, eventType, payload };
}
