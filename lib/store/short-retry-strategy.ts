/**
 * A retry policy for SDK DynamoDB clients of the table (the tests' clients; the gateway's own calls,
 * lib/store/dynamodb-http-client.ts, keep the same budget): a few quick attempts, not the SDK's standard backoff. The standard
 * strategy waits ~0.5-1 s before retrying a throttled call (measured here: 1.2 s for two throttles),
 * and a reservation holds the caller's first byte; past a small budget the store-error policy
 * (`allow` or `deny`) answers instead. Throttling, transient and server errors are retried; a
 * client error (a failed condition, a bad request) is an answer, not retried.
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

type RetryStrategy = Extract<NonNullable<DynamoDBClientConfig['retryStrategy']>, { acquireInitialRetryToken: unknown }>;

export interface ShortRetryOptions {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  /** Delay before the first retry; doubled for each further one, with jitter. */
  baseDelayMs?: number;
}

export function shortRetryStrategy(options: ShortRetryOptions): RetryStrategy {
  const baseDelayMs = options.baseDelayMs ?? 10;
  const token = (retries: number, delayMs: number) => ({ getRetryCount: () => retries, getRetryDelay: () => delayMs });
  return {
    async acquireInitialRetryToken() {
      return token(0, 0);
    },
    async refreshRetryTokenForRetry(previous, error) {
      const retries = previous.getRetryCount() + 1;
      if (error.errorType === 'CLIENT_ERROR' || retries >= options.maxAttempts) throw new Error('no retry left');
      // Full jitter over the doubled base: concurrent callers hitting one throttled item spread out.
      return token(retries, Math.round(baseDelayMs * 2 ** (retries - 1) * (0.5 + Math.random() / 2)));
    },
    recordSuccess() {},
  };
}
