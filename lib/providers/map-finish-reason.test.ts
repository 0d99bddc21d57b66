import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCompletionRequest } from '../api/completion-request.ts';
import { setLogSink } from '../log.ts';
import { mapFinishReason } from './map-finish-reason.ts';
import { loadProvider } from './provider-lookup.ts';

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  vi.unstubAllEnvs();
});

function captureLog(): Array<Record<string, unknown>> {
  vi.stubEnv('LOG_LEVEL', 'info');
  const lines: Array<Record<string, unknown>> = [];
  restore = setLogSink((line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return lines;
}

describe('mapFinishReason', () => {
  it('maps known reasons through the table without logging', () => {
    const lines = captureLog();
    expect(mapFinishReason('test-known', { MAX: 'length', BLOCKED: 'content_filter' }, 'MAX')).toBe('length');
    expect(mapFinishReason('test-known', { MAX: 'length', BLOCKED: 'content_filter' }, 'BLOCKED')).toBe('content_filter');
    expect(mapFinishReason('test-known', {}, null)).toBeNull();
    expect(mapFinishReason('test-known', {}, undefined)).toBeNull();
    expect(lines).toEqual([]);
  });

  it('answers stop for an unknown reason and logs it once per value per provider', () => {
    const lines = captureLog();
    for (let i = 0; i < 3; i++) expect(mapFinishReason('test-unknown', { MAX: 'length' }, 'NEW_REASON')).toBe('stop');
    expect(mapFinishReason('test-unknown', { MAX: 'length' }, 'OTHER_NEW')).toBe('stop');
    expect(mapFinishReason('test-unknown-2', { MAX: 'length' }, 'NEW_REASON')).toBe('stop');
    const warnings = lines.filter((line) => line.message === 'unknown finish reason');
    expect(warnings.map((line) => [line.level, line.provider, line.finishReason])).toEqual([
      ['warn', 'test-unknown', 'NEW_REASON'],
      ['warn', 'test-unknown', 'OTHER_NEW'],
      ['warn', 'test-unknown-2', 'NEW_REASON'],
    ]);
  });

  it('does not treat inherited object keys as known reasons', () => {
    const lines = captureLog();
    expect(mapFinishReason('test-proto', { stop: 'stop' }, 'constructor')).toBe('stop');
    expect(lines.map((line) => line.finishReason)).toEqual(['constructor']);
  });

  it('is what a provider uses: an OpenAI-compatible server’s unknown reason is logged with the provider’s name', async () => {
    const lines = captureLog();
    const call = { params: parseCompletionRequest({ model: 'm', prompt: 'p' }), target: { provider: 'vllm' }, stream: false, forwardedHeaders: {}, strict: false };
    const response = { choices: [{ index: 0, text: 'x', finish_reason: 'abort_by_scheduler' }] };
    const vllm = (await loadProvider('vllm'))!;
    expect(vllm.parseResponse(response, call).choices[0]!.finish_reason).toBe('stop');
    expect(vllm.parseResponse(response, call).choices[0]!.finish_reason).toBe('stop');
    expect(lines.filter((line) => line.message === 'unknown finish reason').map((line) => [line.provider, line.finishReason])).toEqual([
      ['vllm', 'abort_by_scheduler'],
    ]);
  });
});
