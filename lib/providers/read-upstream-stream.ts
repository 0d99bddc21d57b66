/**
 * Reads an upstream stream as completion parts with a single iterator over the socket: bytes
 * are decoded by a push decoder and read by the provider's `StreamReader` inside one `next()`,
 * so a stream event costs one promise here, not one per layer. Truncation (the body ended
 * before the provider's terminal event) and a broken connection are detected here, once for
 * every provider.
 */
import { UpstreamError } from '../api/errors.ts';
import { createAwsEventStreamDecoder } from '../upstream/decode-aws-event-stream.ts';
import { createSseDecoder, StreamEventTooLargeError, type EventDecoder } from '../upstream/decode-sse.ts';
import type { CompletionPart, Provider, ProviderCall, StreamTransform, UpstreamEvent } from './provider.ts';

/**
 * A decoder for a provider's stream framing (the AWS codec loads with the first Bedrock stream).
 * @param maxEventBytes the largest SSE line / event or AWS frame held (GATEWAY_MAX_STREAM_EVENT_BYTES).
 */
export function createEventDecoder(provider: Provider, maxEventBytes?: number): EventDecoder<UpstreamEvent> | Promise<EventDecoder<UpstreamEvent>> {
  return provider.streamFormat === 'sse' ? createSseDecoder(maxEventBytes) : createAwsEventStreamDecoder(maxEventBytes);
}

/** The error for a stream that ended before its terminal event. */
function streamTruncatedError(provider: Provider): UpstreamError {
  return new UpstreamError(`${provider.name} ended the stream before ${provider.streamEnd}.`, { provider: provider.name, statusCode: 502, code: 'stream_truncated' });
}

/**
 * A provider's reader with the engine's truncation check: the one place a stream cut short
 * becomes an error, for every provider (tests and the bench feed it events directly).
 */
export function createStreamTransform(provider: Provider, call: ProviderCall): StreamTransform {
  const reader = provider.createStreamReader(call);
  return {
    transform: (event) => reader.read(event),
    flush() {
      const parts = reader.end();
      if (parts === undefined) throw streamTruncatedError(provider);
      return parts;
    },
  };
}

/** The parts of an upstream body; `ready()` resolves once the first part is there (or the stream is over). */
export interface UpstreamPartStream extends AsyncIterableIterator<CompletionPart> {
  /** Waits for the first part, so that a failure before it is thrown here and can still be retried. */
  ready(): Promise<void>;
}

/**
 * The parts of an upstream body. Parts read before a failure are delivered before it. `return()`
 * (the consumer stopped) destroys the body, which closes the connection: cancellation is tied
 * to iteration. `options.mapError` sees every failure first (the engine scrubs credentials there).
 */
export function readUpstreamStream(
  provider: Provider,
  transform: StreamTransform,
  decoder: EventDecoder<UpstreamEvent>,
  body: AsyncIterable<Uint8Array> & { destroy(error?: Error): void },
  options: { mapError?: (error: unknown) => unknown } = {},
): UpstreamPartStream {
  const chunks = body[Symbol.asyncIterator]();
  let queue: CompletionPart[] = [];
  let position = 0;
  let finished = false;
  let failure: { error: unknown } | undefined;

  const accept = (events: UpstreamEvent[]) => {
    for (const event of events) {
      const parts = transform.transform(event);
      if (parts.length === 0) continue;
      if (position === queue.length) {
        queue = parts;
        position = 0;
      } else {
        for (const part of parts) queue.push(part);
      }
    }
  };

  /** Reads until a part is queued or the stream is over; a failure is kept for after the queued parts. */
  async function fill(): Promise<void> {
    try {
      while (position === queue.length && !finished) {
        const chunk = await chunks.next();
        if (chunk.done) {
          accept(decoder.end());
          finished = true;
          for (const part of transform.flush()) queue.push(part);
        } else {
          accept(decoder.feed(chunk.value));
        }
      }
    } catch (error) {
      finished = true;
      body.destroy();
      const failed = toStreamError(provider, error);
      failure = { error: options.mapError ? options.mapError(failed) : failed };
    }
  }

  const iterator: UpstreamPartStream = {
    async ready() {
      if (position === queue.length) await fill();
      if (position === queue.length && failure) {
        const { error } = failure;
        failure = undefined;
        throw error;
      }
    },
    async next(): Promise<IteratorResult<CompletionPart>> {
      await iterator.ready();
      if (position === queue.length) return { done: true, value: undefined };
      const value = queue[position]!;
      queue[position++] = undefined as never;
      return { done: false, value };
    },
    async return(): Promise<IteratorResult<CompletionPart>> {
      if (!finished) {
        finished = true;
        body.destroy();
      }
      queue = [];
      position = 0;
      failure = undefined;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** What a failure while reading a stream tells: the provider's own error, an oversized event, or a broken connection (502). */
function toStreamError(provider: Provider, error: unknown): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (error instanceof StreamEventTooLargeError) {
    return new UpstreamError(`${provider.name} sent a stream event larger than this gateway accepts (${error.limitBytes} bytes).`, {
      provider: provider.name,
      statusCode: 502,
      code: 'upstream_event_too_large',
      cause: error,
    });
  }
  return new UpstreamError(`The connection to ${provider.name} broke during the stream.`, {
    provider: provider.name,
    statusCode: 502,
    code: 'stream_interrupted',
    isConnectionError: true,
    cause: error,
  });
}
