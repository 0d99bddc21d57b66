import { describe, expect, test } from 'vitest';
import { pastCounterAttributes } from './past-counters.ts';

const NOW = Date.parse('2026-11-27T10:00:30Z');

describe('pastCounterAttributes', () => {
  test('names the windows that ended before the previous one, of every kind', () => {
    const attributes = [
      'requests_per_minute#2026-11-27T09:58Z',
      'requests_per_minute#2026-11-27T09:59Z',
      'requests_per_minute#2026-11-27T10:00Z',
      'tokens_per_day#2026-11-25',
      'tokens_per_day#2026-11-26',
      'cost_usd_per_month#2026-09',
      'cost_usd_per_month#2026-10',
    ];
    expect(pastCounterAttributes(attributes, NOW)).toEqual(['requests_per_minute#2026-11-27T09:58Z', 'tokens_per_day#2026-11-25', 'cost_usd_per_month#2026-09']);
  });

  test('keeps a window later than ours (another clock ahead) and ignores other attributes', () => {
    expect(pastCounterAttributes(['requests_per_minute#2026-11-27T10:01Z', 'ttl', 'note#x'], NOW)).toEqual([]);
  });
});
