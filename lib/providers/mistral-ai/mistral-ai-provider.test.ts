import { describe, expect, it } from 'vitest';
import { parseCompletionRequest } from '../../api/completion-request.ts';
import { UnsupportedParameterError, UpstreamError } from '../../api/errors.ts';
import { playSse, readJsonFixture, readSseFixture, textOf, toSse } from '../../../test/support/provider-fixtures.ts';
import type { ProviderCall } from '../provider.ts';
import { mapMistralAIFinishReason } from './map-mistral-ai-finish-reason.ts';
import { isFimRequest, mistralAIProvider } from './mistral-ai-provider.ts';
import { readMistralAIText } from './read-mistral-ai-text.ts';
import { buildProviderRequest } from '../complete-with-provider.ts';
import { createStreamTransform } from '../read-upstream-stream.ts';

const fixture = (name: string) => new URL(`./__fixtures__/${name}`, import.meta.url);

function call(body: Record<string, unknown>, overrides: Partial<ProviderCall> = {}): ProviderCall {
  const params = parseCompletionRequest({ model: 'mistral-small-latest', prompt: 'Hello', ...body });
  return { params, target: { provider: 'mistral-ai', api_key: 'mistral-test' }, stream: params.stream === true, forwardedHeaders: {}, strict: false, ...overrides };
}

describe('mistral-ai buildRequest', () => {
  it('sends a plain prompt to chat completions as the user turn', async () => {
    const { request, warnings } = await buildProviderRequest(mistralAIProvider, 
      call({ max_tokens: 20, temperature: 1.4, top_p: 0.9, stop: ['\n'], seed: 42, presence_penalty: 0.5, frequency_penalty: 0.1, logprobs: 1, user: 'u' }),
    );
    expect(request.url).toBe('https://api.mistral.ai/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer mistral-test');
    expect(JSON.parse(request.body)).toEqual({
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: 'Hello' }],
      max_tokens: 20,
      temperature: 1,
      top_p: 0.9,
      stop: ['\n'],
      random_seed: 42,
      presence_penalty: 0.5,
      frequency_penalty: 0.1,
    });
    expect(warnings.map((warning) => `${warning.type}:${warning.param}`).sort()).toEqual(['clamped:temperature', 'dropped:logprobs', 'dropped:user']);
  });

  it('sends a suffix to FIM completions with prompt and suffix, dropping penalties', async () => {
    const { request, warnings } = await buildProviderRequest(mistralAIProvider, call({ model: 'codestral-latest', prompt: 'def f(', suffix: 'return x', presence_penalty: 1, stream: true }));
    expect(request.url).toBe('https://api.mistral.ai/v1/fim/completions');
    expect(JSON.parse(request.body)).toEqual({ model: 'codestral-latest', prompt: 'def f(', suffix: 'return x', max_tokens: 16, stream: true });
    expect(warnings.map((warning) => warning.param)).toEqual(['presence_penalty']);
  });

  it('chooses FIM for a suffix or a Codestral model', () => {
    expect(isFimRequest('mistral-large-latest', 'x')).toBe(true);
    expect(isFimRequest('codestral-2405', undefined)).toBe(true);
    expect(isFimRequest('mistralai/Codestral-22B', undefined)).toBe(true);
    expect(isFimRequest('mistral-large-latest', undefined)).toBe(false);
  });

  it('uses a custom host in place of the base URL, and refuses drops in strict mode', async () => {
    const { request } = await buildProviderRequest(mistralAIProvider, call({}, { target: { provider: 'mistral-ai', custom_host: 'http://127.0.0.1:9/v1' } }));
    expect(request.url).toBe('http://127.0.0.1:9/v1/chat/completions');
    expect(request.headers.authorization).toBeUndefined();
    await expect(buildProviderRequest(mistralAIProvider, call({ model: 'codestral-latest', frequency_penalty: 1 }, { strict: true }))).rejects.toThrow(UnsupportedParameterError);
  });
});

