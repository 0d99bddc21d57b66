/**
 * A stand-in for the parts of the Lambda Node.js runtime that a streaming handler touches: the
 * `awslambda` global with `streamifyResponse` and `HttpResponseStream.from`, as AWS's runtime
 * client (`aws-lambda-ric` 4, what nodejs24.x runs) defines them. Like the real one, `from` writes
 * nothing itself: it sets the content type and hooks the stream's first `write()` to send the
 * JSON prelude (status, headers) and 8 NUL bytes before the body, so the local server decodes
 * exactly the bytes API Gateway would, and a handler that only calls `end()` sends no prelude.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/response-streaming-tutorial.html
 */
import type { Writable } from 'node:stream';
import { createLambdaResponseStream, type LambdaResponseStream, METADATA_PRELUDE_CONTENT_TYPE } from './lambda-response-stream.ts';

export const PRELUDE_DELIMITER = Buffer.alloc(8);

export interface ResponsePrelude {
  statusCode?: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
}

/** A unit test may pass a plain Writable; `HttpResponseStream.from` gives it the runtime's shape. */
export type StreamingHandler = (event: unknown, responseStream: LambdaResponseStream | Writable, context: unknown) => Promise<unknown>;

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

interface AwsLambdaGlobal {
  streamifyResponse<T extends StreamingHandler>(handler: T, options?: { highWaterMark?: number }): T;
  HttpResponseStream: { from(stream: LambdaResponseStream | Writable, prelude: ResponsePrelude): LambdaResponseStream };
}

/** The `highWaterMark` a handler asked for with `streamifyResponse(handler, { highWaterMark })`, if any. */
export function highWaterMarkOf(handler: unknown): number | undefined {
  return (handler as Record<symbol, number | undefined>)[HIGH_WATER_MARK];
}

/** Installs `globalThis.awslambda` unless a real runtime already provides it. Call before importing a handler. */
export function installLambdaStreamingRuntime(): void {
  const global = globalThis as unknown as { awslambda?: AwsLambdaGlobal };
  if (typeof global.awslambda?.streamifyResponse === 'function') return;
  // The AWS SDK puts its own `awslambda.InvokeStore` there when it loads first: keep it.
  global.awslambda = {
    ...global.awslambda,
    streamifyResponse(handler, options) {
      const marked = handler as unknown as Record<symbol, unknown>;
      marked[STREAMING] = 'response';
      if (typeof options?.highWaterMark === 'number') marked[HIGH_WATER_MARK] = Math.trunc(options.highWaterMark);
      return handler;
    },
    HttpResponseStream: {
      from(given, prelude) {
        // A unit test may hand the handler a plain Writable; it gets the runtime's shape around it.
        const stream = 'setContentType' in given ? given : createLambdaResponseStream(given);
        stream.setContentType(METADATA_PRELUDE_CONTENT_TYPE);
        const metadata = JSON.stringify(prelude);
        stream._onBeforeFirstWrite = (write) => {
          write(metadata);
          write(new Uint8Array(PRELUDE_DELIMITER.length));
        };
        return stream;
      },
    },
  };
}
