import { describe, expect, it } from 'vitest';
import { OPENAI_COMPLETION } from '../../test/fakes/openai-samples.ts';
import { parseCompletionRequest } from '../api/completion-request.ts';
import { renderResponse, renderStream } from '../api/render-completion.ts';
import { openAIProvider } from '../providers/openai/openai-provider.ts';
import type { CompletionPart, ProviderCall } from '../providers/provider.ts';
import { createStreamTransform } from '../providers/read-upstream-stream.ts';
import { assembleParts, isCompleteAnswer, PartAssembler } from './assemble-parts.ts';

const call = (stream: boolean): ProviderCall => ({
  params: parseCompletionRequest({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7, stream }),
  target: { provider: 'openai', api_key: 'sk-test' },
  stream,
  forwardedHeaders: {},
  strict: false,
});

/** OpenAI's documented answer, cut into stream chunks the way OpenAI streams it, usage last. */
function chunkEventsOf(response: typeof OPENAI_COMPLETION, pieces: string[]): string[] {
  const { usage, choices: _choices, ...header } = response;
  const events = pieces.map((text, position) =>
    JSON.stringify({ ...header, choices: [{ text, index: 0, logprobs: null, finish_reason: position === pieces.length - 1 ? response.choices[0]!.finish_reason : null }] }),
  );
  events.push(JSON.stringify({ ...header, choices: [], usage }), '[DONE]');
  return events;
}

function partsFromStream(events: string[]): CompletionPart[] {
  const transform = createStreamTransform(openAIProvider, call(true));
  const parts = events.flatMap((data) => transform.transform({ kind: 'sse', event: undefined, data }));
  return [...parts, ...transform.flush()];
}

const choice = (index: number, text: string, finish: 'stop' | 'length' | null = null, logprobs: CompletionPart['choices'][number]['logprobs'] = null) => ({ index, text, logprobs, finish_reason: finish });

describe('assembleParts', () => {
  it("turns OpenAI's stream into the same answer as OpenAI's JSON response", () => {
    const text = OPENAI_COMPLETION.choices[0]!.text;
    const pieces = ['\n\n', 'This', ' is', ' indeed', ' a', ' test'];
    expect(pieces.join('')).toBe(text);
    const assembled = assembleParts(partsFromStream(chunkEventsOf(OPENAI_COMPLETION, pieces)));
    const whole = openAIProvider.parseResponse(OPENAI_COMPLETION, call(false));
    // The stream carries no system_fingerprint in our parts (nor does renderStream write one).
    const { system_fingerprint: _fingerprint, ...wholeWithoutFingerprint } = whole;
    expect(assembled).toEqual(wholeWithoutFingerprint);
    expect(renderResponse(assembled, { model: 'm', created: 1 })).toEqual({ ...renderResponse(whole, { model: 'm', created: 1 }), system_fingerprint: undefined });
    expect(isCompleteAnswer(assembled)).toBe(true);
  });

  it('joins text per choice index, keeps each finish reason, concatenates logprobs and sums usage', () => {
    const lp = (tokens: string[], offset: number) => ({ tokens, token_logprobs: tokens.map(() => -0.5), top_logprobs: tokens.map((token) => ({ [token]: -0.5 })), text_offset: tokens.map((_, i) => offset + i) });
    const parts: CompletionPart[] = [
      { id: 'cmpl-1', model: 'm-1', choices: [choice(1, 'B1', null, lp(['B1'], 0))] },
      { choices: [choice(0, 'A1', null, lp(['A1'], 0)), choice(1, 'B2', 'stop', lp(['B2'], 2))], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
      { id: 'cmpl-2', model: 'm-2', choices: [choice(0, 'A2', 'length', lp(['A2'], 2))], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
    ];
    expect(assembleParts(parts)).toEqual({
      id: 'cmpl-1',
      model: 'm-2',
      choices: [
        choice(0, 'A1A2', 'length', { ...lp(['A1', 'A2'], 0), text_offset: [0, 2] }),
        choice(1, 'B1B2', 'stop', { ...lp(['B1', 'B2'], 0), text_offset: [0, 2] }),
      ],
      usage: { prompt_tokens: 6, completion_tokens: 4, total_tokens: 10 },
    });
  });

  it('does not change the parts it was given', () => {
    const logprobs = { tokens: ['a'], token_logprobs: [-1] };
    const first: CompletionPart = { choices: [choice(0, 'a', null, logprobs)] };
    assembleParts([first, { choices: [choice(0, 'b', 'stop', { tokens: ['b'], token_logprobs: [-2] })] }]);
    expect(first.choices[0]!.logprobs).toEqual({ tokens: ['a'], token_logprobs: [-1] });
  });

  it('agrees with the renderer on the usage it shows', async () => {
    const parts: CompletionPart[] = [
      { choices: [choice(0, 'x', 'stop')], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } },
      { choices: [], usage: { prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 } },
    ];
    const chunks: string[] = [];
    for await (const chunk of renderStream(toAsync(parts), { model: 'm', includeUsage: true })) chunks.push(chunk);
    const usageChunk = JSON.parse(chunks.at(-2)!.slice('data: '.length)) as { usage: unknown };
    expect(usageChunk.usage).toEqual(assembleParts(parts).usage);
  });

  it('assembles as parts arrive, answering at any point', () => {
    const assembler = new PartAssembler();
    assembler.add({ choices: [choice(0, 'a')] });
    expect(assembler.result().choices[0]!.text).toBe('a');
    assembler.add({ choices: [choice(0, 'b', 'stop')] });
    expect(assembler.result().choices[0]).toEqual(choice(0, 'ab', 'stop'));
  });
});

describe('isCompleteAnswer', () => {
  it('wants every choice finished, none missing, and at least one', () => {
    expect(isCompleteAnswer({ choices: [choice(0, 'a', 'stop'), choice(1, 'b', 'length')] })).toBe(true);
    expect(isCompleteAnswer({ choices: [choice(0, 'a', 'stop'), choice(1, 'b')] })).toBe(false);
    expect(isCompleteAnswer({ choices: [choice(0, 'a', 'stop'), choice(2, 'c', 'stop')] })).toBe(false);
    expect(isCompleteAnswer({ choices: [] })).toBe(false);
  });
});

async function* toAsync<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}
