/**
 * How much of the account one gateway may take (issue 11): the stage's request rate and burst, and
 * the function's reserved concurrency. A streamed completion holds one Lambda execution for up to
 * 15 minutes, so a rate limit alone bounds nothing: at 10 requests a second, 15-minute calls would
 * pile up to 9,000 executions. Reserved concurrency is the bound; it is also a guarantee, so the
 * gateway keeps its share when other functions of the account are busy.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
 */

/**
 * Executions reserved for (and the most used by) the function. 100 of the default account quota
 * of 1,000 leaves the rest to the account's other functions; Lambda keeps at least 100 unreserved,
 * so the account needs a quota of at least 200.
 */
export const DEFAULT_RESERVED_CONCURRENCY = 100;

/** Requests API Gateway admits at once before answering 429: no more than the function can hold. */
export const DEFAULT_THROTTLING_BURST_LIMIT = DEFAULT_RESERVED_CONCURRENCY;

/** Steady requests per second: enough for 2-second completions to fill the reserved concurrency. */
export const DEFAULT_THROTTLING_RATE_LIMIT = 50;

export interface GatewayLimits {
  reservedConcurrency: number;
  throttlingRateLimit: number;
  throttlingBurstLimit: number;
}

/** The limits with their defaults, validated: every value is a finite positive number. */
export function gatewayLimits(props: Partial<Record<keyof GatewayLimits, number | undefined>>): GatewayLimits {
  const limits: GatewayLimits = {
    reservedConcurrency: props.reservedConcurrency ?? DEFAULT_RESERVED_CONCURRENCY,
    throttlingRateLimit: props.throttlingRateLimit ?? DEFAULT_THROTTLING_RATE_LIMIT,
    throttlingBurstLimit: props.throttlingBurstLimit ?? DEFAULT_THROTTLING_BURST_LIMIT,
  };
  // 0 would stop the function or the stage altogether; that is not a limit, it is an outage.
  for (const name of ['reservedConcurrency', 'throttlingBurstLimit'] as const) {
    if (!Number.isInteger(limits[name]) || limits[name] < 1) throw new Error(`${name} must be a whole number >= 1, got ${limits[name]}.`);
  }
  if (!Number.isFinite(limits.throttlingRateLimit) || limits.throttlingRateLimit <= 0) {
    throw new Error(`throttlingRateLimit must be a number of requests per second > 0, got ${limits.throttlingRateLimit}.`);
  }
  return limits;
}
