import { describe, expect, it } from 'vitest';
import { chooseWeighted } from './choose-weighted.ts';

/** Evenly spaced points over [0, 1): an exact picture of the distribution. */
function evenly(count: number): () => number {
  let next = 0;
  return () => (next++ + 0.5) / count;
}

/** A small seeded generator (mulberry32), for draws that look random but repeat. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shares(weights: number[], random: () => number, draws: number): number[] {
  const counts = weights.map(() => 0);
  const options = weights.map((weight) => ({ weight }));
  for (let draw = 0; draw < draws; draw++) counts[chooseWeighted(options, random)]!++;
  return counts.map((count) => count / draws);
}

describe('chooseWeighted', () => {
  it('splits in proportion to the weights', () => {
    expect(shares([3, 1], evenly(1000), 1000)).toEqual([0.75, 0.25]);
    expect(shares([0.2, 0.3, 0.5], evenly(1000), 1000)).toEqual([0.2, 0.3, 0.5]);
  });

  it('stays within 2 percentage points of the weights over 10 000 seeded draws', () => {
    const [a, b, c] = shares([1, 2, 7], seeded(42), 10_000);
    expect(Math.abs(a! - 0.1)).toBeLessThan(0.02);
    expect(Math.abs(b! - 0.2)).toBeLessThan(0.02);
    expect(Math.abs(c! - 0.7)).toBeLessThan(0.02);
  });

  it('never chooses a weight of 0, even at the edges of the range', () => {
    const options = [{ weight: 0 }, { weight: 1 }, { weight: 0 }];
    for (const point of [0, 0.5, 0.999999999]) expect(chooseWeighted(options, () => point)).toBe(1);
    expect(shares([0, 5, 0, 5], evenly(100), 100)).toEqual([0, 0.5, 0, 0.5]);
  });

  it('refuses options without any weight', () => {
    expect(() => chooseWeighted([{ weight: 0 }], () => 0.5)).toThrow();
  });
});
