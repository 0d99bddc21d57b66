import { describe, expect, test } from 'vitest';
import { formatUsageLine } from './format-usage-line.ts';
import type { UsageRecord } from './usage-record.ts';

function record(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    message: 'request', traceId: 'trace-1', caller: 'arn:aws:iam::123456789012:role/a', account: '123456789012', virtualKey: 'openai-prod', config: null,
    provider: 'openai', model: 'gpt-4o-mini', target: null, status: 200, errorCode: null, stream: false, retries: 0, fallbacks: 0, cache: 'DISABLED',
    latencyMs: 840, firstByteMs: 835, promptTokens: 12, completionTokens: 30, totalTokens: 42, tokensEstimated: false, costUsd: 0.0000198, ...overrides,
  };
}

describe('formatUsageLine', () => {
  test('an answer: status, provider, model, tokens, cost, latency', () => {
    expect(formatUsageLine(record())).toBe('200 openai gpt-4o-mini 12+30 tok $0.000020 840 ms');
  });

  test('a stream shows its first byte; estimated tokens are marked', () => {
    expect(formatUsageLine(record({ stream: true, firstByteMs: 120, tokensEstimated: true }))).toBe('200 openai gpt-4o-mini 12+30 tok~ $0.000020 840 ms (first byte 120 ms) stream');
  });

  test('a failure after retries and fallbacks, price unknown', () => {
    expect(formatUsageLine(record({ status: 502, errorCode: 'bad_gateway', provider: 'anthropic', model: 'claude-3-haiku', promptTokens: 0, completionTokens: 0, costUsd: null, retries: 2, fallbacks: 1 }))).toBe(
      '502 anthropic claude-3-haiku 0+0 tok $? 840 ms bad_gateway retries 2 fallbacks 1',
    );
  });

  test('a refusal before routing and a cache hit', () => {
    expect(formatUsageLine(record({ status: 400, errorCode: 'invalid_request_error', provider: null, model: null, costUsd: null, promptTokens: 0, completionTokens: 0 }))).toBe('400 - - 0+0 tok $? 840 ms invalid_request_error');
    expect(formatUsageLine(record({ cache: 'HIT', costUsd: 0 }))).toBe('200 openai gpt-4o-mini 12+30 tok $0.000000 840 ms cache hit');
  });

  test('is one line and names no caller, key or trace id', () => {
    const line = formatUsageLine(record({ stream: true, errorCode: 'server_error' }));
    expect(line).not.toMatch(/\n/);
    for (const secret of ['arn:aws', 'openai-prod', 'trace-1']) expect(line).not.toContain(secret);
  });
});
