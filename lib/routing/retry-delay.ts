/**
 * When and how long to wait before trying a target again. Exponential backoff with full
 * jitter (a random wait between 0 and the doubling ceiling) spreads the retries of many
 * callers hit by the same outage, instead of sending them back in lockstep.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
import { RETRYABLE_STATUS_CODES, UpstreamError } from '../api/errors.ts';
import type { RetrySettings } from '../config/routing-config.ts';
import type { RoutingOptions } from './routing-options.ts';

/**
 * @param retriesSoFar retries already made on this target (0 before the first retry)
 * @returns milliseconds to wait, or undefined when the error must not be retried
 * @example retryDelay(new UpstreamError('busy', { provider: 'openai', statusCode: 429, retryAfterSeconds: 2 }),
 *   { attempts: 3, use_retry_after_header: true }, 0, options) // 2000
 */
export function retryDelay(
  error: unknown,
  retry: RetrySettings | undefined,
  retriesSoFar: number,
  options: Pick<RoutingOptions, 'random' | 'retryBaseDelayMs' | 'retryMaxDelayMs' | 'retryAfterMaxMs'>,
): number | undefined {
  if (!retry || retriesSoFar >= retry.attempts) return undefined;
  if (!(error instanceof UpstreamError)) return undefined;
  const statuses = retry.on_status_codes ?? [...RETRYABLE_STATUS_CODES];
  if (!error.isConnectionError && !statuses.includes(error.statusCode)) return undefined;

  if (retry.use_retry_after_header && error.retryAfterSeconds !== undefined) {
    const asked = error.retryAfterSeconds * 1000;
    // Waiting less than asked would only earn another 429; waiting longer than the cap would
    // hold a Lambda (and the caller) hostage. So past the cap, the provider's answer stands.
    return asked <= options.retryAfterMaxMs ? asked : undefined;
  }
  const ceiling = Math.min(options.retryMaxDelayMs, options.retryBaseDelayMs * 2 ** retriesSoFar);
  return Math.floor(options.random() * ceiling);
}
