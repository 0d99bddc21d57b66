import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from './errors.ts';
import { parseCompletionRequest, promptList } from './completion-request.ts';

const base = { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test' };

function rejection(body: unknown): InvalidRequestError {
  try {
    parseCompletionRequest(body);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  throw new Error(`expected ${JSON.stringify(body)} to be rejected`);
}

describe('parseCompletionRequest', () => {
  it('accepts the minimal request and defaults max_tokens to 16', () => {
    expect(parseCompletionRequest(base)).toEqual({ ...base, max_tokens: 16 });
  });

  it('accepts every parameter of the API at once', () => {
    const full = {
      ...base,
      best_of: 3,
      echo: true,
      frequency_penalty: -2,
      logit_bias: { '50256': -100, '15496': 100 },
      logprobs: 5,
      max_tokens: 0,
      n: 2,
      presence_penalty: 2,
      seed: -42,
      stop: ['\n', 'END', 'x', 'y'],
      suffix: ' world',
      temperature: 2,
      top_p: 0,
      user: 'user-1234',
    };
    expect(parseCompletionRequest(full)).toEqual(full);
    expect(parseCompletionRequest({ ...base, stream: true, stream_options: { include_usage: true } })).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('treats null as absent, as OpenAI does', () => {
    expect(parseCompletionRequest({ ...base, temperature: null, max_tokens: null, stop: null })).toEqual({ ...base, max_tokens: 16 });
  });

  it.each([
    ['a string', 'hello'],
    ['an array of strings', ['a', 'b']],
    ['an array of token ids', [1212, 318, 257]],
    ['an array of token-id arrays', [[1212, 318], [257]]],
  ])('accepts prompt as %s', (_name, prompt) => {
    expect(parseCompletionRequest({ ...base, prompt }).prompt).toEqual(prompt);
  });

  it.each([
    ['an empty array', []],
    ['a number', 42],
    ['mixed strings and numbers', ['a', 1]],
    ['negative token ids', [-1]],
    ['fractional token ids', [1.5]],
    ['an empty inner token array', [[]]],
    ['an object', { text: 'x' }],
  ])('rejects prompt as %s, naming prompt', (_name, prompt) => {
    const error = rejection({ ...base, prompt });
    expect(error.statusCode).toBe(400);
    expect(error.type).toBe('invalid_request_error');
    expect(error.param).toMatch(/^prompt/);
  });

  it.each([
    ['model', { prompt: 'x' }],
    ['model', { model: '', prompt: 'x' }],
    ['model', { model: 7, prompt: 'x' }],
    ['prompt', { model: 'm' }],
    ['temperature', { ...base, temperature: 2.01 }],
    ['temperature', { ...base, temperature: -0.1 }],
    ['temperature', { ...base, temperature: '1' }],
    ['top_p', { ...base, top_p: 1.1 }],
    ['top_p', { ...base, top_p: -0.5 }],
    ['frequency_penalty', { ...base, frequency_penalty: 2.5 }],
    ['presence_penalty', { ...base, presence_penalty: -3 }],
    ['logprobs', { ...base, logprobs: 6 }],
    ['logprobs', { ...base, logprobs: -1 }],
    ['logprobs', { ...base, logprobs: 1.5 }],
    ['max_tokens', { ...base, max_tokens: -1 }],
    ['max_tokens', { ...base, max_tokens: 2.5 }],
    ['n', { ...base, n: 0 }],
    ['n', { ...base, n: 129 }],
    ['best_of', { ...base, best_of: 0 }],
    ['best_of', { ...base, best_of: 2, n: 3 }],
    ['best_of', { ...base, best_of: 2, stream: true }],
    ['seed', { ...base, seed: 1.5 }],
    ['stop', { ...base, stop: ['a', 'b', 'c', 'd', 'e'] }],
    ['stop', { ...base, stop: [] }],
    ['stop', { ...base, stop: 5 }],
    ['stop[1]', { ...base, stop: ['a', 3] }],
    ['logit_bias.50256', { ...base, logit_bias: { '50256': 101 } }],
    ['logit_bias.hello', { ...base, logit_bias: { hello: 1 } }],
    ['echo', { ...base, echo: 'yes' }],
    ['stream', { ...base, stream: 'true' }],
    ['stream_options', { ...base, stream_options: { include_usage: true } }],
    ['stream_options.include_usage', { ...base, stream: true, stream_options: { include_usage: 'yes' } }],
    ['suffix', { ...base, suffix: 3 }],
    ['user', { ...base, user: {} }],
  ])('rejects a bad %s with a 400 naming it', (param, body) => {
    const error = rejection(body);
    expect(error.statusCode).toBe(400);
    expect(error.type).toBe('invalid_request_error');
    expect(error.param).toBe(param);
    expect(error.message).toContain(param.split(/[.[]/)[0]);
  });

  it('rejects unknown parameters the way OpenAI does', () => {
    const error = rejection({ ...base, top_k: 5 });
    expect(error.message).toBe('Unrecognized request argument supplied: top_k');
    expect(error.param).toBe('top_k');
  });

  it('rejects a body that is not an object', () => {
    for (const body of [[], 'text', 3, null]) expect(rejection(body).code).toBe('invalid_body');
  });

  it('renders an OpenAI error object', () => {
    expect(rejection({ ...base, temperature: 9 }).toOpenAIError()).toEqual({
      error: { message: expect.stringContaining('temperature'), type: 'invalid_request_error', param: 'temperature', code: null },
    });
  });
});

describe('promptList', () => {
  it('splits prompts the way OpenAI counts completions', () => {
    expect(promptList('a')).toEqual(['a']);
    expect(promptList(['a', 'b'])).toEqual(['a', 'b']);
    expect(promptList([1, 2])).toEqual([[1, 2]]);
    expect(promptList([[1], [2]])).toEqual([[1], [2]]);
  });
});
