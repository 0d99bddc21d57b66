/**
 * The response stream a streaming handler is given, shaped and behaving like the one AWS's runtime
 * client (`aws-lambda-ric` 4, nodejs24.x) gives it, so that code which would break a Lambda
 * instance breaks here too. Found by running both (test/runtime/stand-in-parity.test.ts):
 *
 * - It is not a `stream.Writable`: an object of the writable methods and properties the runtime
 *   takes from its HTTP request (no `pipe`, no `_write`); events are the request's.
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

/**
 * The runtime's stream object. Its methods live on this class's prototype rather than being bound
 * per request as the runtime binds them (20 closures per invocation cost the local server ~5% of
 * its CPU); what a handler can observe is the same: no `pipe`, not a `Writable`, the sink's events.
 */
class RuntimeResponseStream {
  _onBeforeFirstWrite: LambdaResponseStream['_onBeforeFirstWrite'] = undefined;
  #sink: Writable;
  #options: LambdaResponseStreamOptions;
  #firstWriteDone = false;
  #contentType = DEFAULT_CONTENT_TYPE;
  #crashed = false;

  constructor(sink: Writable, options: LambdaResponseStreamOptions) {
    this.#sink = sink;
    this.#options = options;
    // The runtime's request has an 'error' listener that rejects a promise nobody awaits.
    sink.on('error', (error: Error) => this.#crash(error));
  }

  #crash(error: Error): void {
    if (this.#crashed || this.#options.callerGone?.()) return;
    this.#crashed = true;
    (this.#options.onCrash ?? crashByDefault)(error instanceof LambdaRuntimeCrash ? error : new LambdaRuntimeCrash(error.message, { cause: error }));
  }

  #announce(): void {
    if (this.#firstWriteDone) return;
    this.#firstWriteDone = true;
    this.#options.onContentType?.(this.#contentType);
  }

  setContentType(contentType: string): void {
    if (this.#firstWriteDone) throw Object.assign(new Error('Cannot set content-type, too late.'), { name: 'Runtime.InvalidStreamingOperation' });
    this.#contentType = contentType;
  }

  write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    const data = typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
    const sink = this.#sink;
    if (!this.#firstWriteDone) {
      this.#announce();
      if (typeof this._onBeforeFirstWrite === 'function') this._onBeforeFirstWrite((bytes) => sink.write(bytes));
    }
    return (sink.write as (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean)(data, encoding, callback);
  }

  /** Not through `write`: like the runtime's, `end(chunk)` bypasses the prelude hook. */
  end(chunk?: unknown, encoding?: unknown, callback?: unknown): Writable {
    this.#announce();
    return (this.#sink.end as (chunk?: unknown, encoding?: unknown, callback?: unknown) => Writable)(chunk, encoding, callback);
  }

  destroy(error?: Error): Writable {
    this.#crash(error ?? Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    return this.#sink.destroy(error);
  }

  cork(): void {
    this.#sink.cork();
  }
  uncork(): void {
    this.#sink.uncork();
  }
  on(event: string, listener: (...args: any[]) => void): Writable {
    return this.#sink.on(event, listener);
  }
  addListener(event: string, listener: (...args: any[]) => void): Writable {
    return this.#sink.addListener(event, listener);
  }
  once(event: string, listener: (...args: any[]) => void): Writable {
    return this.#sink.once(event, listener);
  }
  prependListener(event: string, listener: (...args: any[]) => void): Writable {
    return this.#sink.prependListener(event, listener);
  }
  prependOnceListener(event: string, listener: (...args: any[]) => void): Writable {
    return this.#sink.prependOnceListener(event, listener);
  }
  off(event: string, listener: (...args: any[]) => void): Writable {
    return this.#sink.off(event, listener);
  }
  removeListener(event: string, listener: (...args: any[]) => void): Writable {
    return this.#sink.removeListener(event, listener);
  }
  removeAllListeners(event?: string): Writable {
    return this.#sink.removeAllListeners(event);
  }
  setMaxListeners(count: number): Writable {
    return this.#sink.setMaxListeners(count);
  }
  getMaxListeners(): number {
    return this.#sink.getMaxListeners();
  }
  listeners(event: string): Function[] {
    return this.#sink.listeners(event);
  }
  rawListeners(event: string): Function[] {
    return this.#sink.rawListeners(event);
  }
  listenerCount(event: string): number {
    return this.#sink.listenerCount(event);
  }
  eventNames(): Array<string | symbol> {
    return this.#sink.eventNames();
  }
  emit(event: string, ...args: unknown[]): boolean {
    return this.#sink.emit(event, ...args);
  }

  get destroyed(): boolean {
    return this.#sink.destroyed;
  }
  get writableFinished(): boolean {
    return this.#sink.writableFinished;
  }
  get writableObjectMode(): boolean {
    return this.#sink.writableObjectMode;
  }
  get writableEnded(): boolean {
    return this.#sink.writableEnded;
  }
  get writableNeedDrain(): boolean {
    return this.#sink.writableNeedDrain;
  }
  get writableHighWaterMark(): number {
    return this.#sink.writableHighWaterMark;
  }
  get writableCorked(): number {
    return this.#sink.writableCorked;
  }
  get writableLength(): number {
    return this.#sink.writableLength;
  }
  get writable(): boolean {
    return this.#sink.writable;
  }
}

/** Wraps `sink` (the local server's decoder) in the runtime's response-stream shape. */
export function createLambdaResponseStream(sink: Writable, options: LambdaResponseStreamOptions = {}): LambdaResponseStream {
  return new RuntimeResponseStream(sink, options) as unknown as LambdaResponseStream;
}
