/**
 * The response stream a streaming handler is given, shaped and behaving like the one AWS's runtime
 * client (`aws-lambda-ric` 4, nodejs24.x) gives it, so that code which would break a Lambda
 * instance breaks here too. Found by running both (test/runtime/stand-in-parity.test.ts):
 *
 * - It is not a `stream.Writable`: a plain object of the writable methods and properties the
 *   runtime binds from its HTTP request (no `pipe`, no `_write`, prototype `Object`).
 * - `HttpResponseStream.from` writes nothing: it sets the content type and hooks the *first
 *   `write()`* to send the prelude first. `end(chunk)` without a write sends no prelude at all.
 * - Every write goes out on its own; non-byte chunks are JSON-stringified.
 * - Destroying it, with or without an error, or any error on it (a write after `end()`, a
 *   `pipeline()` whose source failed), kills the runtime process: exit 1, the instance is gone.
 *   Here that is `onCrash`, by default an uncaught exception, as there.
 *
 * The caller going away is not the handler's doing: the local server then destroys the sink, the
 * handler hears of it through the usual stream errors, and nothing crashes.
 */
import type { Writable } from 'node:stream';

export const METADATA_PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** What the handler may touch, exactly the names the runtime client binds. */
export interface LambdaResponseStream {
  write(chunk: unknown, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void): boolean;
  end(chunk?: unknown, encoding?: BufferEncoding | (() => void), callback?: () => void): LambdaResponseStream;
  destroy(error?: Error): LambdaResponseStream;
  cork(): void;
  uncork(): void;
  on(event: string, listener: (...args: any[]) => void): LambdaResponseStream;
  once(event: string, listener: (...args: any[]) => void): LambdaResponseStream;
  off(event: string, listener: (...args: any[]) => void): LambdaResponseStream;
  emit(event: string, ...args: unknown[]): boolean;
  setContentType(contentType: string): void;
  _onBeforeFirstWrite?: (write: (chunk: string | Uint8Array) => void) => void;
  readonly destroyed: boolean;
  readonly writableFinished: boolean;
  readonly writableEnded: boolean;
  readonly writableNeedDrain: boolean;
  readonly writableHighWaterMark: number;
  readonly writable: boolean;
  [name: string]: unknown;
}

/** The methods and properties the runtime client copies onto its stream object (its WRITABLE_METHODS etc.). */
const METHODS = [
  'cork', 'destroy', 'end', 'uncork', 'write', 'addListener', 'on', 'once', 'prependListener', 'prependOnceListener', 'off',
  'removeListener', 'removeAllListeners', 'setMaxListeners', 'getMaxListeners', 'listeners', 'rawListeners', 'listenerCount',
  'eventNames', 'emit',
] as const;
const READ_ONLY = ['writableFinished', 'writableObjectMode', 'writableEnded', 'writableNeedDrain', 'writableHighWaterMark', 'writableCorked', 'writableLength', 'writable'] as const;

export interface LambdaResponseStreamOptions {
  /** Told the content type once, before the first write reaches the sink. */
  onContentType?: (contentType: string) => void;
  /** The runtime process would die here; default: throw it as an uncaught exception. */
  onCrash?: (error: Error) => void;
  /** True once the caller has gone: errors after that are the server's doing, not a crash. */
  callerGone?: () => boolean;
}

export class LambdaRuntimeCrash extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`The Lambda runtime process would exit here (exit 1, the instance dies): ${message}`, options);
    this.name = 'LambdaRuntimeCrash';
  }
}

function crashByDefault(error: Error): void {
  process.nextTick(() => {
    throw error;
  });
}

/** Wraps `sink` (the local server's decoder) in the runtime's response-stream shape. */
export function createLambdaResponseStream(sink: Writable, options: LambdaResponseStreamOptions = {}): LambdaResponseStream {
  let firstWriteDone = false;
  let contentType = DEFAULT_CONTENT_TYPE;
  let crashed = false;
  const crash = options.onCrash ?? crashByDefault;
  const callerGone = options.callerGone ?? (() => false);

  function crashOnce(error: Error): void {
    if (crashed || callerGone()) return;
    crashed = true;
    crash(error instanceof LambdaRuntimeCrash ? error : new LambdaRuntimeCrash(error.message, { cause: error }));
  }
  // The runtime's request has an 'error' listener that rejects a promise nobody awaits.
  sink.on('error', crashOnce);

  const stream = {} as LambdaResponseStream;
  for (const method of METHODS) (stream as Record<string, unknown>)[method] = (sink as unknown as Record<string, (...args: unknown[]) => unknown>)[method]!.bind(sink);
  for (const name of READ_ONLY) Object.defineProperty(stream, name, { get: () => (sink as unknown as Record<string, unknown>)[name], enumerable: true });
  Object.defineProperty(stream, 'destroyed', { get: () => sink.destroyed, set: () => {}, enumerable: true });
  let onBeforeFirstWrite: LambdaResponseStream['_onBeforeFirstWrite'];
  Object.defineProperty(stream, '_onBeforeFirstWrite', { get: () => onBeforeFirstWrite, set: (value) => (onBeforeFirstWrite = value), enumerable: true });

  const sinkWrite = sink.write.bind(sink) as (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;
  const sinkEnd = sink.end.bind(sink) as (chunk?: unknown, encoding?: unknown, callback?: unknown) => Writable;
  function announce(): void {
    if (!firstWriteDone) {
      firstWriteDone = true;
      options.onContentType?.(contentType);
    }
  }

  stream.setContentType = (next) => {
    if (firstWriteDone) throw Object.assign(new Error('Cannot set content-type, too late.'), { name: 'Runtime.InvalidStreamingOperation' });
    contentType = next;
  };
  stream.write = (chunk, encoding, callback) => {
    const data = typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
    if (!firstWriteDone && typeof onBeforeFirstWrite === 'function') {
      announce();
      onBeforeFirstWrite((bytes) => sinkWrite(bytes));
    }
    announce();
    return sinkWrite(data, encoding, callback);
  };
  stream.end = (chunk?: unknown, encoding?: unknown, callback?: unknown) => {
    // Not through `write`: like the runtime's, `end(chunk)` bypasses the prelude hook.
    announce();
    sinkEnd(chunk, encoding, callback);
    return stream;
  };
  stream.destroy = (error) => {
    crashOnce(error ?? Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    sink.destroy(error);
    return stream;
  };
  return stream;
}
