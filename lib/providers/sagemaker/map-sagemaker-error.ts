/**
 * SageMaker runtime errors in gateway terms. A container's own refusal comes back as
 * `ModelError` (HTTP 424) with the container's status in `OriginalStatusCode` and its body in
 * `OriginalMessage`: the caller gets the container's status (a 400 from TGI for a bad
 * parameter stays a 400), so routing retries only what is worth retrying.
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html#API_runtime_InvokeEndpoint_Errors
 */
import { UpstreamError } from '../../api/errors.ts';

/** Status per SageMaker runtime error type (`x-amzn-errortype`, or the body's `__type`). */
const STATUS_BY_ERROR: Readonly<Record<string, number>> = {
  validationerror: 400,
  validationexception: 400,
  accessdeniedexception: 403,
  unrecognizedclientexception: 403,
  throttlingexception: 429,
  serviceunavailable: 503,
  internalfailure: 500,
  internaldependencyexception: 502,
  modelnotreadyexception: 429,
};

/**
 * @example
 * mapSageMakerError(424, { 'x-amzn-errortype': 'ModelError' }, '{"ErrorCode":"CLIENT_ERROR_FROM_MODEL","OriginalStatusCode":400,"OriginalMessage":"{\\"error\\":\\"`top_p` must be > 0.0 and < 1.0\\"}","Message":"..."}')
 * // UpstreamError 400 "sagemaker ModelError: `top_p` must be > 0.0 and < 1.0", code CLIENT_ERROR_FROM_MODEL
 */
export function mapSageMakerError(statusCode: number, headers: Record<string, string | string[] | undefined>, text: string): UpstreamError {
  const headerType = headers['x-amzn-errortype'];
  let errorType = (Array.isArray(headerType) ? headerType[0] : headerType)?.split(':')[0]?.trim();
  let body: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: the text is the message.
  }
  if (!errorType && typeof body?.__type === 'string') errorType = body.__type.split('#').pop();

  if (errorType === 'ModelError' || statusCode === 424) {
    const original = typeof body?.OriginalStatusCode === 'number' ? body.OriginalStatusCode : undefined;
    return new UpstreamError(`sagemaker ModelError: ${containerMessage(body) ?? 'the model container failed'}`, {
      provider: 'sagemaker',
      // A container 4xx is the caller's; anything else is a broken upstream.
      statusCode: original !== undefined && original >= 400 && original < 500 ? original : 502,
      code: typeof body?.ErrorCode === 'string' ? body.ErrorCode : 'model_error',
    });
  }
  const message = typeof body?.message === 'string' ? body.message : typeof body?.Message === 'string' ? body.Message : text.slice(0, 500).trim();
  return new UpstreamError(`sagemaker ${errorType ?? statusCode}: ${message}`, {
    provider: 'sagemaker',
    statusCode: (errorType ? STATUS_BY_ERROR[errorType.toLowerCase()] : undefined) ?? statusCode,
    code: errorType ?? null,
  });
}

/** The container's own message: TGI and LMI answer `{"error": "..."}` inside `OriginalMessage`. */
function containerMessage(body: Record<string, unknown> | undefined): string | undefined {
  const original = body?.OriginalMessage;
  if (typeof original === 'string') {
    try {
      const inner = JSON.parse(original) as Record<string, unknown>;
      if (typeof inner.error === 'string') return inner.error;
      if (typeof inner.message === 'string') return inner.message;
    } catch {
      return original.slice(0, 500);
    }
  }
  return typeof body?.Message === 'string' ? body.Message : undefined;
}
