import { describe, expect, it } from 'vitest';
import { parseCompletionRequest } from '../../api/completion-request.ts';
import { UnsupportedParameterError, UpstreamError } from '../../api/errors.ts';
import { playSse, readJsonFixture, readSseFixture, textOf, toSse } from '../../../test/support/provider-fixtures.ts';
import type { ProviderCall } from '../provider.ts';
import { convertGoogleUsage } from '../gemini-generate-content/convert-google-usage.ts';
import { googleProvider, modelPath } from './google-provider.ts';
import { mapGoogleFinishReason } from '../gemini-generate-content/map-google-finish-reason.ts';
import { buildProviderRequest } from '../complete-with-provider.ts';
import { createStreamTransform } from '../read-upstream-stream.ts';
import { readUpstreamErrorFields } from '../read-upstream-error.ts';

const fixture = (name: string) => new URL(`./__fixtures__/${name}`, import.meta.url);

function call(body: Record<string, unknown>, overrides: Partial<ProviderCall> = {}): ProviderCall {
  const params = parseCompletionRequest({ model: 'gemini-2.0-flash', prompt: 'Hello', ...body });
  return { params, target: { provider: 'google', api_key: 'AIza-test' }, stream: params.stream === true, forwardedHeaders: {}, strict: false, ...overrides };
}

describe('google buildRequest', () => {
  it('puts the prompt in contents and the parameters in generationConfig', async () => {
    const { request, warnings } = await buildProviderRequest(googleProvider, 
      call({ max_tokens: 50, temperature: 1.5, top_p: 0.5, n: 2, stop: ['x', 'y'], presence_penalty: 2, frequency_penalty: -1, seed: 3, logprobs: 2, user: 'u', logit_bias: { '1': 5 } }),
    );
    expect(request.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent');
    expect(request.headers['x-goog-api-key']).toBe('AIza-test');
    expect(request.headers.authorization).toBeUndefined();
    expect(JSON.parse(request.body)).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Hello' }] }],
      generationConfig: {
        maxOutputTokens: 50,
        temperature: 1.5,
        topP: 0.5,
        candidateCount: 2,
        stopSequences: ['x', 'y'],
        presencePenalty: 1.99,
        frequencyPenalty: -1,
        seed: 3,
        logprobs: 2,
        responseLogprobs: true,
      },
    });
    expect(warnings.map((warning) => `${warning.type}:${warning.param}`).sort()).toEqual(['clamped:presence_penalty', 'dropped:logit_bias', 'dropped:user']);
  });

  it('streams through streamGenerateContent?alt=sse on a custom host', async () => {
    const { request } = await buildProviderRequest(googleProvider, call({ stream: true, model: 'models/gemini-1.5-pro' }, { target: { provider: 'google', api_key: 'k', custom_host: 'http://127.0.0.1:9/v1beta' } }));
    expect(request.url).toBe('http://127.0.0.1:9/v1beta/models/gemini-1.5-pro:streamGenerateContent?alt=sse');
    expect(request.headers.accept).toBe('text/event-stream');
  });

  it('names models by their resource path', () => {
    expect(modelPath('gemini-2.0-flash')).toBe('models/gemini-2.0-flash');
    expect(modelPath('models/gemini-2.0-flash')).toBe('models/gemini-2.0-flash');
    expect(modelPath('tunedModels/my-model-1')).toBe('tunedModels/my-model-1');
    expect(modelPath('a b')).toBe('models/a%20b');
  });

  it('refuses in strict mode what it would clamp', async () => {
    await expect(buildProviderRequest(googleProvider, call({ n: 9 }, { strict: true }))).rejects.toThrow(UnsupportedParameterError);
  });
});

