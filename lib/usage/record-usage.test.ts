import { describe, expect, test, vi } from 'vitest';
import { setLogSink } from '../log.ts';
import { type UnpricedUsageInput, priceUsage } from './record-usage.ts';

function input(overrides: Partial<UnpricedUsageInput> = {}): UnpricedUsageInput {
  return {
    traceId: 'trace-9', caller: null, virtualKey: null, configId: null, provider: 'openai', model: 'gpt-4o-mini', targetPath: null, status: 200,
    errorCode: null, stream: false, retries: 0, fallbacks: 0, cache: 'MISS', timings: { startedAt: 0, firstByteAt: 10, lastByteAt: 20 },
    usage: [{ promptTokens: 1000, completionTokens: 500, estimated: false }, { promptTokens: 1000, completionTokens: 100, estimated: false }], pricing: null, ...overrides,
  };
}

describe('priceUsage', () => {
  test('asks the price table for the summed tokens of the answering provider and model', async () => {
    const lookUp = vi.fn(async () => 0.0123);
    const record = await priceUsage(input(), lookUp);
    expect(lookUp).toHaveBeenCalledExactlyOnceWith({ provider: 'openai', model: 'gpt-4o-mini', promptTokens: 2000, completionTokens: 600 });
    expect(record.costUsd).toBe(0.0123);
  });

  test('prices with the real table when given none', async () => {
    const record = await priceUsage(input());
    expect(record.costUsd).toBeGreaterThan(0);
  });

  test('does not load the table for a cache hit, a pricing, or a request that reached no model', async () => {
    const lookUp = vi.fn(async () => 1);
    expect((await priceUsage(input({ cache: 'HIT' }), lookUp)).costUsd).toBe(0);
    expect((await priceUsage(input({ pricing: { prompt_usd_per_million_tokens: 1.5, completion_usd_per_million_tokens: 2 } }), lookUp)).costUsd).toBeCloseTo((2000 * 1.5 + 600 * 2) / 1e6, 12);
    expect((await priceUsage(input({ provider: null, model: null, usage: [] }), lookUp)).costUsd).toBeNull();
    expect(lookUp).not.toHaveBeenCalled();
  });

  test('a table that fails to load costs the record its price, not the record', async () => {
    const lines: string[] = [];
    const restore = setLogSink((line) => lines.push(line));
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'warn';
    try {
      const record = await priceUsage(input(), async () => {
        throw new Error('Cannot find module');
      });
      expect(record.costUsd).toBeNull();
      expect(record.promptTokens).toBe(2000);
      expect(lines.map((line) => JSON.parse(line))).toMatchObject([{ level: 'warn', message: 'price table failed', traceId: 'trace-9', errorMessage: 'Cannot find module' }]);
    } finally {
      restore();
      process.env.LOG_LEVEL = level;
    }
  });
});
