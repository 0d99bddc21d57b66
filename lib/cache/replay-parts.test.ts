import { describe, expect, it } from 'vitest';
import { completionChunkSchema } from '../api/completion-response.ts';
import { renderStream } from '../api/render-completion.ts';
import { SSE_DONE } from '../api/sse.ts';
import type { CompletionPart } from '../providers/provider.ts';
import { assembleParts } from './assemble-parts.ts';
import { replayPartList, replayParts } from './replay-parts.ts';

const stored: CompletionPart = {
  id: 'cmpl-stored',
  model: 'gpt-3.5-turbo-instruct',
  choices: [
    { index: 1, text: ' second', logprobs: { tokens: [' second'], token_logprobs: [-0.1], top_logprobs: [{ ' second': -0.1 }], text_offset: [0] }, finish_reason: 'stop' },
    { index: 0, text: '\n\nThis is indeed a test', logprobs: null, finish_reason: 'length' },
  ],
  usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 },
};

async function render(part: CompletionPart, includeUsage: boolean): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of renderStream(replayParts(part), { model: 'asked-model', includeUsage })) chunks.push(chunk);
  return chunks;
}

/** Each `data:` line parsed with the API's own chunk schema; `[DONE]` last. */
function parseChunks(chunks: string[]) {
  expect(chunks.at(-1)).toBe(SSE_DONE);
  return chunks.slice(0, -1).map((chunk) => {
    expect(chunk).toMatch(/^data: .*\n\n$/s);
    return completionChunkSchema.parse(JSON.parse(chunk.slice('data: '.length)));
  });
}

describe('replayParts', () => {
  it('renders as valid OpenAI chunks, one per choice in index order, with the stored id and model', async () => {
    const chunks = parseChunks(await render(stored, false));
    expect(chunks.map((chunk) => chunk.choices.map((choice) => choice.index))).toEqual([[0], [1]]);
    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set(['cmpl-stored']));
    expect(chunks.every((chunk) => chunk.model === 'gpt-3.5-turbo-instruct' && chunk.object === 'text_completion')).toBe(true);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
  });

  it('ends with a usage chunk of empty choices only when the caller asked for include_usage', async () => {
    const chunks = parseChunks(await render(stored, true));
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(stored.usage);
    expect(chunks.slice(0, -1).every((chunk) => !chunk.usage)).toBe(true);
  });

  it('reassembles into the stored answer (choices sorted), so a stream hit says what a JSON hit says', () => {
    expect(assembleParts(replayPartList(stored))).toEqual({ ...stored, choices: [...stored.choices].sort((a, b) => a.index - b.index) });
  });

  it('can be given up early and does not change the stored part', async () => {
    const iterator = replayParts(stored)[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    (first.value as CompletionPart).choices[0]!.text = 'changed';
    await iterator.return!();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(stored.choices.map((choice) => choice.text)).toEqual([' second', '\n\nThis is indeed a test']);
  });
});
