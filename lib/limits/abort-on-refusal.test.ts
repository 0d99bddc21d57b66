import { describe, expect, test } from 'vitest';
import { abortOnRefusal } from './abort-on-refusal.ts';
import { RateLimitExceededError } from './limit-errors.ts';

describe('abortOnRefusal', () => {
  test('aborts the upstream with the refusal as its reason, and still rejects for the seam', async () => {
    const upstream = new AbortController();
    const refusal = new RateLimitExceededError('no room', { unit: 'requests', headers: {} });
    const reserved = abortOnRefusal(Promise.reject(refusal), upstream);
    await expect(reserved).rejects.toBe(refusal);
    expect(upstream.signal.aborted).toBe(true);
    expect(upstream.signal.reason).toBe(refusal);
  });

  test('leaves the upstream running when the reservation is granted', async () => {
    const upstream = new AbortController();
    await expect(abortOnRefusal(Promise.resolve('granted'), upstream)).resolves.toBe('granted');
    expect(upstream.signal.aborted).toBe(false);
  });
});
