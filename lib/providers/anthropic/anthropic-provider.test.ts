import { describe, expect, it } from 'vitest';
import { parseCompletionRequest } from '../../api/completion-request.ts';
import { UnsupportedParameterError, UpstreamError } from '../../api/errors.ts';
import { playSse, readJsonFixture, readSseFixture, textOf } from '../../../test/support/provider-fixtures.ts';
import type { ProviderCall } from '../provider.ts';
import { anthropicProvider } from './anthropic-provider.ts';
import { convertAnthropicUsage } from '../anthropic-messages/convert-anthropic-usage.ts';
import { mapAnthropicFinishReason } from '../anthropic-messages/map-anthropic-finish-reason.ts';
import { buildProviderRequest } from '../complete-with-provider.ts';
import { createStreamTransform } from '../read-upstream-stream.ts';
import { readUpstreamErrorFields } from '../read-upstream-error.ts';

const fixture = (name: string) => new URL(`./__fixtures__/${name}`, import.meta.url);

function call(body: Record<string, unknown>, overrides: Partial<ProviderCall> = {}): ProviderCall {
  const params = parseCompletionRequest({ model: 'claude-opus-4-20250514', prompt: 'Hello', ...body });
  return { params, target: { provider: 'anthropic', api_key: 'sk-ant-test' }, stream: params.stream === true, forwardedHeaders: {}, strict: false, ...overrides };
}

