import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { PRELUDE_DELIMITER, type ResponsePrelude } from './lambda-streaming-runtime.ts';

const EMPTY = Buffer.alloc(0);

/**
 * The response stream handed to the handler. It decodes the runtime's framing (JSON prelude,
 * 8 NUL bytes, body) the way API Gateway does: the prelude becomes the status line and headers,
 * every later byte goes to the socket as soon as it is written.
 *
 * The status line and headers are held until the first body chunk, and that chunk until the
 * synchronous work that wrote it is done: a JSON answer, written and ended in one go, then leaves
 * in a single socket write (headers, body and the chunked terminator together) instead of three,
 * and a stream's headers and first chunk in one write instead of two. Both still leave before
 * the next I/O; headers without a body chunk leave after this turn's I/O at the latest.
 */
export class LambdaResponseWriter extends Writable {
  #response: ServerResponse;
  #head: Buffer | undefined = EMPTY;
  /** The first body chunk, held with the headers until the turn ends or the body ends. */
  #held: Buffer | string | undefined;
  #sending = false;
  /** Status and headers decoded from the prelude, not yet given to the response. */
  #pendingHead: { statusCode: number; headers: Record<string, string | string[]> } | undefined;

  constructor(response: ServerResponse) {
    // Strings (Middy writes the body as one) go to the socket as they are, not copied into a Buffer first.
    super({ decodeStrings: false });
    this.#response = response;
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#head !== undefined) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      // The prelude arrives in one write from the runtime: no copy unless it came in pieces.
      const buffered = this.#head.length === 0 ? bytes : Buffer.concat([this.#head, bytes]);
      const end = buffered.indexOf(PRELUDE_DELIMITER);
      if (end === -1) {
        this.#head = buffered;
        return callback();
      }
      this.#head = undefined;
      this.#writeHead(JSON.parse(buffered.subarray(0, end).toString('utf8')) as ResponsePrelude);
      chunk = buffered.subarray(end + PRELUDE_DELIMITER.length);
      if (chunk.length === 0) return callback();
    }
    // Middy writes an empty chunk after the prelude; it would send the headers on their own.
    if (chunk.length === 0) return callback();
    if (!this.#sending) {
      if (this.#held === undefined) {
        this.#held = chunk;
        // A microtask runs after the ticks that end a body written in one go (Middy writes prelude,
        // body and end synchronously), yet before any I/O: a stream's first chunk is not delayed.
        queueMicrotask(() => this.#release());
        return callback();
      }
      this.#release();
    }
    if (this.#response.write(chunk)) callback();
    else this.#response.once('drain', () => callback());
  }

  /** Sends the held headers and first chunk (once). */
  #release(): void {
    if (this.#sending) return;
    this.#sending = true;
    const held = this.#held;
    this.#held = undefined;
    if (this.#response.destroyed) return;
    this.#sendHead();
    // Stream chunks must reach the caller now, not when Nagle decides.
    if (held !== undefined) this.#response.write(held);
    else this.#response.flushHeaders();
  }

  override _final(callback: (error?: Error | null) => void): void {
    // A handler that never wrote a prelude answers 200 with whatever it wrote, as Lambda does.
    if (this.#head !== undefined) {
      const body = this.#head;
      this.#head = undefined;
      this.#writeHead({ statusCode: 200 });
      this.#sendHead();
      this.#response.write(body);
    }
    const wasSending = this.#sending;
    this.#sending = true;
    const held = this.#held;
    this.#held = undefined;
    if (held === undefined) {
      this.#sendHead();
      this.#response.end(() => callback());
      return;
    }
    // The whole body is known: with its length, headers and body leave as one plain write,
    // without chunked framing (a writev of five pieces), and the caller needs no terminator.
    if (!wasSending) this.#sendHead(Buffer.byteLength(held));
    this.#response.end(held, () => callback());
  }

  /** Gives the response its status and headers (once), with `content-length` when the body is whole. */
  #sendHead(contentLength?: number): void {
    const head = this.#pendingHead;
    if (head === undefined) return;
    this.#pendingHead = undefined;
    if (contentLength !== undefined && !('content-length' in head.headers) && !('transfer-encoding' in head.headers)) {
      head.headers['content-length'] = String(contentLength);
    }
    this.#response.writeHead(head.statusCode, head.headers);
  }

  #writeHead(prelude: ResponsePrelude): void {
    const headers: Record<string, string | string[]> = { ...prelude.headers };
    for (const [name, values] of Object.entries(prelude.multiValueHeaders ?? {})) headers[name] = values;
    if (prelude.cookies?.length) headers['set-cookie'] = prelude.cookies;
    this.#pendingHead = { statusCode: prelude.statusCode ?? 200, headers };
    // A stream's first chunk comes in the same turn (the handler returns a stream only once its
    // first part is there) and takes the headers along; without one they go on their own.
    setImmediate(() => this.#release());
  }
}
