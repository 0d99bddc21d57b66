import { describe, expect, it } from 'vitest';
import { UpstreamError } from './errors.ts';
import { completionChunkSchema, completionResponseSchema } from './completion-response.ts';
import { renderResponse, renderStream } from './render-completion.ts';
import { encodeSseData } from './sse.ts';
import type { CompletionPart } from '../providers/provider.ts';

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const text of stream) out.push(text);
  return out;
}

async function* parts(...items: Array<CompletionPart | Error>): AsyncGenerator<CompletionPart> {
  for (const item of items) {
    if (item instanceof Error) throw item;
    yield item;
  }
}

const choice = (text: string, finish: 'stop' | 'length' | null = null, index = 0) => ({ index, text, logprobs: null, finish_reason: finish });

describe('renderResponse', () => {
  it('stamps a complete text_completion', () => {
    const response = renderResponse({ choices: [choice('hi', 'stop')], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }, { model: 'm', created: 42 });
    expect(completionResponseSchema.parse(response)).toEqual({
      id: expect.stringMatching(/^cmpl-[0-9a-f]{32}$/),
      object: 'text_completion',
      created: 42,
      model: 'm',
      choices: [choice('hi', 'stop')],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
  });
});

describe('renderStream', () => {
  it('writes chunks with one id, then the summed usage chunk and [DONE]', async () => {
    const events = await collect(
      renderStream(parts({ id: 'up-1', choices: [choice('a')], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }, { choices: [choice('b', 'stop', 1)], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } }), {
        model: 'm',
        includeUsage: true,
      }),
    );
    expect(events.at(-1)).toBe('data: [DONE]\n\n');
    const chunks = events.slice(0, -1).map((event) => completionChunkSchema.parse(JSON.parse(event.replace(/^data: /, ''))));
    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set(['up-1']));
    expect(chunks.map((chunk) => chunk.choices.map((each) => each.text).join(''))).toEqual(['a', 'b', '']);
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
  });

  it('writes each chunk as encodeSseData would write the whole chunk object, also when the model changes mid-stream', async () => {
    const logprobs = { tokens: ['a"\n'], token_logprobs: [-0.5], top_logprobs: null, text_offset: [0] };
    const events = await collect(
      renderStream(parts({ id: 'up-"1"', choices: [{ index: 0, text: 'a"\n', logprobs, finish_reason: null }] }, { model: 'served-ü', choices: [choice('b', 'stop')] }), {
        model: 'asked',
        created: 7,
        includeUsage: false,
      }),
    );
    expect(events).toEqual([
      encodeSseData({ id: 'up-"1"', object: 'text_completion', created: 7, model: 'asked', choices: [{ index: 0, text: 'a"\n', logprobs, finish_reason: null }] }),
      encodeSseData({ id: 'up-"1"', object: 'text_completion', created: 7, model: 'served-ü', choices: [choice('b', 'stop')] }),
      'data: [DONE]\n\n',
    ]);
  });

  it('omits the usage chunk unless asked', async () => {
    const events = await collect(renderStream(parts({ choices: [choice('a', 'stop')], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }), { model: 'm', includeUsage: false }));
    expect(events).toHaveLength(2);
    expect(events[0]).not.toContain('usage');
  });

  it('ends a broken stream with an error event and no [DONE]', async () => {
    const seen: unknown[] = [];
    const events = await collect(
      renderStream(parts({ choices: [choice('a')] }, new UpstreamError('connection reset', { provider: 'openai', statusCode: 502 })), {
        model: 'm',
        includeUsage: true,
        onError: (error) => seen.push(error),
      }),
    );
    expect(events).toHaveLength(2);
    expect(JSON.parse(events[1]!.replace(/^data: /, ''))).toEqual({
      error: { message: 'connection reset', type: 'api_error', param: null, code: null, provider: 'openai' },
    });
    expect(events.join('')).not.toContain('[DONE]');
    expect(seen).toHaveLength(1);
  });
});