describe('anthropic buildRequest', () => {
  it('sends the prompt as one user turn with the mapped parameters, key and version', async () => {
    const { request, warnings } = await buildProviderRequest(anthropicProvider, 
      call({ max_tokens: 256, temperature: 1.5, top_p: 0.9, stop: 'END', user: 'user-42', presence_penalty: 0.5, seed: 7, suffix: 'x' }),
    );
    expect(request.url).toBe('https://api.anthropic.com/v1/messages');
    expect(request.headers).toMatchObject({ 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' });
    expect(request.headers['anthropic-beta']).toBeUndefined();
    expect(JSON.parse(request.body)).toEqual({
      model: 'claude-opus-4-20250514',
      messages: [{ role: 'user', content: 'Hello' }],
      max_tokens: 256,
      temperature: 1,
      top_p: 0.9,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-42' },
    });
    expect(warnings.map((warning) => `${warning.type}:${warning.param}`).sort()).toEqual(['clamped:temperature', 'dropped:presence_penalty', 'dropped:seed', 'dropped:suffix']);
  });

  it('always sends max_tokens (OpenAI default 16) and streams when asked', async () => {
    const { request } = await buildProviderRequest(anthropicProvider, call({ stream: true }));
    expect(JSON.parse(request.body)).toEqual({ model: 'claude-opus-4-20250514', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 16, stream: true });
    expect(request.headers.accept).toBe('text/event-stream');
  });

  it('honours the version and beta overrides and a custom host', async () => {
    const { request } = await buildProviderRequest(anthropicProvider, 
      call({}, { target: { provider: 'anthropic', api_key: 'k', anthropic_version: '2024-01-01', anthropic_beta: 'beta-1', custom_host: 'http://127.0.0.1:9/v1/' } }),
    );
    expect(request.url).toBe('http://127.0.0.1:9/v1/messages');
    expect(request.headers).toMatchObject({ 'anthropic-version': '2024-01-01', 'anthropic-beta': 'beta-1' });
  });

  it('refuses what it would drop in strict mode, and token prompts always', async () => {
    await expect(buildProviderRequest(anthropicProvider, call({ logprobs: 2 }, { strict: true }))).rejects.toThrow(UnsupportedParameterError);
    await expect(buildProviderRequest(anthropicProvider, call({ prompt: [1, 2, 3] }))).rejects.toThrow(/token-id prompts/);
  });
});

describe('anthropic parseResponse', () => {
  it('turns the documented message into one choice with usage', () => {
    const part = anthropicProvider.parseResponse(readJsonFixture(fixture('anthropic-message.json')), call({}));
    expect(part).toEqual({
      id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      model: 'claude-3-7-sonnet-20250219',
      choices: [{ index: 0, text: 'Hi! My name is Claude.', logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 2095, completion_tokens: 503, total_tokens: 2598 },
    });
  });

  it('maps a refusal to content_filter with empty text', () => {
    const part = anthropicProvider.parseResponse(readJsonFixture(fixture('anthropic-refusal.json')), call({}));
    expect(part.choices).toEqual([{ index: 0, text: '', logprobs: null, finish_reason: 'content_filter' }]);
    expect(part.usage).toEqual({ prompt_tokens: 18, completion_tokens: 5, total_tokens: 23 });
  });

  it('rejects a body without content as a 502', () => {
    expect(() => anthropicProvider.parseResponse({ id: 'x' }, call({}))).toThrow(UpstreamError);
  });

  it('reads Anthropic error bodies', () => {
    const body = JSON.stringify(readJsonFixture(fixture('anthropic-error-overloaded.json')));
    expect(readUpstreamErrorFields(anthropicProvider.errorFormat, body)).toEqual({ message: 'Overloaded', code: 'overloaded_error' });
    expect(readUpstreamErrorFields(anthropicProvider.errorFormat, '<html>bad gateway</html>').message).toBe('<html>bad gateway</html>');
  });
});

describe('anthropic stream transform', () => {
  it('turns the documented stream into text, a finish chunk and usage', async () => {
    const parts = await playSse(createStreamTransform(anthropicProvider, call({ stream: true })), readSseFixture(fixture('anthropic-text.sse.txt')));
    expect(textOf(parts)).toBe('Hello!');
    expect(parts[0]).toMatchObject({ id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY', model: 'claude-opus-4-20250514' });
    expect(parts.flatMap((part) => part.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual(['stop']);
    expect(parts.filter((part) => part.usage).map((part) => part.usage)).toEqual([{ prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 }]);
  });

  it('throws a retryable 503 for an overloaded_error event', async () => {
    const error = await playSse(createStreamTransform(anthropicProvider, call({ stream: true })), readSseFixture(fixture('anthropic-error.sse.txt'))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ statusCode: 503, code: 'overloaded_error', isRetryable: true, message: expect.stringContaining('Overloaded') });
  });

  it('throws when the stream ends before message_stop', async () => {
    const truncated = readSseFixture(fixture('anthropic-text.sse.txt')).split('event: message_delta')[0]!;
    await expect(playSse(createStreamTransform(anthropicProvider, call({ stream: true })), truncated)).rejects.toMatchObject({ code: 'stream_truncated', statusCode: 502 });
  });

  it('rejects an event that is not JSON', async () => {
    await expect(playSse(createStreamTransform(anthropicProvider, call({ stream: true })), 'event: message_start\ndata: {oops\n\n')).rejects.toMatchObject({ code: 'malformed_upstream_response' });
  });
});

describe('anthropic mappers', () => {
  it('maps every documented stop reason', () => {
    expect(mapAnthropicFinishReason('end_turn')).toBe('stop');
    expect(mapAnthropicFinishReason('stop_sequence')).toBe('stop');
    expect(mapAnthropicFinishReason('max_tokens')).toBe('length');
    expect(mapAnthropicFinishReason('model_context_window_exceeded')).toBe('length');
    expect(mapAnthropicFinishReason('refusal')).toBe('content_filter');
    expect(mapAnthropicFinishReason(null)).toBeNull();
  });

  it('counts cached prompt tokens as prompt tokens', () => {
    expect(convertAnthropicUsage({ input_tokens: 10, cache_read_input_tokens: 90, cache_creation_input_tokens: 5, output_tokens: 3 })).toEqual({
      prompt_tokens: 105,
      completion_tokens: 3,
      total_tokens: 108,
    });
  });
});
