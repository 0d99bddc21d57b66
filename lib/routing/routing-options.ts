/**
 * The router's knobs and its two sources of nondeterminism (randomness and time), gathered so
 * tests can inject them and operators can tune them with environment variables.
 */
import { sleep } from '../abortable-sleep.ts';

export interface RoutingOptions {
  /** A number in [0, 1): load balancing and backoff jitter. */
  random: () => number;
  /** Waits between retries; must reject when `signal` aborts. */
  sleep: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  /** First retry's backoff ceiling; doubles per retry (full jitter picks 0..ceiling). */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** The longest Retry-After the gateway will wait; a provider asking for more gets no retry. */
  retryAfterMaxMs: number;
  /** How long a started stream may stay silent before it ends with an error event. */
  streamIdleTimeoutMs: number;
}

/** Portkey's cap on honoured Retry-After waits. */
const RETRY_AFTER_MAX_MS = 60_000;
const FIVE_MINUTES_MS = 300_000;

/**
 * Reads `GATEWAY_STREAM_IDLE_TIMEOUT_MS` (default 300000), `GATEWAY_RETRY_BASE_DELAY_MS`
 * (default 250), `GATEWAY_RETRY_MAX_DELAY_MS` (default 8000), `GATEWAY_RETRY_AFTER_MAX_MS` (default 60000).
 */
export function routingOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): RoutingOptions {
  return {
    random: Math.random,
    sleep,
    retryBaseDelayMs: positiveNumber(env.GATEWAY_RETRY_BASE_DELAY_MS, 250),
    retryMaxDelayMs: positiveNumber(env.GATEWAY_RETRY_MAX_DELAY_MS, 8_000),
    retryAfterMaxMs: positiveNumber(env.GATEWAY_RETRY_AFTER_MAX_MS, RETRY_AFTER_MAX_MS),
    streamIdleTimeoutMs: positiveNumber(env.GATEWAY_STREAM_IDLE_TIMEOUT_MS, FIVE_MINUTES_MS),
  };
}


function positiveNumber(value: string | undefined, fallback: number): number {
  const number = Number(value);
  return value !== undefined && value.trim() !== '' && Number.isFinite(number) && number >= 0 ? number : fallback;
}
