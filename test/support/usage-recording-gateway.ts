/**
 * A gateway whose usage records the test reads (metrics off), in front of a fake upstream on
 * loopback, with the real openai SDK as its client; and the small helpers the usage tests share.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { sse, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { createCustomHostGuard } from '../../lib/config/custom-host-guard.ts';
import { createFileKeyStore } from '../../lib/keys/file-key-store.ts';
import { createUsageRecorder } from '../../lib/usage/create-usage-recorder.ts';
import { readMetricsSettings } from '../../lib/usage/metrics-settings.ts';
import type { UsageRecord } from '../../lib/usage/usage-record.ts';
import { startGatewayWith, type RunningGateway } from './start-gateway.ts';

export interface UsageRecordingGateway {
  upstream: FakeUpstream;
  gateway: RunningGateway;
  client: OpenAI;
  /** The usage records written since the current test began. */
  records: UsageRecord[];
}

/** Starts one for the enclosing `describe` (its fields are set once `beforeAll` has run). */
export function useUsageRecordingGateway(): UsageRecordingGateway {
  const setup = { records: [] as UsageRecord[] } as UsageRecordingGateway;
  beforeAll(async () => {
    setup.upstream = await startFakeUpstream();
    setup.gateway = await startGatewayWith({
      customHostGuard: createCustomHostGuard('loopback', { defaultAllowed: '' }),
      keyStore: createFileKeyStore({ virtual_keys: {} }),
      onRequestFinished: createUsageRecorder({ metrics: readMetricsSettings({}), write: (line) => setup.records.push(JSON.parse(line) as UsageRecord) }),
    });
    setup.client = new OpenAI({ apiKey: 'provider-key', baseURL: setup.gateway.baseURL, maxRetries: 0 });
  });
  afterAll(async () => {
    await setup.gateway?.close();
    await setup.upstream?.close();
  });
  beforeEach(() => {
    setup.records.length = 0;
  });
  return setup;
}

/** Polls `condition` every 10 ms for at most `ms`; its last value. */
export async function waitFor(condition: () => boolean, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!condition() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

/** An OpenAI completions stream of `texts`; with `usage`, the extra chunk of empty choices that include_usage asks for. */
export function completionStream(model: string, texts: readonly string[], usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number }) {
  const chunks: unknown[] = texts.map((text, index) => ({
    id: 'cmpl-1',
    object: 'text_completion',
    created: 1,
    model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: index === texts.length - 1 ? 'stop' : null }],
  }));
  if (usage) chunks.push({ id: 'cmpl-1', object: 'text_completion', created: 1, model, choices: [], usage });
  return sse(chunks);
}
