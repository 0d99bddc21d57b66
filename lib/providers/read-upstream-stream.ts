/**
 * Reads an upstream stream as completion parts: bytes are decoded by a push decoder and read
 * by the provider's `StreamReader` as they arrive, so a stream event costs one promise here,
 * not one per layer. Truncation (the body ended before the provider's terminal event) and a
 * broken connection are detected here, once for every provider.
 */
import type { Readable } from 'node:stream';
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

/** The upstream body as the engine reads it: node:http's response (tests pass any Readable). */
export type UpstreamBody = Pick<Readable, 'on' | 'pause' | 'resume' | 'isPaused' | 'destroy' | 'errored'>;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The parts of an upstream body. Parts read before a failure are delivered before it. `return()`
 * (the consumer stopped) destroys the body, which closes the connection: cancellation is tied
 * to iteration. `options.mapError` sees every failure first (the engine scrubs credentials there).
 *
 * The body flows (`'data'` events) and each chunk is decoded and transformed as it arrives: a
 * waiting `next()` is handed its part directly, so an event costs one promise here and no
 * iterator over the socket. The body is paused while parts wait for a consumer that is busy
 * (a slow caller), so the socket's own window holds the upstream back, as reading on demand did.
 */
export function readUpstreamStream(
  provider: Provider,
  transform: StreamTransform,
  decoder: EventDecoder<UpstreamEvent>,
  body: UpstreamBody,
  options: { mapError?: (error: unknown) => unknown } = {},
): UpstreamPartStream {
  let queue: CompletionPart[] = [];
  let position = 0;
  /** No more input is read: the body ended, failed, or the consumer stopped. */
  let finished = false;
  let failure: { error: unknown } | undefined;
  /** A `next()` (take) or `ready()` waiting for a part or the end. */
  let waiter: { resolve(value: IteratorResult<CompletionPart> | undefined): void; reject(error: unknown): void; take: boolean } | undefined;

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

  const take = (): IteratorResult<CompletionPart> => {
    const value = queue[position]!;
    queue[position++] = undefined as never;
    return { done: false, value };
  };

  /** Settles the waiter, if any, with what is there now: a part, the failure, or the end. */
  const wake = () => {
    const waiting = waiter;
    if (waiting === undefined) return;
    if (position < queue.length) {
      waiter = undefined;
      waiting.resolve(waiting.take ? take() : undefined);
    } else if (failure) {
      waiter = undefined;
      const { error } = failure;
      failure = undefined;
      waiting.reject(error);
    } else if (finished) {
      waiter = undefined;
      waiting.resolve(waiting.take ? DONE : undefined);
    }
  };

  const fail = (error: unknown) => {
    if (finished) return;
    finished = true;
    body.destroy();
    const failed = toStreamError(provider, error);
    failure = { error: options.mapError ? options.mapError(failed) : failed };
    wake();
  };

  body.on('data', (chunk: Uint8Array) => {
    if (finished) return;
    try {
      accept(decoder.feed(chunk));
    } catch (error) {
      fail(error);
      return;
    }
    if (position === queue.length) return;
    if (waiter) wake();
    // Parts are waiting for a consumer that is busy: read no further until it comes back.
    else body.pause();
  });
  body.on('end', () => {
    if (finished) return;
    try {
      accept(decoder.end());
      for (const part of transform.flush()) queue.push(part);
    } catch (error) {
      fail(error);
      return;
    }
    finished = true;
    wake();
  });
  body.on('error', fail);
  // A body closed without its end (the connection broke; node:http may not say more).
  body.on('close', () => fail(body.errored ?? new Error('the upstream body closed before its end')));

  /** A promise for the next part (`take`) or for the first one being there (`ready`). */
  const wait = (take: boolean) =>
    new Promise<IteratorResult<CompletionPart> | undefined>((resolve, reject) => {
      waiter = { resolve, reject, take };
      if (body.isPaused()) body.resume();
    });

  const iterator: UpstreamPartStream = {
    ready() {
      if (position < queue.length) return Promise.resolve();
      if (failure) {
        const { error } = failure;
        failure = undefined;
        return Promise.reject(error);
      }
      if (finished) return Promise.resolve();
      return wait(false) as Promise<void>;
    },
    next() {
      if (position < queue.length) return Promise.resolve(take());
      if (failure) {
        const { error } = failure;
        failure = undefined;
        return Promise.reject(error);
      }
      if (finished) return Promise.resolve(DONE);
      return wait(true) as Promise<IteratorResult<CompletionPart>>;
    },
    return() {
      if (!finished) {
        finished = true;
        body.destroy();
      }
      queue = [];
      position = 0;
      failure = undefined;
      wake();
      return Promise.resolve(DONE);
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
