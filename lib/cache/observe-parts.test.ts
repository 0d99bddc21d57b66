import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../api/errors.ts';
import { renderStream } from '../api/render-completion.ts';
import type { CompletionPart } from '../providers/provider.ts';
import { observeParts } from './observe-parts.ts';

const part = (text: string, finish: 'stop' | null = null, usage?: CompletionPart['usage']): CompletionPart => ({
  choices: [{ index: 0, text, logprobs: null, finish_reason: finish }],
  ...(usage ? { usage } : {}),
});

/** A source stream that records whether its consumer closed it. */
function source(parts: CompletionPart[], failAfter?: number) {
  const state = { returned: false, pulled: 0 };
  const iterable: AsyncIterable<CompletionPart> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        if (failAfter !== undefined && state.pulled === failAfter) {
          throw new UpstreamError('openai ended the stream before [DONE].', { provider: 'openai', statusCode: 502, code: 'stream_truncated' });
        }
        const value = parts[state.pulled++];
        return value ? { done: false, value } : { done: true, value: undefined };
      },
      return: async () => {
        state.returned = true;
        return { done: true, value: undefined };
      },
    }),
  };
  return { iterable, state };
}

describe('observeParts', () => {
  it('passes every part through unchanged and stores the whole answer once the stream ends cleanly', async () => {
    const parts = [part('Hello'), part(' world', 'stop'), { choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }];
    const stored: CompletionPart[] = [];
    const seen: CompletionPart[] = [];
    for await (const value of observeParts(source(parts).iterable, (whole) => stored.push(whole))) {
      // Nothing is stored before the end.
      expect(stored).toEqual([]);
      seen.push(value);
    }
    expect(seen).toEqual(parts);
    expect(stored).toEqual([{ choices: [{ index: 0, text: 'Hello world', logprobs: null, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }]);
  });

  it('stores nothing after an in-band error, and the renderer still shows the error', async () => {
    const stored: CompletionPart[] = [];
    const chunks: string[] = [];
    const observed = observeParts(source([part('Hel')], 1).iterable, (whole) => stored.push(whole));
    for await (const chunk of renderStream(observed, { model: 'm', includeUsage: false })) chunks.push(chunk);
    expect(chunks.at(-1)).toMatch(/"code":"stream_truncated"/);
    expect(stored).toEqual([]);
  });

  it('stores nothing when the consumer stops early (the caller left), and closes the source', async () => {
    const stored: CompletionPart[] = [];
    const { iterable, state } = source([part('a'), part('b'), part('c', 'stop')]);
    for await (const _value of observeParts(iterable, (whole) => stored.push(whole))) break;
    expect(state.returned).toBe(true);
    expect(stored).toEqual([]);
  });

  it('keeps the caller’s stream whole when storing throws', async () => {
    const seen: CompletionPart[] = [];
    const observed = observeParts(source([part('a', 'stop')]).iterable, () => {
      throw new Error('store broke');
    });
    for await (const value of observed) seen.push(value);
    expect(seen).toHaveLength(1);
  });
});
