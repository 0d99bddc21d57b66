import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';
import { encode as encodeO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, test } from 'vitest';
import { estimateTokens, estimateUsage } from './estimate-tokens.ts';

describe('estimateTokens', () => {
  test('counts with the cl100k_base encoding', async () => {
    // OpenAI's own example sentences; the encoder's count, not a number written here.
    for (const text of ['Say this is a test', 'This is indeed a test', 'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n', 'Grüße aus Köln 👋']) {
      expect(await estimateTokens(text)).toBe(countTokens(text));
    }
  });

  test('grows with the text and is zero for none', async () => {
    expect(await estimateTokens('')).toBe(0);
    const one = await estimateTokens('The quick brown fox jumps over the lazy dog. ');
    const ten = await estimateTokens('The quick brown fox jumps over the lazy dog. '.repeat(10));
    expect(one).toBeGreaterThan(5);
    expect(ten).toBeGreaterThan(one * 9);
    expect(ten).toBeLessThanOrEqual(one * 10);
  });

  test('counts special-token text in a prompt as text instead of throwing', async () => {
    const count = await estimateTokens('before <|endoftext|> after');
    expect(count).toBeGreaterThan(3);
    expect(() => countTokens('before <|endoftext|> after')).toThrow();
  });

  test('stays close to the o200k_base count on English', async () => {
    const text = 'Platform teams charge each caller for the tokens their requests used, per day and per month. '.repeat(20);
    const ours = await estimateTokens(text);
    const o200k = encodeO200k(text).length;
    expect(Math.abs(ours - o200k) / o200k).toBeLessThan(0.1);
  });
});

describe('estimateUsage', () => {
  test('sums prompt and completion texts into one estimated part; a token prompt counts its length', async () => {
    const part = await estimateUsage({ promptTexts: ['Say this is a test', [1, 2, 3, 4]], completionTexts: ['This is a test.', ' And another.'] });
    expect(part).toEqual({
      promptTokens: countTokens('Say this is a test') + 4,
      completionTokens: countTokens('This is a test.') + countTokens(' And another.'),
      estimated: true,
    });
  });

  test('no texts, no tokens, still estimated', async () => {
    expect(await estimateUsage({ promptTexts: [], completionTexts: [] })).toEqual({ promptTokens: 0, completionTokens: 0, estimated: true });
  });
});
