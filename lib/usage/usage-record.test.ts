import { describe, expect, test } from 'vitest';
import { sumTokenUsage } from './sum-token-usage.ts';
import { buildUsageRecord, type UsageInput } from './usage-record.ts';

/** A streamed answer through a stored config, on the second target after one fallback. */
function input(overrides: Partial<UsageInput> = {}): UsageInput {
  return {
    traceId: 'trace-123',
    caller: { arn: 'arn:aws:iam::123456789012:role/team-a', account: '123456789012' },
    virtualKey: 'openai-prod',
    configId: 'fallback-config',
    provider: 'openai',
    model: 'gpt-4o-mini',
    targetPath: '1',
    status: 200,
    errorCode: null,
    stream: true,
    retries: 2,
    fallbacks: 1,
    cache: 'MISS',
    timings: { startedAt: 1000.2, firstByteAt: 1120.6, lastByteAt: 1840.4 },
    usage: [
      { promptTokens: 12, completionTokens: 30, estimated: false },
      { promptTokens: 12, completionTokens: 18, estimated: false },
    ],
    pricing: null,
    priceTableCostUsd: 0.0000432,
    ...overrides,
  };
}

describe('buildUsageRecord', () => {
  test('writes every contract field from its input', () => {
    expect(buildUsageRecord(input())).toEqual({
      message: 'request',
      traceId: 'trace-123',
      caller: 'arn:aws:iam::123456789012:role/team-a',
      account: '123456789012',
      virtualKey: 'openai-prod',
      config: 'fallback-config',
      provider: 'openai',
      model: 'gpt-4o-mini',
      target: '1',
      status: 200,
      errorCode: null,
      stream: true,
      retries: 2,
      fallbacks: 1,
      cache: 'MISS',
      latencyMs: 840,
      firstByteMs: 120,
      promptTokens: 24,
      completionTokens: 48,
      totalTokens: 72,
      tokensEstimated: false,
      costUsd: 0.0000432,
    });
  });

  test('has exactly the fields DESIGN.md names, and never a prompt, completion or key', () => {
    const record = buildUsageRecord(input());
    expect(Object.keys(record).sort()).toEqual(
      ['message', 'traceId', 'caller', 'account', 'virtualKey', 'config', 'provider', 'model', 'target', 'status', 'errorCode', 'stream', 'retries', 'fallbacks', 'cache', 'latencyMs', 'firstByteMs', 'promptTokens', 'completionTokens', 'totalTokens', 'tokensEstimated', 'costUsd'].sort(),
    );
    // The input type has no place for them; a stray field on an object literal passed through would show here.
    const withSecrets = { ...input(), prompt: 'secret prompt', completion: 'secret answer', apiKey: 'sk-live-123' } as UsageInput;
    const line = JSON.stringify(buildUsageRecord(withSecrets));
    for (const secret of ['secret prompt', 'secret answer', 'sk-live-123']) expect(line).not.toContain(secret);
  });

  test('a local request has no caller and no account', () => {
    const record = buildUsageRecord(input({ caller: null }));
    expect(record.caller).toBeNull();
    expect(record.account).toBeNull();
    const partial = buildUsageRecord(input({ caller: { arn: 'arn:aws:sts::1:assumed-role/x/y', account: null } }));
    expect([partial.caller, partial.account]).toEqual(['arn:aws:sts::1:assumed-role/x/y', null]);
  });

  test('a refused request keeps its status and code, and names no target it never reached', () => {
    const record = buildUsageRecord(
      input({ provider: null, model: null, virtualKey: null, configId: null, targetPath: null, status: 429, errorCode: 'insufficient_quota', stream: false, retries: 0, fallbacks: 0, cache: null, usage: [], priceTableCostUsd: null, timings: { startedAt: 5, firstByteAt: 7, lastByteAt: 7 } }),
    );
    expect(record).toMatchObject({ provider: null, model: null, virtualKey: null, config: null, target: null, status: 429, errorCode: 'insufficient_quota', stream: false, cache: null });
    expect([record.promptTokens, record.completionTokens, record.totalTokens, record.tokensEstimated, record.costUsd]).toEqual([0, 0, 0, false, null]);
    expect([record.latencyMs, record.firstByteMs]).toEqual([2, 2]);
  });

  test('an in-band stream error keeps the 200 the caller got and the error code it read', () => {
    const record = buildUsageRecord(input({ status: 200, errorCode: 'server_error' }));
    expect([record.status, record.errorCode, record.stream]).toEqual([200, 'server_error', true]);
  });

  test('a caller who left before the first byte has no first byte time; estimated tokens mark the record', () => {
    const record = buildUsageRecord(
      input({ timings: { startedAt: 10, firstByteAt: null, lastByteAt: 60 }, usage: [{ promptTokens: 12, completionTokens: 4, estimated: true }, { promptTokens: 12, completionTokens: 9, estimated: false }] }),
    );
    expect(record.firstByteMs).toBeNull();
    expect(record.latencyMs).toBe(50);
    expect(record.tokensEstimated).toBe(true);
    expect(record.totalTokens).toBe(37);
  });

  test('the target pricing wins over the price table', () => {
    const pricing = { prompt_usd_per_million_tokens: 1.5, completion_usd_per_million_tokens: 2 };
    const record = buildUsageRecord(input({ pricing, priceTableCostUsd: 99 }));
    // 24 prompt and 48 completion tokens.
    expect(record.costUsd).toBeCloseTo((24 * 1.5 + 48 * 2) / 1e6, 12);
  });

  test('a cache hit costs 0, even with a price and the cached answer\'s tokens', () => {
    const record = buildUsageRecord(input({ cache: 'HIT', priceTableCostUsd: 0.5, pricing: { prompt_usd_per_million_tokens: 3, completion_usd_per_million_tokens: 3 } }));
    expect(record.costUsd).toBe(0);
    expect(record.cache).toBe('HIT');
    expect(record.totalTokens).toBe(72);
  });

  test('an unknown price is null, not 0', () => {
    expect(buildUsageRecord(input({ priceTableCostUsd: null })).costUsd).toBeNull();
  });

  test('timings read out of order never make a negative latency', () => {
    const record = buildUsageRecord(input({ timings: { startedAt: 100, firstByteAt: 90, lastByteAt: 95 } }));
    expect([record.latencyMs, record.firstByteMs]).toEqual([0, 0]);
  });
});

describe('sumTokenUsage', () => {
  test('sums parts and is estimated when any part is', () => {
    expect(sumTokenUsage([])).toEqual({ promptTokens: 0, completionTokens: 0, totalTokens: 0, estimated: false });
    expect(
      sumTokenUsage([
        { promptTokens: 5, completionTokens: 7, estimated: false },
        { promptTokens: 5, completionTokens: 3, estimated: true },
      ]),
    ).toEqual({ promptTokens: 10, completionTokens: 10, totalTokens: 20, estimated: true });
  });

  test('ignores counts that are not whole non-negative numbers (data from the wire)', () => {
    expect(
      sumTokenUsage([
        { promptTokens: -3, completionTokens: Number.NaN, estimated: false },
        { promptTokens: 2.5, completionTokens: 4, estimated: false },
      ]),
    ).toEqual({ promptTokens: 0, completionTokens: 4, totalTokens: 4, estimated: false });
  });
});
