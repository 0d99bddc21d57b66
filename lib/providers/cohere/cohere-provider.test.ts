import { describe, expect, it } from 'vitest';
import { parseCompletionRequest } from '../../api/completion-request.ts';
import { UnsupportedParameterError, UpstreamError } from '../../api/errors.ts';
import { playSse, readJsonFixture, readSseFixture, textOf, toSse } from '../../../test/support/provider-fixtures.ts';
import type { ProviderCall } from '../provider.ts';
import { cohereProvider } from './cohere-provider.ts';
import { convertCohereUsage } from './convert-cohere-usage.ts';
import { mapCohereFinishReason } from './map-cohere-finish-reason.ts';
import { buildProviderRequest } from '../complete-with-provider.ts';
import { createStreamTransform } from '../read-upstream-stream.ts';

const fixture = (name: string) => new URL(`./__fixtures__/${name}`, import.meta.url);

function call(body: Record<string, unknown>, overrides: Partial<ProviderCall> = {}): ProviderCall {
  const params = parseCompletionRequest({ model: 'command-a-03-2025', prompt: 'Hello', ...body });
  return { params, target: { provider: 'cohere', api_key: 'co-test' }, stream: params.stream === true, forwardedHeaders: {}, strict: false, ...overrides };
}

describe('cohere buildRequest', () => {
  it('sends the prompt as the user message with Cohere names and ranges', async () => {
    const { request, warnings } = await buildProviderRequest(cohereProvider, 
      call({ max_tokens: 30, temperature: 1.7, top_p: 1, stop: 'END', seed: 9, frequency_penalty: 1.5, presence_penalty: -0.5, logprobs: 1 }),
    );
    expect(request.url).toBe('https://api.cohere.com/v2/chat');
    expect(request.headers.authorization).toBe('Bearer co-test');
    expect(JSON.parse(request.body)).toEqual({
      model: 'command-a-03-2025',
      messages: [{ role: 'user', content: 'Hello' }],
      max_tokens: 30,
      temperature: 1.7,
      p: 0.99,
      stop_sequences: ['END'],
      seed: 9,
      frequency_penalty: 1,
      presence_penalty: 0,
    });
    expect(warnings.map((warning) => `${warning.type}:${warning.param}`).sort()).toEqual([
      'clamped:frequency_penalty',
      'clamped:presence_penalty',
      'clamped:top_p',
      'dropped:logprobs',
    ]);
  });

  it('streams on a custom host, and refuses clamps in strict mode', async () => {
    const { request } = await buildProviderRequest(cohereProvider, call({ stream: true }, { target: { provider: 'cohere', api_key: 'k', custom_host: 'http://127.0.0.1:9/v2' } }));
    expect(request.url).toBe('http://127.0.0.1:9/v2/chat');
    expect(JSON.parse(request.body)).toMatchObject({ stream: true });
    await expect(buildProviderRequest(cohereProvider, call({ top_p: 1 }, { strict: true }))).rejects.toThrow(UnsupportedParameterError);
  });
});

describe('cohere parseResponse', () => {
  it('reads the documented answer with the model token counts', () => {
    const part = cohereProvider.parseResponse(readJsonFixture(fixture('cohere-chat.json')), call({}));
    expect(part).toEqual({
      id: 'c14c80c3-18eb-4519-9460-6c92edd8cfb4',
      choices: [{ index: 0, text: expect.stringMatching(/^LLMs stand for Large Language Models/), logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 71, completion_tokens: 418, total_tokens: 489 },
    });
  });

  it('maps MAX_TOKENS to length and falls back to billed units', () => {
    const part = cohereProvider.parseResponse(readJsonFixture(fixture('cohere-max-tokens.json')), call({}));
    expect(part.choices[0]).toMatchObject({ text: 'The capital', finish_reason: 'length' });
    expect(part.usage).toEqual({ prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 });
  });
});

describe('cohere stream transform', () => {
  it('streams the recorded events as text, then one finish chunk with usage', async () => {
    const parts = await playSse(createStreamTransform(cohereProvider, call({ stream: true })), readSseFixture(fixture('cohere-text.sse.txt')));
    expect(textOf(parts)).toBe('The capital of France is Paris.');
    expect(parts.at(-1)).toEqual({
      id: '321d178c-2c12-44d3-ae42-2f5510f6b1cc',
      choices: [{ index: 0, text: '', logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 507, completion_tokens: 10, total_tokens: 517 },
    });
    expect(parts.filter((part) => part.usage)).toHaveLength(1);
  });

  it('throws when the stream ends before message-end', async () => {
    const cut = readSseFixture(fixture('cohere-text.sse.txt')).split('event: content-end')[0]!;
    await expect(playSse(createStreamTransform(cohereProvider, call({ stream: true })), cut)).rejects.toMatchObject({ code: 'stream_truncated' });
  });

  it('throws when Cohere reports an ERROR finish', async () => {
    const sse = toSse([{ event: 'message-end', data: { type: 'message-end', delta: { finish_reason: 'ERROR' } } }]);
    await expect(playSse(createStreamTransform(cohereProvider, call({ stream: true })), sse)).rejects.toBeInstanceOf(UpstreamError);
  });
});

describe('cohere mappers', () => {
  it('maps finish reasons', () => {
    expect(mapCohereFinishReason('COMPLETE')).toBe('stop');
    expect(mapCohereFinishReason('STOP_SEQUENCE')).toBe('stop');
    expect(mapCohereFinishReason('MAX_TOKENS')).toBe('length');
    expect(mapCohereFinishReason('ERROR_TOXIC')).toBe('content_filter');
    expect(mapCohereFinishReason(undefined)).toBeNull();
    expect(() => mapCohereFinishReason('ERROR')).toThrow(/error during generation/);
  });

  it('prefers model tokens over billed units', () => {
    expect(convertCohereUsage({ tokens: { input_tokens: 3, output_tokens: 4 }, billed_units: { input_tokens: 1, output_tokens: 4 } })).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
    expect(convertCohereUsage(undefined)).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });
});
