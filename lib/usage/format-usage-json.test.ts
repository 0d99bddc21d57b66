import { describe, expect, test } from 'vitest';
import { formatUsageJson, isoTime } from './format-usage-json.ts';
import type { UsageRecord } from './usage-record.ts';

function record(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    message: 'request', traceId: '5f1c2a9e-0b7e-4a51-9d3c-2e8f5a4b7c10', caller: 'arn:aws:iam::123456789012:role/app', account: '123456789012', virtualKey: 'openai-prod',
    config: 'pc-abc', provider: 'openai', model: 'gpt-4o-mini', target: '0.1', status: 200, errorCode: null, stream: true, retries: 1, fallbacks: 2, cache: 'MISS',
    latencyMs: 900, firstByteMs: 150, promptTokens: 10, completionTokens: 20, totalTokens: 30, tokensEstimated: false, costUsd: 0.00003, ...overrides,
  };
}

/** What the line must equal: the log line's members, then the record, through JSON.stringify. */
function expected(value: UsageRecord, time: number, requestId: string | undefined): string {
  return JSON.stringify({ level: 'info', time: new Date(time).toISOString(), ...(requestId === undefined ? {} : { requestId }), ...value });
}

describe('formatUsageJson', () => {
  const time = Date.parse('2026-11-27T10:00:00.123Z');

  test('is what JSON.stringify writes, for every field', () => {
    expect(formatUsageJson(record(), time, 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef')).toBe(expected(record(), time, 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef'));
    expect(formatUsageJson(record(), time, undefined)).toBe(expected(record(), time, undefined));
  });

  test('escapes what a caller or an upstream can put in a string, as JSON.stringify does', () => {
    for (const strange of ['quote " here', 'back\\slash', 'new\nline', 'tab\t', '\u0000\u001f\u007f', 'modèle-✓', '😀', '\ud800 lone', '</script>', '\u2028\u2029', '']) {
      const value = record({ model: strange, caller: strange, errorCode: strange, traceId: strange, target: strange, virtualKey: strange, config: strange });
      const line = formatUsageJson(value, time, strange);
      expect(line, JSON.stringify(strange)).toBe(expected(value, time, strange));
      expect(JSON.parse(line).model).toBe(strange);
    }
  });

  test('writes null for nulls and for numbers JSON cannot hold, as JSON.stringify does', () => {
    const value = record({ caller: null, account: null, virtualKey: null, config: null, provider: null, model: null, target: null, cache: null, firstByteMs: null, costUsd: null, errorCode: 'x' });
    expect(formatUsageJson(value, time, undefined)).toBe(expected(value, time, undefined));
    for (const costUsd of [Number.NaN, Number.POSITIVE_INFINITY, 1e-7, 1.5e21, -0]) {
      expect(formatUsageJson(record({ costUsd }), time, undefined)).toBe(expected(record({ costUsd }), time, undefined));
    }
  });

  test('names every field of the record (a field added to the record and not here fails)', () => {
    const parsed = JSON.parse(formatUsageJson(record(), time, undefined));
    expect(Object.keys(parsed)).toEqual(['level', 'time', ...Object.keys(record())]);
  });
});

describe('isoTime', () => {
  test('is Date#toISOString for times in order, out of order, across minutes, hours, days and years', () => {
    const start = Date.parse('2026-12-31T23:58:59.000Z');
    const times = [start, start + 1, start + 999, start + 1000, start + 60_999, start + 61_000, start + 120_000, start - 5, start + 3_600_000, start + 86_400_000 * 400];
    for (let step = 0; step < 500; step++) times.push(start + Math.floor(step * 7_919.3));
    times.push(0, -1, -61_001, Date.parse('1969-12-31T23:59:59.999Z'), Date.parse('2000-02-29T12:34:56.789Z'), Date.parse('9999-12-31T23:59:59.999Z'), Date.parse('+010000-01-01T00:00:00.000Z'));
    for (const time of times) expect(isoTime(time), String(time)).toBe(new Date(time).toISOString());
  });
});
