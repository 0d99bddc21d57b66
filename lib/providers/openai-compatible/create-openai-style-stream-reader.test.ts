import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../api/errors.ts';
import type { CompletionPart, UpstreamEvent } from '../provider.ts';
import { createOpenAIStyleStreamReader } from './create-openai-style-stream-reader.ts';

const event = (data: unknown): UpstreamEvent => ({ kind: 'sse', event: undefined, data: typeof data === 'string' ? data : JSON.stringify(data) });
const textPart = (json: unknown): CompletionPart[] => [{ choices: [{ index: 0, text: (json as { t: string }).t, logprobs: null, finish_reason: null }] }];

describe('createOpenAIStyleStreamReader', () => {
  it('reads each JSON event through the family’s chunk reader and ends cleanly only after [DONE]', () => {
    const reader = createOpenAIStyleStreamReader('p', textPart);
    expect(reader.read(event({ t: 'a' }))).toEqual(textPart({ t: 'a' }));
    expect(reader.end()).toBeUndefined();
    expect(reader.read(event('[DONE]'))).toEqual([]);
    expect(reader.end()).toEqual([]);
  });

  it('gives the end hook’s parts after [DONE], and never calls it for a truncated stream', () => {
    let calls = 0;
    const last: CompletionPart = { choices: [{ index: 0, text: '', logprobs: null, finish_reason: 'stop' }] };
    const endHook = () => {
      calls += 1;
      return [last];
    };
    const truncated = createOpenAIStyleStreamReader('p', textPart, endHook);
    truncated.read(event({ t: 'a' }));
    expect(truncated.end()).toBeUndefined();
    expect(calls).toBe(0);

    const finished = createOpenAIStyleStreamReader('p', textPart, endHook);
    finished.read(event({ t: 'a' }));
    finished.read(event('[DONE]'));
    expect(finished.end()).toEqual([last]);
    expect(calls).toBe(1);
  });

  it('throws an error event as an UpstreamError with the upstream’s code, before the chunk reader sees it', () => {
    let seen = 0;
    const reader = createOpenAIStyleStreamReader('p', (json) => {
      seen += 1;
      return textPart(json);
    });
    const error = (() => {
      try {
        reader.read(event({ error: { message: 'overloaded', code: 503 } }));
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).message).toContain('overloaded');
    expect(seen).toBe(0);
  });
});
