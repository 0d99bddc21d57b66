import { describe, expect, it } from 'vitest';
import { InvalidRequestError, UpstreamError, UpstreamTimeoutError } from '../api/errors.ts';
import { retryDelay } from './retry-delay.ts';

const options = { random: () => 0.5, retryBaseDelayMs: 100, retryMaxDelayMs: 1000, retryAfterMaxMs: 5000 };
const upstream = (statusCode: number, extra: { retryAfterSeconds?: number; isConnectionError?: boolean } = {}) =>
  new UpstreamError('failed', { provider: 'openai', statusCode, ...extra });

describe('retryDelay', () => {
  it('backs off exponentially with full jitter, up to the ceiling', () => {
    const retry = { attempts: 5 };
    expect([0, 1, 2, 3, 4].map((retries) => retryDelay(upstream(503), retry, retries, options))).toEqual([50, 100, 200, 400, 500]);
    expect(retryDelay(upstream(503), retry, 0, { ...options, random: () => 0 })).toBe(0);
    expect(retryDelay(upstream(503), retry, 4, { ...options, random: () => 0.999 })).toBe(999);
  });

  it('stops after the configured attempts and without retry settings', () => {
    expect(retryDelay(upstream(500), { attempts: 2 }, 2, options)).toBeUndefined();
    expect(retryDelay(upstream(500), undefined, 0, options)).toBeUndefined();
  });

  it('retries the default statuses, timeouts and connection errors, and nothing the caller caused', () => {
    const retry = { attempts: 1 };
    for (const status of [429, 500, 502, 503, 504]) expect(retryDelay(upstream(status), retry, 0, options)).toBeDefined();
    expect(retryDelay(upstream(400), retry, 0, options)).toBeUndefined();
    expect(retryDelay(upstream(401), retry, 0, options)).toBeUndefined();
    expect(retryDelay(new UpstreamTimeoutError('openai', 10), retry, 0, options)).toBeDefined();
    expect(retryDelay(upstream(502, { isConnectionError: true }), { attempts: 1, on_status_codes: [429] }, 0, options)).toBeDefined();
    expect(retryDelay(new InvalidRequestError('bad'), retry, 0, options)).toBeUndefined();
  });

  it('retries only the listed statuses when on_status_codes is set', () => {
    const retry = { attempts: 1, on_status_codes: [408, 500] };
    expect(retryDelay(upstream(500), retry, 0, options)).toBeDefined();
    expect(retryDelay(upstream(503), retry, 0, options)).toBeUndefined();
  });

  it('waits as long as Retry-After asks when told to, and gives up past the cap', () => {
    expect(retryDelay(upstream(429, { retryAfterSeconds: 2 }), { attempts: 1, use_retry_after_header: true }, 0, options)).toBe(2000);
    expect(retryDelay(upstream(429, { retryAfterSeconds: 0.25 }), { attempts: 1, use_retry_after_header: true }, 0, options)).toBe(250);
    expect(retryDelay(upstream(429, { retryAfterSeconds: 60 }), { attempts: 1, use_retry_after_header: true }, 0, options)).toBeUndefined();
    expect(retryDelay(upstream(429, { retryAfterSeconds: 2 }), { attempts: 1 }, 0, options)).toBe(50);
  });
});