describe('renderStream stopped by its consumer', () => {
  it('closes the parts and ends once, not completed, when stopped after a chunk', async () => {
    let closed = false;
    async function* upstream(): AsyncGenerator<CompletionPart> {
      try {
        yield { choices: [choice('a')] };
        yield { choices: [choice('b', 'stop')] };
      } finally {
        closed = true;
      }
    }
    const ends: unknown[] = [];
    const stream = renderStream(upstream(), { model: 'm', includeUsage: false, onEnd: (end) => ends.push(end) });
    expect((await stream.next()).done).toBe(false);
    expect(await stream.return!()).toEqual({ done: true, value: undefined });
    expect(closed).toBe(true);
    expect(ends).toEqual([{ usage: undefined, usageEstimated: false, error: undefined, completed: false }]);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(ends).toHaveLength(1);
  });

  it('waits for a pending read before it stops, and ends with what that read brought', async () => {
    let fail!: (error: Error) => void;
    const upstream: AsyncIterable<CompletionPart> = {
      [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<CompletionPart>>((_resolve, reject) => (fail = reject)) }),
    };
    const ends: Array<{ error: unknown; completed: boolean }> = [];
    const stream = renderStream(upstream, { model: 'm', includeUsage: false, onEnd: (end) => ends.push(end) });
    const reading = stream.next();
    const stopping = stream.return!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(ends).toEqual([]);
    fail(new UpstreamError('aborted', { provider: 'openai', statusCode: 502 }));
    expect((await reading).value).toContain('"error"');
    await stopping;
    expect(ends).toMatchObject([{ error: { message: 'aborted' }, completed: true }]);
  });
});

describe('renderStream with an estimate for a stream without usage', () => {
  it('asks for the estimate only after every text chunk is out, and ends with it', async () => {
    const yielded: string[] = [];
    const asked: number[] = [];
    let ended: unknown;
    const stream = renderStream(parts({ choices: [choice('a')] }, { choices: [choice('b', 'stop')] }), {
      model: 'm',
      includeUsage: true,
      estimateUsage: async () => {
        asked.push(yielded.length);
        return { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 };
      },
      onEnd: (end) => (ended = end),
    });
    for await (const event of stream) yielded.push(event);
    // Two text chunks had been handed on when the estimate was asked for, once.
    expect(asked).toEqual([2]);
    const last = completionChunkSchema.parse(JSON.parse(yielded.at(-2)!.replace(/^data: /, '')));
    expect(last).toMatchObject({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } });
    expect(ended).toMatchObject({ usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 }, usageEstimated: true, completed: true });
  });

  it('never asks when a part reported usage, or when the caller did not ask for usage', async () => {
    let asks = 0;
    const estimateUsage = async () => {
      asks += 1;
      return { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
    };
    let ended: unknown;
    const reported = { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 };
    const events = await collect(renderStream(parts({ choices: [choice('a', 'stop')] }, { choices: [], usage: reported }), { model: 'm', includeUsage: true, estimateUsage, onEnd: (end) => (ended = end) }));
    expect(completionChunkSchema.parse(JSON.parse(events.at(-2)!.replace(/^data: /, ''))).usage).toEqual(reported);
    expect(ended).toMatchObject({ usage: reported, usageEstimated: false });
    await collect(renderStream(parts({ choices: [choice('a', 'stop')] }), { model: 'm', includeUsage: false, estimateUsage, onEnd: (end) => (ended = end) }));
    expect(ended).toMatchObject({ usage: undefined, usageEstimated: false });
    expect(asks).toBe(0);
  });

  it('says zeros when the estimate fails to come', async () => {
    const events = await collect(renderStream(parts({ choices: [choice('a', 'stop')] }), { model: 'm', includeUsage: true, estimateUsage: async () => undefined }));
    expect(completionChunkSchema.parse(JSON.parse(events.at(-2)!.replace(/^data: /, ''))).usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });
});