describe('mistral-ai parseResponse', () => {
  it('reads the chat answer', () => {
    expect(mistralAIProvider.parseResponse(readJsonFixture(fixture('mistral-chat.json')), call({}))).toEqual({
      id: '5319bd0299614c679a0068a4f2c8ffd0',
      model: 'mistral-small-latest',
      choices: [{ index: 0, text: '**Holiday Name: "World Kindness Day of Sharing"**\n\n**Date:** The third Saturday in October', logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 13, completion_tokens: 434, total_tokens: 447 },
    });
  });

  it('reads the FIM answer', () => {
    const part = mistralAIProvider.parseResponse(readJsonFixture(fixture('mistral-fim.json')), call({ model: 'codestral-2405' }));
    expect(part.choices[0]).toMatchObject({ index: 0, finish_reason: 'stop', text: expect.stringContaining('return fibonacci(n - 1)') });
    expect(part.usage).toEqual({ prompt_tokens: 8, completion_tokens: 91, total_tokens: 99 });
  });

  it('throws for a generation that ended in error', () => {
    const body = { id: 'x', choices: [{ index: 0, message: { content: 'half' }, finish_reason: 'error' }] };
    expect(() => mistralAIProvider.parseResponse(body, call({}))).toThrow(UpstreamError);
  });
});

describe('mistral-ai stream transform', () => {
  it('streams the recorded chunks as text, a finish and usage', async () => {
    const parts = await playSse(createStreamTransform(mistralAIProvider, call({ stream: true })), readSseFixture(fixture('mistral-chat.sse.txt')));
    expect(textOf(parts)).toBe('Hello, world! This is a test response.');
    expect(parts.at(-1)).toEqual({
      id: '5319bd0299614c679a0068a4f2c8ffd0',
      model: 'mistral-small-latest',
      choices: [{ index: 0, text: '', logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 13, completion_tokens: 8, total_tokens: 21 },
    });
    expect(parts.filter((part) => part.usage)).toHaveLength(1);
  });

  it('throws when the stream stops before a finish_reason', async () => {
    const cut = readSseFixture(fixture('mistral-chat.sse.txt')).split('\n\n').slice(0, 4).join('\n\n');
    await expect(playSse(createStreamTransform(mistralAIProvider, call({ stream: true })), cut)).rejects.toMatchObject({ code: 'stream_truncated' });
  });

  it('throws for an error finish or an error object in the stream', async () => {
    const errorFinish = toSse([{ data: { id: 'x', choices: [{ index: 0, delta: { content: 'a' }, finish_reason: 'error' }] } }]);
    await expect(playSse(createStreamTransform(mistralAIProvider, call({ stream: true })), errorFinish)).rejects.toMatchObject({ code: 'generation_error' });
    const errorObject = toSse([{ data: { object: 'error', message: 'Service unavailable', type: 'internal_server_error' } }]);
    await expect(playSse(createStreamTransform(mistralAIProvider, call({ stream: true })), errorObject)).rejects.toThrow(/Service unavailable/);
  });
});

describe('mistral-ai mappers', () => {
  it('maps finish reasons', () => {
    expect(mapMistralAIFinishReason('stop')).toBe('stop');
    expect(mapMistralAIFinishReason('length')).toBe('length');
    expect(mapMistralAIFinishReason('model_length')).toBe('length');
    expect(mapMistralAIFinishReason('tool_calls')).toBe('stop');
    expect(mapMistralAIFinishReason(null)).toBeNull();
    expect(() => mapMistralAIFinishReason('error')).toThrow(UpstreamError);
  });

  it('reads text from a string or from text chunks, leaving thinking out', () => {
    expect(readMistralAIText('plain')).toBe('plain');
    expect(readMistralAIText([{ type: 'thinking' }, { type: 'text', text: 'answer' }])).toBe('answer');
    expect(readMistralAIText(null)).toBe('');
  });
});
