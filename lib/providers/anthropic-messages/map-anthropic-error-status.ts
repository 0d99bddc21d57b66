/**
 * The HTTP status an Anthropic error `type` stands for, for errors that arrive inside a 200
 * stream (the `error` event). `overloaded_error` is HTTP 529 on Anthropic's side; the gateway
 * reports it as 503 so that callers and the retry policy treat it as the transient overload it is.
 * @see https://docs.anthropic.com/en/api/errors
 */
export function mapAnthropicErrorStatus(type: string | null | undefined): number {
  switch (type) {
    case 'invalid_request_error':
      return 400;
    case 'authentication_error':
      return 401;
    case 'billing_error':
      return 402;
    case 'permission_error':
      return 403;
    case 'not_found_error':
      return 404;
    case 'request_too_large':
      return 413;
    case 'rate_limit_error':
      return 429;
    case 'api_error':
      return 500;
    case 'overloaded_error':
      return 503;
    case 'timeout_error':
      return 504;
    default:
      return 502;
  }
}
