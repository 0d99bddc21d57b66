import { describe, expect, it } from 'vitest';
import { isOpenAICompatibleChunk, isOpenAICompatibleResponse } from './is-openai-compatible-shape.ts';
import { openAICompatibleSchemas } from './openai-compatible-schemas.ts';

/** OpenAI's example completion object. @see https://platform.openai.com/docs/api-reference/completions/object */
const example = {
  id: 'cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7',
  object: 'text_completion',
  created: 1589478378,
  model: 'gpt-3.5-turbo-instruct',
  system_fingerprint: 'fp_44709d6fcb',
  choices: [{ text: '\n\nThis is indeed a test', index: 0, logprobs: null, finish_reason: 'length' }],
  usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
};

const variants: Record<string, unknown[]> = {
  id: [undefined, null, 'x', 3],
  model: [undefined, null, 'm', {}],
  system_fingerprint: [undefined, null, 'fp', false],
  choices: [undefined, null, [], example.choices, [{}], [{ index: '0' }], [{ text: 5 }], [{ finish_reason: 1 }], [null], [{ logprobs: { tokens: [] } }], 'x'],
  usage: [undefined, null, {}, example.usage, { prompt_tokens: '5' }, { total_tokens: null }, 'x', []],
};

function* bodies(): Generator<unknown> {
  yield example;
  yield null;
  yield [];
  yield 'text';
  for (const [key, values] of Object.entries(variants)) {
    for (const value of values) yield { ...example, [key]: value };
  }
}

describe('isOpenAICompatibleResponse / isOpenAICompatibleChunk', () => {
  it('accept exactly what the zod schemas accept', () => {
    let checked = 0;
    for (const body of bodies()) {
      expect(isOpenAICompatibleResponse(body), JSON.stringify(body)).toBe(openAICompatibleSchemas().response.safeParse(body).success);
      expect(isOpenAICompatibleChunk(body), JSON.stringify(body)).toBe(openAICompatibleSchemas().chunk.safeParse(body).success);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('pass the documented example, so the hot path skips zod', () => {
    expect(isOpenAICompatibleResponse(example)).toBe(true);
    expect(isOpenAICompatibleChunk({ ...example, usage: null })).toBe(true);
  });
});
