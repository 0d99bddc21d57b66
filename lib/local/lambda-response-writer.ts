import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { log } from '../log.ts';
import { DEFAULT_CONTENT_TYPE, METADATA_PRELUDE_CONTENT_TYPE } from './lambda-response-stream.ts';
import { PRELUDE_DELIMITER, type ResponsePrelude } from './lambda-streaming-runtime.ts';

const EMPTY = Buffer.alloc(0);
/** The runtime's response stream is an HTTP request on a socket with Node 22+'s default: 64 KiB. */
const DEFAULT_HIGH_WATER_MARK = 65_536;
/** API Gateway's own answer when the integration fails. */
const INTERNAL_SERVER_ERROR = JSON.stringify({ message: 'Internal server error' });

/**
 * The local server's stand-in for API Gateway's side of a streamed Lambda answer: it decodes the
 * bytes the handler's response stream sends (`lambda-response-stream.ts`) the way API Gateway does.
 * With the content type `application/vnd.awslambda.http-integration-response` (set by
 * `HttpResponseStream.from`) the bytes up to 8 NUL bytes are the JSON prelude, which becomes the
 * status line and headers, and every later byte goes to the socket as soon as it is written,
 * chunked, as API Gateway streams. A body in that content type without a prelude cannot be
 * decoded: 502, as API Gateway answers an integration response it cannot parse. Any other content
 * type is passed through as a 200.
 *
 * The status line and headers are held until the first body chunk, and that chunk until the
 * synchronous work that wrote it is done: headers and first chunk then leave in one socket write
 * instead of two, still before the next I/O; headers without a body chunk leave after this
 * turn's I/O at the latest.
 */
export class LambdaResponseWriter extends Writable {
  #response: ServerResponse;
  #head: Buffer | undefined = EMPTY;
  /** The prelude so far when it came as one string without NUL (the head's bytes are then still EMPTY). */
  #headText: string | undefined;
  /** The first body chunk, held with the headers until the turn ends or the body ends. */
  #held: Buffer | string | undefined;
  #sending = false;
  /** Status and headers decoded from the prelude, not yet given to the response. */
  #pendingHead: { statusCode: number; headers: Record<string, string | string[]> } | undefined;
  #contentType = DEFAULT_CONTENT_TYPE;

  /** `highWaterMark`: the handler's own (`streamifyResponse(handler, { highWaterMark })`), else Node 24's default. */
  constructor(response: ServerResponse, highWaterMark = DEFAULT_HIGH_WATER_MARK) {
    // Strings (Middy writes the body as one) go to the socket as they are, not copied into a Buffer first.
    super({ decodeStrings: false, highWaterMark });
    this.#response = response;
  }

  /** The content type the function's answer was posted with; told once, before its first byte. */
  setContentType(contentType: string): void {
    this.#contentType = contentType;
    if (contentType !== METADATA_PRELUDE_CONTENT_TYPE && this.#head !== undefined) {
      this.#head = undefined;
      this.#writeHead({ statusCode: 200, headers: { 'content-type': contentType } });
    }
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#head !== undefined) {
      // `HttpResponseStream.from` writes the prelude's JSON as one string, then the 8 NUL bytes:
      // that case is decoded from the string, without copying it into bytes and back.
      if (this.#headText === undefined && this.#head.length === 0 && typeof chunk === 'string' && chunk.length > 0 && !chunk.includes('\0')) {
        this.#headText = chunk;
        return callback();
      }
      const isDelimiter = typeof chunk !== 'string' && chunk.length === PRELUDE_DELIMITER.length && chunk.equals(PRELUDE_DELIMITER);
      if (isDelimiter && this.#headText !== undefined) {
        const text = this.#headText;
        this.#headText = undefined;
        this.#head = undefined;
        this.#writeHead(JSON.parse(text) as ResponsePrelude);
        return callback();
      }
      if (this.#headText !== undefined) {
        this.#head = Buffer.from(this.#headText);
        this.#headText = undefined;
      }
      if (isDelimiter && this.#head.length > 0) {
        const head = this.#head;
        this.#head = undefined;
        this.#writeHead(JSON.parse(head.toString('utf8')) as ResponsePrelude);
        return callback();
      }
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      // Any other split (or one write of prelude and body) is decoded from the bytes joined so far.
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
    if (this.#head !== undefined) {
      // The integration content type, but no prelude: API Gateway cannot decode the answer.
      this.#head = undefined;
      log.error('the function answered without a prelude; API Gateway answers 502', { contentType: this.#contentType });
      this.#writeHead({ statusCode: 502, headers: { 'content-type': 'application/json' } });
      this.#held = undefined;
      this.#sending = true;
      this.#sendHead();
      this.#response.end(INTERNAL_SERVER_ERROR, () => callback());
      return;
    }
    this.#sending = true;
    const held = this.#held;
    this.#held = undefined;
    this.#sendHead();
    if (held === undefined) this.#response.end(() => callback());
    else this.#response.end(held, () => callback());
  }

  /** Gives the response its status and headers (once). */
  #sendHead(): void {
    const head = this.#pendingHead;
    if (head === undefined) return;
    this.#pendingHead = undefined;
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
