/**
 * The gateway's error hierarchy. Every error a caller can see is a `GatewayError`
 * and renders itself in the OpenAI error shape with `toOpenAIError()`.
 * Server-side details (5xx causes) are logged by the edge, never told.
 */

export interface OpenAIErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
    provider?: string;
  };
}

export interface GatewayErrorOptions {
  statusCode: number;
  type: string;
  param?: string | null;
  code?: string | null;
  cause?: unknown;
}

export class GatewayError extends Error {
  /**
   * What logs call the error (`"error":"UpstreamError"`). Each subclass spells out its own: the
   * bundle is minified without keeping class names (infra/bundling-options.ts), so
   * `new.target.name` would say `"w"`. test/infra/gateway-stack.test.ts finds a subclass that does not.
   */
  override readonly name: string = 'GatewayError';
  readonly statusCode: number;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
  /**
   * Headers for the error response (e.g. routing's `x-portkey-last-used-option-index` and
   * `x-portkey-retry-attempt-count`); the edge's error handler writes them.
   */
  responseHeaders?: Record<string, string>;

  constructor(message: string, options: GatewayErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.statusCode = options.statusCode;
    this.type = options.type;
    this.param = options.param ?? null;
    this.code = options.code ?? null;
  }

  /** Whether a retry or the next fallback target may succeed where this failed. */
  get isRetryable(): boolean {
    return false;
  }

  toOpenAIError(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** 400: the caller sent something we cannot accept. `param` names the field. */
export class InvalidRequestError extends GatewayError {
  override readonly name: string = 'InvalidRequestError';
  constructor(message: string, options: { param?: string | null; code?: string | null; statusCode?: number; cause?: unknown } = {}) {
    super(message, { statusCode: options.statusCode ?? 400, type: 'invalid_request_error', ...options });
  }
}

/** 400: a valid OpenAI parameter that the chosen provider cannot honour (strict mode, token prompts). */
export class UnsupportedParameterError extends InvalidRequestError {
  override readonly name: string = 'UnsupportedParameterError';
  constructor(message: string, param: string) {
    super(message, { param, code: 'unsupported_parameter' });
  }
}

/** 401/403/404 around credentials, virtual keys and stored configs. */
export class AuthenticationError extends GatewayError {
  override readonly name: string = 'AuthenticationError';
  constructor(message: string, options: { statusCode?: 401 | 403 | 404; code?: string; cause?: unknown } = {}) {
    const statusCode = options.statusCode ?? 401;
    const type = statusCode === 404 ? 'invalid_request_error' : statusCode === 403 ? 'permission_error' : 'authentication_error';
    super(message, { statusCode, type, code: options.code ?? null, cause: options.cause });
  }
}

/** Statuses at which a provider call is worth another attempt (Portkey's defaults). */
export const RETRYABLE_STATUS_CODES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/**
 * The upstream provider failed: it answered with an error status, the connection broke,
 * it timed out, or it sent something we could not understand.
 */
export class UpstreamError extends GatewayError {
  override readonly name: string = 'UpstreamError';
  readonly provider: string;
  /** Seconds (fractional) the provider asked us to wait, from Retry-After / retry-after-ms. */
  readonly retryAfterSeconds: number | undefined;
  /** True when no HTTP status came back (refused, reset, DNS). */
  readonly isConnectionError: boolean;

  constructor(
    message: string,
    options: {
      provider: string;
      statusCode: number;
      type?: string;
      code?: string | null;
      param?: string | null;
      retryAfterSeconds?: number;
      isConnectionError?: boolean;
      cause?: unknown;
    },
  ) {
    super(message, {
      statusCode: options.statusCode,
      type: options.type ?? upstreamErrorType(options.statusCode),
      code: options.code ?? null,
      param: options.param ?? null,
      cause: options.cause,
    });
    this.provider = options.provider;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.isConnectionError = options.isConnectionError ?? false;
  }

  override get isRetryable(): boolean {
    return this.isConnectionError || RETRYABLE_STATUS_CODES.has(this.statusCode);
  }

  override toOpenAIError(): OpenAIErrorBody {
    const body = super.toOpenAIError();
    body.error.provider = this.provider;
    return body;
  }
}

/** 504: the upstream did not answer (or did not start its stream) in time. */
export class UpstreamTimeoutError extends UpstreamError {
  override readonly name: string = 'UpstreamTimeoutError';
  constructor(provider: string, timeoutMs: number, options: { cause?: unknown } = {}) {
    super(`${provider} did not respond within ${timeoutMs} ms`, {
      provider,
      statusCode: 504,
      type: 'timeout_error',
      code: 'upstream_timeout',
      cause: options.cause,
    });
  }

  override get isRetryable(): boolean {
    return true;
  }
}

function upstreamErrorType(statusCode: number): string {
  if (statusCode === 401) return 'authentication_error';
  if (statusCode === 403) return 'permission_error';
  if (statusCode === 429) return 'rate_limit_error';
  if (statusCode >= 500) return 'api_error';
  return 'invalid_request_error';
}

/**
 * Turns anything thrown into a `GatewayError`. Unknown errors become a 500 whose
 * message says nothing about the cause (the edge logs the cause).
 */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError('The gateway failed to handle the request.', {
    statusCode: 500,
    type: 'api_error',
    code: 'internal_error',
    cause: error,
  });
}
