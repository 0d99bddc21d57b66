import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { PRELUDE_DELIMITER, type ResponsePrelude } from './lambda-streaming-runtime.ts';

/**
 * The response stream handed to the handler. It decodes the runtime's framing (JSON prelude,
 * 8 NUL bytes, body) the way API Gateway does: the prelude becomes the status line and headers,
 * every later byte goes to the socket as soon as it is written.
 */
export class LambdaResponseWriter extends Writable {
  #response: ServerResponse;
  #head: Buffer | undefined = Buffer.alloc(0);

  constructor(response: ServerResponse) {
    super();
    this.#response = response;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#head !== undefined) {
      const buffered = Buffer.concat([this.#head, chunk]);
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
    if (this.#response.write(chunk)) callback();
    else this.#response.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    // A handler that never wrote a prelude answers 200 with whatever it wrote, as Lambda does.
    if (this.#head !== undefined) {
      const body = this.#head;
      this.#head = undefined;
      this.#writeHead({ statusCode: 200 });
      this.#response.write(body);
    }
    this.#response.end(() => callback());
  }

  #writeHead(prelude: ResponsePrelude): void {
    const headers: Record<string, string | string[]> = { ...prelude.headers };
    for (const [name, values] of Object.entries(prelude.multiValueHeaders ?? {})) headers[name] = values;
    if (prelude.cookies?.length) headers['set-cookie'] = prelude.cookies;
    this.#response.writeHead(prelude.statusCode ?? 200, headers);
    // Stream chunks must reach the caller now, not when Nagle decides.
    this.#response.flushHeaders();
  }
}
