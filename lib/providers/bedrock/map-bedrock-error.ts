/**
 * Bedrock's errors in gateway terms: an HTTP error (`{"message"}` body, type in the
 * `x-amzn-errortype` header) and an exception frame inside a stream (`:exception-type`) map to
 * the same statuses, so routing retries a throttled stream just as a throttled call.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html#API_runtime_InvokeModelWithResponseStream_Errors
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/CommonErrors.html
 */
import { UpstreamError } from '../../api/errors.ts';
import { lazy } from '../../api/lazy.ts';
import { z } from '../../api/zod.ts';

/** Status per exception, lower-cased (frames say `throttlingException`, headers `ThrottlingException`). */
const STATUS_BY_EXCEPTION: Readonly<Record<string, number>> = {
  throttlingexception: 429,
  servicequotaexceededexception: 429,
  modelnotreadyexception: 429,
  validationexception: 400,
  accessdeniedexception: 403,
  unrecognizedclientexception: 403,
  resourcenotfoundexception: 404,
  modeltimeoutexception: 504,
  internalserverexception: 500,
  serviceunavailableexception: 503,
  // The model broke mid-answer: a broken upstream, worth another attempt.
  modelstreamerrorexception: 502,
  modelerrorexception: 502,
};

/** `ValidationException:http://internal.amazon.com/coral/...` → `ValidationException`. */
export function exceptionName(errorType: string | string[] | undefined): string | undefined {
  const value = Array.isArray(errorType) ? errorType[0] : errorType;
  return value?.split(':')[0]?.trim() || undefined;
}

/** An HTTP error body: `{"message": ...}` (or `Message`); built on first use. */
export const bedrockErrorSchema = lazy(() => z.object({ message: z.nullish(z.string()), Message: z.nullish(z.string()) }));

/** Reads `{"message": ...}` (or `Message`) from an error body, else the text itself. */
function readBedrockMessage(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown> | null;
    const message = body?.message ?? body?.Message;
    if (typeof message === 'string') return message;
  } catch {
    // Not JSON: the text is the message.
  }
  return text.slice(0, 500).trim();
}

/** An exception frame received inside a stream. */
export function exceptionFrameError(exceptionType: string, payload: Uint8Array): UpstreamError {
  const message = readBedrockMessage(Buffer.from(payload).toString('utf8')) || exceptionType;
  return new UpstreamError(`bedrock ${exceptionType}: ${message}`, {
    provider: 'bedrock',
    statusCode: STATUS_BY_EXCEPTION[exceptionType.toLowerCase()] ?? 502,
    code: exceptionType || 'bedrock_stream_exception',
  });
}
