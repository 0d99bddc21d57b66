/**
 * A stand-in for the parts of the Lambda Node.js runtime that a streaming handler touches:
 * the `awslambda` global with `streamifyResponse` and `HttpResponseStream.from`. Like the real
 * runtime, `from` writes the JSON prelude (status, headers) and then 8 NUL bytes before the body,
 * so the local server decodes exactly the bytes API Gateway would.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/response-streaming-tutorial.html
 */
import type { Writable } from 'node:stream';

export const PRELUDE_DELIMITER = Buffer.alloc(8);

export interface ResponsePrelude {
  statusCode?: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
}

export type StreamingHandler = (event: unknown, responseStream: Writable, context: unknown) => Promise<unknown>;

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');

interface AwsLambdaGlobal {
  streamifyResponse<T extends StreamingHandler>(handler: T): T;
  HttpResponseStream: { from(stream: Writable, prelude: ResponsePrelude): Writable };
}

/** Installs `globalThis.awslambda` unless a real runtime already provides it. Call before importing a handler. */
export function installLambdaStreamingRuntime(): void {
  const global = globalThis as { awslambda?: AwsLambdaGlobal };
  if (typeof global.awslambda?.streamifyResponse === 'function') return;
  // The AWS SDK puts its own `awslambda.InvokeStore` there when it loads first: keep it.
  global.awslambda = {
    ...global.awslambda,
    streamifyResponse(handler) {
      (handler as unknown as Record<symbol, string>)[STREAMING] = 'response';
      return handler;
    },
    HttpResponseStream: {
      from(stream, prelude) {
        stream.write(Buffer.concat([Buffer.from(JSON.stringify(prelude)), PRELUDE_DELIMITER]));
        return stream;
      },
    },
  };
}
