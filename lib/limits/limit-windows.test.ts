import { describe, expect, test } from 'vitest';
import { windowAt } from './limit-windows.ts';

const iso = (ms: number) => new Date(ms).toISOString();

describe('windowAt', () => {
  test('a minute window starts on the minute and ends at the next', () => {
    const window = windowAt('minute', Date.parse('2026-11-27T13:05:59.999Z'));
    expect(window.label).toBe('2026-11-27T13:05Z');
    expect(iso(window.startMs)).toBe('2026-11-27T13:05:00.000Z');
    expect(iso(window.endMs)).toBe('2026-11-27T13:06:00.000Z');
  });

  test('a day window is the UTC calendar day', () => {
    const window = windowAt('day', Date.parse('2026-11-27T23:59:59.999Z'));
    expect(window.label).toBe('2026-11-27');
    expect(iso(window.endMs)).toBe('2026-11-28T00:00:00.000Z');
    expect(windowAt('day', window.endMs).label).toBe('2026-11-28');
  });

  test('a month window is the UTC calendar month, across a year end and a leap February', () => {
    const december = windowAt('month', Date.parse('2026-12-31T23:00:00Z'));
    expect(december.label).toBe('2026-12');
    expect(iso(december.endMs)).toBe('2027-01-01T00:00:00.000Z');
    const february = windowAt('month', Date.parse('2028-02-29T12:00:00Z'));
    expect(february.label).toBe('2028-02');
    expect(iso(february.endMs)).toBe('2028-03-01T00:00:00.000Z');
  });
});
