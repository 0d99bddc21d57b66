import { describe, expect, it } from 'vitest';
import { DeadlineSweep } from './deadline-sweep.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('DeadlineSweep', () => {
  it('fires a deadline once its time has passed (at most a tenth late, plus scheduling), never before', async () => {
    const sweep = new DeadlineSweep(100);
    const started = performance.now();
    const fired = await new Promise<number>((resolve) => sweep.start(() => resolve(performance.now() - started)));
    expect(fired).toBeGreaterThanOrEqual(99);
    expect(fired).toBeLessThan(1000);
  });

  it('does not fire a cancelled deadline, and fires the others', async () => {
    const sweep = new DeadlineSweep(50);
    const fired: string[] = [];
    const cancelled = sweep.start(() => fired.push('cancelled'));
    sweep.start(() => fired.push('kept'));
    sweep.cancel(cancelled);
    for (let waited = 0; waited < 2000 && fired.length === 0; waited += 20) await sleep(20);
    await sleep(60);
    expect(fired).toEqual(['kept']);
  });
});
