import { describe, expect, test, vi } from 'vitest';
import type { CompletionRequest } from '../api/completion-request.ts';
import { setLogSink } from '../log.ts';
import type { FinishedRequest } from '../request-finished.ts';
import { createRouteOutcome } from '../routing/route-outcome.ts';
import { createUsageRecorder } from './create-usage-recorder.ts';
import { readMetricsSettings } from './metrics-settings.ts';

function finished(overrides: Partial<FinishedRequest> = {}): FinishedRequest {
  const outcome = createRouteOutcome();
  outcome.attempts.push({
    path: undefined,
    provider: 'openai',
    virtualKey: 'openai-prod',
    params: { model: 'gpt-4o-mini', prompt: 'Say this is a test' } as CompletionRequest,
    pricing: { prompt_usd_per_million_tokens: 1, completion_usd_per_million_tokens: 2 },
    retries: 0,
    warnings: [],
  });
  return {
    traceId: 'trace-1', caller: {}, outcome, statusCode: 200, errorCode: null, stream: false,
    usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 }, sentTexts: [], callerGone: false, latencyMs: 12.4, firstByteMs: 10.2, ...overrides,
  };
}

describe('createUsageRecorder', () => {
  test('writes the record and its metrics before it returns, with no promise, when tokens and price are known', () => {
    const lines: string[] = [];
    const record = createUsageRecorder({ metrics: readMetricsSettings({ GATEWAY_METRICS: 'emf' }), write: (line) => lines.push(line) });
    expect(record(finished())).toBeUndefined();
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({ message: 'request', virtualKey: 'openai-prod', promptTokens: 5, completionTokens: 7, costUsd: (5 * 1 + 7 * 2) / 1e6 });
    expect(JSON.parse(lines[1]!)).toMatchObject({ Requests: 1, PromptTokens: 5 });
  });

  test('returns a promise, and writes once it settles, when the tokens must be counted', async () => {
    const lines: string[] = [];
    const record = createUsageRecorder({ metrics: readMetricsSettings({}), write: (line) => lines.push(line) });
    // A stream that reported no usage: the tokenizer counts the prompt and the text sent.
    const pending = record(finished({ stream: true, usage: undefined, sentTexts: [' This is a test.'] }));
    expect(pending).toBeInstanceOf(Promise);
    expect(lines).toHaveLength(0);
    await pending;
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ tokensEstimated: true, stream: true });
    expect(JSON.parse(lines[0]!).completionTokens).toBeGreaterThan(0);
  });

  test('never throws: a record that cannot be built or written is logged as such', () => {
    const logged: string[] = [];
    const restore = setLogSink((line) => logged.push(line));
    vi.stubEnv('LOG_LEVEL', 'error');
    try {
      const throwing = createUsageRecorder({ metrics: readMetricsSettings({}), write: () => { throw new Error('sink broke'); } });
      expect(throwing(finished())).toBeUndefined();
      const broken = createUsageRecorder({ metrics: readMetricsSettings({}), write: () => {} });
      expect(() => broken({ ...finished(), outcome: undefined as never })).not.toThrow();
      expect(logged.map((line) => JSON.parse(line).message)).toEqual(['usage record failed', 'usage record failed']);
    } finally {
      vi.unstubAllEnvs();
      restore();
    }
  });
});
