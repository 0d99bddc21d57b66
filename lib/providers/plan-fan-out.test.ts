import { describe, expect, it } from 'vitest';
import { parseCompletionRequest } from '../api/completion-request.ts';
import { UnsupportedParameterError } from '../api/errors.ts';
import type { ParameterRule, ParameterTable } from './map-parameters.ts';
import { isPassThrough, mergedIndex, planFanOut } from './plan-fan-out.ts';
import type { Provider, ProviderCall } from './provider.ts';

/** A table as the tests write it: `'emulated'` marks what the provider declares as emulated. */
type TestTable = { [name in keyof ParameterTable]?: ParameterRule | 'emulated' };
const provider = (table: TestTable, prompts = { arrays: false, tokens: false }): Provider => {
  const parameters = Object.fromEntries(Object.entries(table).filter(([, rule]) => rule !== 'emulated')) as ParameterTable;
  return { name: 'fake', streamFormat: 'sse', prompts, emulated: { n: table.n === 'emulated', echo: table.echo === 'emulated' }, parameters } as unknown as Provider;
};
const call = (body: Record<string, unknown>, strict = false): ProviderCall => ({
  params: parseCompletionRequest({ model: 'm', ...body }),
  target: { provider: 'fake' },
  stream: false,
  forwardedHeaders: {},
  strict,
});

const emulating: TestTable = { n: 'emulated', echo: 'emulated', max_tokens: {}, temperature: { range: [0, 1] } };

describe('planFanOut', () => {
  it('passes a request the provider can express through unchanged', () => {
    const request = call({ prompt: 'hi', n: 3 });
    const plan = planFanOut(provider({ n: {} }, { arrays: true, tokens: true }), request);
    expect(isPassThrough(plan, request)).toBe(true);
  });

  it('fans out prompts × n with OpenAI choice indexing', () => {
    const plan = planFanOut(provider(emulating), call({ prompt: ['a', 'b', 'c'], n: 2 }));
    expect(plan.calls).toHaveLength(6);
    expect(plan.calls.map((planned) => planned.call.params.prompt)).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    expect(plan.calls.every((planned) => planned.call.params.n === undefined)).toBe(true);
    expect(plan.calls.map((planned) => mergedIndex(planned, plan.n, 0))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('splits prompts but keeps a native n, indexing each call’s n choices', () => {
    const plan = planFanOut(provider({ n: {} }), call({ prompt: ['a', 'b'], n: 3 }));
    expect(plan.calls.map((planned) => [planned.call.params.prompt, planned.call.params.n])).toEqual([['a', 3], ['b', 3]]);
    expect([0, 1, 2].map((index) => mergedIndex(plan.calls[1]!, plan.n, index))).toEqual([3, 4, 5]);
  });

  it('indexes by the clamped n where the provider clamps it', () => {
    const plan = planFanOut(provider({ n: { to: 'candidateCount', range: [1, 8] } }), call({ prompt: ['a', 'b'], n: 10 }));
    expect(plan.n).toBe(8);
    expect(mergedIndex(plan.calls[1]!, plan.n, 7)).toBe(15);
  });

  it('keeps a batch together for a provider that takes arrays, emulating only n', () => {
    const plan = planFanOut(provider({ n: 'emulated' }, { arrays: true, tokens: false }), call({ prompt: ['a', 'b'], n: 2 }));
    expect(plan.calls).toHaveLength(2);
    // Call j answers choice index p (one per prompt) → p * n + j.
    expect([0, 1].map((index) => mergedIndex(plan.calls[1]!, plan.n, index))).toEqual([1, 3]);
  });

  it('sends a one-element prompt array as a string to a provider without arrays', () => {
    const plan = planFanOut(provider(emulating), call({ prompt: ['only'] }));
    expect(plan.calls.map((planned) => planned.call.params.prompt)).toEqual(['only']);
  });

  it('refuses token prompts to a text-only provider, naming prompt', () => {
    expect(() => planFanOut(provider(emulating), call({ prompt: [1, 2, 3] }))).toThrow(UnsupportedParameterError);
    try {
      planFanOut(provider(emulating), call({ prompt: [[1], [2]] }));
    } catch (error) {
      expect((error as UnsupportedParameterError).param).toBe('prompt');
      expect((error as Error).message).toContain('only text prompts');
    }
  });

  it('emulates echo by remembering the prompts and not sending echo', () => {
    const plan = planFanOut(provider(emulating), call({ prompt: ['a', 'b'], echo: true }));
    expect(plan.echoPrompts).toEqual(['a', 'b']);
    expect(plan.calls.every((planned) => planned.call.params.echo === undefined)).toBe(true);
  });

  it('drops echo of token prompts (no tokenizer to print them) and refuses it in strict mode', () => {
    const tokens = provider(emulating, { arrays: true, tokens: true });
    const plan = planFanOut(tokens, call({ prompt: [1, 2], echo: true }));
    expect(plan.echoPrompts).toBeUndefined();
    expect(plan.warnings.map((warning) => warning.param)).toEqual(['echo']);
    expect(plan.calls[0]!.call.params.echo).toBeUndefined();
    expect(() => planFanOut(tokens, call({ prompt: [1, 2], echo: true }, true))).toThrow(/echo of token-id prompts/);
  });

  it('drops best_of > n with a warning, and best_of == n silently', () => {
    expect(planFanOut(provider(emulating), call({ prompt: 'a', n: 2, best_of: 3 })).warnings.map((warning) => warning.param)).toEqual(['best_of']);
    const plan = planFanOut(provider(emulating), call({ prompt: 'a', n: 2, best_of: 2 }));
    expect(plan.warnings).toEqual([]);
    expect(plan.calls.every((planned) => planned.call.params.best_of === undefined)).toBe(true);
  });

  it('refuses in strict mode, naming the gateway’s and the table’s parameters together', () => {
    try {
      planFanOut(provider(emulating), call({ prompt: 'a', n: 2, best_of: 3, temperature: 1.5, user: 'u' }, true));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnsupportedParameterError);
      expect((error as UnsupportedParameterError).param).toBe('best_of,temperature,user');
    }
  });

  it('does not refuse emulated n and echo in strict mode', () => {
    expect(planFanOut(provider(emulating), call({ prompt: ['a', 'b'], n: 2, echo: true }, true)).calls).toHaveLength(4);
  });
});
