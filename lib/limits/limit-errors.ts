/**
 * What limits tell a caller, in OpenAI's shapes so SDKs behave: a rate limit is a 429
 * `rate_limit_exceeded` with `retry-after` (the openai SDK waits and retries), a budget is a 429
 * `insufficient_quota` with `x-should-retry: false` (the SDK gives up at once).
 *
 * Each error is built with its own `headers` (Middy's convention) and never changed afterwards;
 * `responseHeaders` carries the same copy for the edge's current error handler.
 * @see https://platform.openai.com/docs/guides/error-codes/api-errors
 */
import { GatewayError } from '../api/errors.ts';

/** A limit error with the headers its answer must carry. */
abstract class HeaderedGatewayError extends GatewayError {
  readonly headers: Readonly<Record<string, string>>;

  constructor(message: string, options: ConstructorParameters<typeof GatewayError>[1] & { headers: Record<string, string> }) {
    super(message, options);
    this.headers = Object.freeze({ ...options.headers });
    this.responseHeaders = { ...options.headers };
  }
}

/** 429 for a per-minute measure: `type` is the unit (`requests`/`tokens`) as OpenAI sends it. */
export class RateLimitExceededError extends HeaderedGatewayError {
  override readonly name: string = 'RateLimitExceededError';
  constructor(message: string, options: { unit: 'requests' | 'tokens'; headers: Record<string, string> }) {
    super(message, { statusCode: 429, type: options.unit, code: 'rate_limit_exceeded', headers: options.headers });
  }

  override get isRetryable(): boolean {
    return true;
  }
}

/** 429 for an exhausted day or month budget: no retry will help before the window resets. */
export class InsufficientQuotaError extends HeaderedGatewayError {
  override readonly name: string = 'InsufficientQuotaError';
  constructor(message: string, options: { headers: Record<string, string> }) {
    super(message, { statusCode: 429, type: 'insufficient_quota', code: 'insufficient_quota', headers: options.headers });
  }
}

/** 503 when the counters cannot be reached and `GATEWAY_LIMITS_ON_STORE_ERROR=deny`. */
export class LimitsUnavailableError extends HeaderedGatewayError {
  override readonly name: string = 'LimitsUnavailableError';
  constructor(options: { cause?: unknown } = {}) {
    super('The gateway cannot check its limits right now; try again shortly.', {
      statusCode: 503,
      type: 'api_error',
      code: 'limits_unavailable',
      cause: options.cause,
      headers: { 'retry-after': '1' },
    });
  }

  override get isRetryable(): boolean {
    return true;
  }
}

/**
 * 500: the limits document is malformed. Its source (a secret's name) is named so an operator knows
 * what to fix; the document's contents are not echoed.
 */
export class LimitsDocumentError extends GatewayError {
  override readonly name: string = 'LimitsDocumentError';
  readonly source: string;

  constructor(source: string, detail: string, options: { cause?: unknown } = {}) {
    super(`The limits document ${source} is invalid: ${detail}.`, {
      statusCode: 500,
      type: 'api_error',
      code: 'invalid_limits_document',
      cause: options.cause,
    });
    this.source = source;
  }
}
