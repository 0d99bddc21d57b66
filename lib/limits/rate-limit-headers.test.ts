import { describe, expect, test } from 'vitest';
import { type Counter, counterAttribute, counterKey } from './applicable-counters.ts';
import { windowAt } from './limit-windows.ts';
import { MEASURES, type MeasureName } from './measures.ts';
import { formatResetDuration, rateLimitHeaders } from './rate-limit-headers.ts';

const NOW = Date.parse('2026-11-27T10:00:15.000Z');

function counter(rule: string, measure: MeasureName, limit: number): Counter {
  const window = windowAt(MEASURES[measure].window, NOW);
  return { rule, measure, unit: MEASURES[measure].unit, limit, scope: '*', window, key: counterKey(rule, '*'), attribute: counterAttribute(measure, window) };
}

describe('rateLimitHeaders', () => {
  test('speaks for the counter with the least room, per unit', () => {
    const headers = rateLimitHeaders(
      [
        { counter: counter('wide', 'requests_per_minute', 100), used: 10 },
        { counter: counter('narrow', 'requests_per_day', 20), used: 15 },
        { counter: counter('wide', 'tokens_per_minute', 1000), used: 250.7 },
      ],
      NOW,
    );
    expect(headers).toEqual({
      'x-ratelimit-limit-requests': '20',
      'x-ratelimit-remaining-requests': '5',
      'x-ratelimit-reset-requests': '13h59m45s',
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '749',
      'x-ratelimit-reset-tokens': '45s',
    });
  });

  test('on equal room, the counter that binds longer', () => {
    const headers = rateLimitHeaders(
      [
        { counter: counter('minute', 'requests_per_minute', 10), used: 5 },
        { counter: counter('month', 'requests_per_month', 10), used: 5 },
      ],
      NOW,
    );
    expect(headers['x-ratelimit-reset-requests']).toBe(formatResetDuration(Date.parse('2026-12-01T00:00:00Z') - NOW));
  });

  test('never reports negative room, and leaves out a unit no rule limits', () => {
    const headers = rateLimitHeaders([{ counter: counter('over', 'requests_per_minute', 10), used: 12 }], NOW);
    expect(headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(Object.keys(headers).some((name) => name.endsWith('-tokens'))).toBe(false);
    expect(rateLimitHeaders([], NOW)).toEqual({});
  });
});

describe('formatResetDuration', () => {
  test.each([
    [0, '0ms'],
    [20, '20ms'],
    [999.2, '1s'],
    [6_000, '6s'],
    [90_000, '1m30s'],
    [60_000, '1m0s'],
    [25 * 3_600_000, '25h0m0s'],
  ])('%d ms is %s', (ms, expected) => {
    expect(formatResetDuration(ms)).toBe(expected);
  });
});
