/**
 * API Gateway's half of a streamed Lambda invocation, for the local server: the event goes to a
 * real runtime process through the Runtime API emulator, and the bytes the runtime posts back
 * (prelude, 8 NUL bytes, body) go, as each arrives, to the writer that decodes them as API Gateway
 * does. A function error or a dead process before the first byte rejects (the local server answers
 * 502, as API Gateway does); after it, the caller's connection is cut.
 */
import type { LambdaResponseWriter } from '../lambda-response-writer.ts';
import { DEFAULT_CONTENT_TYPE } from '../lambda-response-stream.ts';
import type { RuntimeApiEmulator } from './runtime-api-emulator.ts';

export class FunctionError extends Error {
  constructor(
    message: string,
    readonly afterBytes: number,
  ) {
    super(message);
    this.name = 'FunctionError';
  }
}

export async function forwardToRuntimeApi(emulator: RuntimeApiEmulator, event: unknown, writer: LambdaResponseWriter, signal: AbortSignal): Promise<void> {
  const invocation = emulator.invoke(event);
  let started = false;
  invocation.onChunk((chunk) => {
    if (!started) {
      started = true;
      writer.setContentType(invocation.contentType ?? DEFAULT_CONTENT_TYPE);
    }
    if (!writer.destroyed) writer.write(chunk);
  });
  // Lambda keeps running when the caller leaves; so does the runtime here, its bytes go nowhere.
  signal.addEventListener('abort', () => writer.destroy(), { once: true });
  const outcome = await invocation.done;
  if (outcome.kind === 'response') {
    if (!started) writer.setContentType(invocation.contentType ?? DEFAULT_CONTENT_TYPE);
    await new Promise<void>((resolve) => writer.end(resolve));
    return;
  }
  const bytes = invocation.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const why = outcome.kind === 'error' ? `${outcome.errorType}: ${JSON.stringify(outcome.errorBody)}` : outcome.reason;
  throw new FunctionError(`the function failed after ${bytes} bytes: ${why}`, bytes);
}
