import { describe, expect, it } from 'vitest';
import { monotonicMs } from './monotonic-ms.ts';

describe('monotonicMs', () => {
  it('counts milliseconds as performance.now() does, and never goes back', async () => {
    const [clockStart, referenceStart] = [monotonicMs(), performance.now()];
    let previous = clockStart;
    for (let read = 0; read < 1_000; read++) {
      const now = monotonicMs();
      expect(now).toBeGreaterThanOrEqual(previous);
      previous = now;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const elapsed = monotonicMs() - clockStart;
    const reference = performance.now() - referenceStart;
    expect(elapsed).toBeGreaterThanOrEqual(49);
    expect(Math.abs(elapsed - reference)).toBeLessThan(2);
  });
});
