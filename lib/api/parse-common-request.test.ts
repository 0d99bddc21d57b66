import { describe, expect, it } from 'vitest';
import { completionRequestSchema, parseCompletionRequest } from './completion-request.ts';
import { parseCommonRequest } from './parse-common-request.ts';

/** Values per key, valid and not, edges included: the fast path must never disagree with zod. */
const candidates: Record<string, unknown[]> = {
  model: ['gpt-3.5-turbo-instruct', '', 3, true, ['m']],
  prompt: ['Say this is a test', '', ['a', 'b'], [], ['a', 1], [1, 2, 3], [[1], [2]], [[]], { text: 'x' }, 5],
  best_of: [1, 2, 20, 21, 0, 1.5, '2', true],
  echo: [true, false, 'true', 1],
  frequency_penalty: [-2, 2, 0.5, 2.01, -2.5, '1'],
  logit_bias: [{ '50256': -100 }, { x: 1 }],
  logprobs: [0, 5, 6, -1, 2.5],
  max_tokens: [0, 16, 4096, -1, 1.5, 2 ** 53, '16', 9007199254740991],
  n: [1, 2, 128, 129, 0, 1.1],
  presence_penalty: [-2, 0, 2, 3],
  seed: [0, -5, 42, 1.5, 2 ** 60, '1'],
  stop: ['\n', ['a'], ['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd', 'e'], [], ['a', 1], 7],
  stream: [true, false, 'yes', 0],
  stream_options: [{ include_usage: true }, { include_usage: false }, {}, { include_usage: 'yes' }, { other: 1 }, [], 'x'],
  suffix: ['end', '', 1],
  temperature: [0, 1, 2, 2.1, -0.1, '1'],
  top_p: [0, 0.5, 1, 1.5],
  user: ['u-1', 2],
  unknown_field: [1],
};

function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('parseCommonRequest', () => {
  it('agrees with the zod schema on thousands of generated bodies, output key order included', () => {
    const next = random(7);
    const keys = Object.keys(candidates);
    let accepted = 0;
    for (let round = 0; round < 20_000; round++) {
      const body: Record<string, unknown> = {};
      // Mostly valid-looking bodies with a few optional fields, so both paths are exercised.
      if (next() < 0.95) body.model = next() < 0.9 ? 'gpt-3.5-turbo-instruct' : candidates.model![Math.floor(next() * 5)];
      if (next() < 0.95) body.prompt = candidates.prompt![Math.floor(next() * (next() < 0.6 ? 3 : 10))];
      const extra = Math.floor(next() * 5);
      for (let index = 0; index < extra; index++) {
        const key = keys[Math.floor(next() * keys.length)]!;
        const values = candidates[key]!;
        body[key] = values[Math.floor(next() * values.length)];
      }
      const fast = parseCommonRequest({ ...body });
      const zod = completionRequestSchema().safeParse({ ...body });
      if (fast !== undefined) {
        accepted++;
        expect(zod.success, JSON.stringify(body)).toBe(true);
        expect(JSON.stringify(fast)).toBe(JSON.stringify(zod.data));
        expect(fast).toEqual(zod.data);
      }
    }
    // The fast path must actually serve the common case, not fall back every time.
    expect(accepted).toBeGreaterThan(2_000);
  });

  it('takes the bench and SDK request shapes', () => {
    expect(parseCommonRequest({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 16, temperature: 0 })).toEqual({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Say this is a test',
      max_tokens: 16,
      temperature: 0,
    });
    expect(parseCommonRequest({ model: 'm', prompt: 'p', stream: true, stream_options: { include_usage: true } })).toEqual({
      model: 'm',
      prompt: 'p',
      max_tokens: 16,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('leaves every invalid or unusual body to zod, whose messages stay the same', () => {
    expect(parseCommonRequest({ model: 'm', prompt: 'p', best_of: 1, n: 2 })).toBeUndefined();
    expect(parseCommonRequest({ model: 'm', prompt: 'p', stream_options: {} })).toBeUndefined();
    // Token prompts take the fast path too (zod's union over a million ids took ~5 s); invalid ones go to zod.
    expect(parseCommonRequest({ model: 'm', prompt: [1, 2] })).toEqual(completionRequestSchema().parse({ model: 'm', prompt: [1, 2] }));
    expect(parseCommonRequest({ model: 'm', prompt: [[1], [2, 3]] })).toEqual(completionRequestSchema().parse({ model: 'm', prompt: [[1], [2, 3]] }));
    for (const prompt of [[1, -2], [1.5], [[1], []], [[1], 2], [1, 'a'], [], [[]]]) expect(parseCommonRequest({ model: 'm', prompt }), JSON.stringify(prompt)).toBeUndefined();
    expect(parseCommonRequest({ model: 'm' })).toBeUndefined();
    expect(parseCommonRequest(Object.assign(Object.create({ injected: 1 }), { model: 'm', prompt: 'p' }))).toBeUndefined();
    expect(() => parseCompletionRequest({ model: 'm', prompt: 'p', temperature: 3 })).toThrow(/temperature/);
    expect(() => parseCompletionRequest({ model: 'm', prompt: 'p', wat: 1 })).toThrow('Unrecognized request argument supplied: wat');
  });
});
