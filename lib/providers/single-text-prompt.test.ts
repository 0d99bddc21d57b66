import { describe, expect, it } from 'vitest';
import { UnsupportedParameterError } from '../api/errors.ts';
import { singleTextPrompt } from './single-text-prompt.ts';
import { toStopSequences } from './to-stop-sequences.ts';

describe('singleTextPrompt', () => {
  it('takes a string or a one-string array', () => {
    expect(singleTextPrompt('Hi', 'p')).toBe('Hi');
    expect(singleTextPrompt(['Hi'], 'p')).toBe('Hi');
  });

  it('refuses several prompts and token ids with a 400 on prompt', () => {
    for (const prompt of [['a', 'b'], [1, 2], [[1], [2]]] as const) {
      const error = (() => {
        try {
          singleTextPrompt(prompt as never, 'cohere');
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(UnsupportedParameterError);
      expect(error).toMatchObject({ statusCode: 400, param: 'prompt', message: expect.stringContaining('cohere') });
    }
  });
});

describe('toStopSequences', () => {
  it('always gives a new list', () => {
    const stop = ['a', 'b'];
    expect(toStopSequences('x')).toEqual(['x']);
    expect(toStopSequences(stop)).toEqual(['a', 'b']);
    expect(toStopSequences(stop)).not.toBe(stop);
  });
});