describe('google parseResponse', () => {
  it('leaves thoughts out of the text and counts them as completion tokens', () => {
    const part = googleProvider.parseResponse(readJsonFixture(fixture('google-text.json')), call({}));
    expect(part).toEqual({
      id: 'Un6LacrVMcjUxs0PmJfWoQc',
      model: 'gemini-3-pro-preview',
      choices: [{ index: 0, text: "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.", logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 9, completion_tokens: 272, total_tokens: 281 },
    });
  });

  it('maps candidates to choices by index, with OpenAI-shaped logprobs', () => {
    const part = googleProvider.parseResponse(readJsonFixture(fixture('google-candidates-logprobs.json')), call({ n: 2, logprobs: 2 }));
    expect(part.choices).toEqual([
      {
        index: 0,
        text: 'Hi there',
        finish_reason: 'stop',
        logprobs: { tokens: ['Hi', ' there'], token_logprobs: [-0.1, -0.3], top_logprobs: [{ Hi: -0.1, Hello: -2.4 }, { ' there': -0.3 }], text_offset: [0, 2] },
      },
      { index: 1, text: 'Hello', finish_reason: 'length', logprobs: { tokens: ['Hello'], token_logprobs: [-2.4], top_logprobs: [{ Hello: -2.4 }], text_offset: [0] } },
    ]);
  });

  it('reports a blocked prompt as content_filter choices with empty text', () => {
    const part = googleProvider.parseResponse(readJsonFixture(fixture('google-blocked.json')), call({ n: 2 }));
    expect(part.choices).toEqual([
      { index: 0, text: '', logprobs: null, finish_reason: 'content_filter' },
      { index: 1, text: '', logprobs: null, finish_reason: 'content_filter' },
    ]);
    expect(part.usage).toEqual({ prompt_tokens: 9, completion_tokens: 0, total_tokens: 9 });
  });

  it('reads Google error bodies', () => {
    const body = JSON.stringify(readJsonFixture(fixture('google-error-invalid-key.json')));
    expect(readUpstreamErrorFields(googleProvider.errorFormat, body)).toEqual({ message: 'API key not valid. Please pass a valid API key.', code: 'INVALID_ARGUMENT' });
  });
});

describe('google stream transform', () => {
  it('streams the recorded events as text, a finish and one final usage', async () => {
    const parts = await playSse(createStreamTransform(googleProvider, call({ stream: true })), readSseFixture(fixture('google-text.sse.txt')));
    expect(textOf(parts)).toBe('There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
    expect(parts.flatMap((part) => part.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual(['stop']);
    expect(parts.filter((part) => part.usage).map((part) => part.usage)).toEqual([{ prompt_tokens: 9, completion_tokens: 208, total_tokens: 217 }]);
    expect(parts[0]).toMatchObject({ id: 'bH6LaZW8Fp_3nsEPqtaSwQ4', model: 'gemini-3-pro-preview' });
  });

  it('keeps each candidate at its index and continues logprob offsets across events', async () => {
    const event = (index: number, text: string, finishReason?: string) => ({
      candidates: [{ index, content: { parts: [{ text }] }, ...(finishReason ? { finishReason } : {}), logprobsResult: { chosenCandidates: [{ token: text, logProbability: -1 }] } }],
    });
    const sse = toSse([{ data: event(0, 'ab') }, { data: event(1, 'x') }, { data: event(0, 'cd', 'STOP') }, { data: event(1, 'y', 'SAFETY') }]);
    const parts = await playSse(createStreamTransform(googleProvider, call({ stream: true, n: 2, logprobs: 0 })), sse);
    expect(textOf(parts, 0)).toBe('abcd');
    expect(textOf(parts, 1)).toBe('xy');
    expect(parts[2]!.choices[0]).toMatchObject({ index: 0, finish_reason: 'stop', logprobs: { text_offset: [2] } });
    expect(parts[3]!.choices[0]).toMatchObject({ index: 1, finish_reason: 'content_filter' });
  });

  it('throws when a candidate never finishes', async () => {
    const cut = readSseFixture(fixture('google-text.sse.txt')).split('\n\n').slice(0, 3).join('\n\n');
    await expect(playSse(createStreamTransform(googleProvider, call({ stream: true })), cut)).rejects.toMatchObject({ code: 'stream_truncated' });
  });

  it('turns an error object in the stream into an UpstreamError with its status', async () => {
    const sse = toSse([{ data: { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } } }]);
    const error = await playSse(createStreamTransform(googleProvider, call({ stream: true })), sse).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ statusCode: 503, code: 'UNAVAILABLE', isRetryable: true });
  });

  it('ends a blocked prompt with content_filter', async () => {
    const sse = toSse([{ data: readJsonFixture(fixture('google-blocked.json')) }]);
    const parts = await playSse(createStreamTransform(googleProvider, call({ stream: true })), sse);
    expect(parts[0]!.choices).toEqual([{ index: 0, text: '', logprobs: null, finish_reason: 'content_filter' }]);
  });
});

describe('google mappers', () => {
  it('maps finish reasons', () => {
    expect(mapGoogleFinishReason('STOP')).toBe('stop');
    expect(mapGoogleFinishReason('MAX_TOKENS')).toBe('length');
    for (const reason of ['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII']) expect(mapGoogleFinishReason(reason)).toBe('content_filter');
    expect(mapGoogleFinishReason('OTHER')).toBe('stop');
    expect(mapGoogleFinishReason(undefined)).toBeNull();
  });

  it('converts usage, thoughts included', () => {
    expect(convertGoogleUsage({ promptTokenCount: 5, candidatesTokenCount: 7, thoughtsTokenCount: 3 })).toEqual({ prompt_tokens: 5, completion_tokens: 10, total_tokens: 15 });
    expect(convertGoogleUsage(undefined)).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });
});
