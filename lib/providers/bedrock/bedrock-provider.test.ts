import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCompletionRequest } from '../../api/completion-request.ts';
import { UpstreamError } from '../../api/errors.ts';
import type { AwsStreamEvent, CompletionPart, ProviderCall } from '../provider.ts';
import { EXPECTED_BODIES, EXPECTED_RESPONSES, EXPECTED_STREAM_TEXT, FAMILIES, loadFixture, REQUEST, TOKEN_COUNT_HEADERS } from '../../../test/support/bedrock-fixtures.ts';
import { bedrockProvider } from './bedrock-provider.ts';
import { buildProviderRequest } from '../complete-with-provider.ts';
import { createStreamTransform } from '../read-upstream-stream.ts';
import { readUpstreamErrorFields } from '../read-upstream-error.ts';

const env = { AWS_ACCESS_KEY_ID: 'AKIDUNIT', AWS_SECRET_ACCESS_KEY: 'unit-secret', AWS_REGION: 'us-west-2' };
const saved: Record<string, string | undefined> = {};
beforeEach(() => {
  for (const [name, value] of Object.entries(env)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
  saved.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
  delete process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
});
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function call(model: string, extra: Record<string, unknown> = {}, stream = false): ProviderCall {
  return {
    params: parseCompletionRequest({ model, ...REQUEST, ...extra, ...(stream ? { stream: true } : {}) }),
    target: { provider: 'bedrock' },
    stream,
    forwardedHeaders: {},
    strict: false,
  };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const chunkEvent = (chunk: unknown): AwsStreamEvent => ({ kind: 'aws', messageType: 'event', eventType: 'chunk', payload: json({ bytes: json(chunk).toString('base64') }) });

function streamThrough(model: string, events: AwsStreamEvent[]): CompletionPart[] {
  const transform = createStreamTransform(bedrockProvider, call(model, {}, true));
  return [...events.flatMap((event) => transform.transform(event)), ...transform.flush()];
}

describe.each(FAMILIES)('bedrock %s family', (family) => {
  const fixture = loadFixture(family);

  it('builds the native body at the AWS URL, signed', async () => {
    const { request, warnings } = await buildProviderRequest(bedrockProvider, call(fixture.model));
    expect(JSON.parse(request.body)).toEqual(EXPECTED_BODIES[family]);
    const action = family === 'converse' ? 'converse' : 'invoke';
    expect(request.url).toBe(`https://bedrock-runtime.us-west-2.amazonaws.com/model/${encodeURIComponent(fixture.model)}/${action}`);
    expect(request.headers.authorization).toContain('Credential=AKIDUNIT/');
    expect(request.headers.authorization).toContain('/us-west-2/bedrock/aws4_request');
    expect(warnings).toContainEqual(expect.objectContaining({ type: 'clamped', param: 'temperature' }));
  });

  it('reads the documented response', () => {
    const part = bedrockProvider.parseResponse(fixture.response, call(fixture.model), TOKEN_COUNT_HEADERS);
    const expected = EXPECTED_RESPONSES[family];
    const [prompt, completion] = expected.usage === 'headers' ? [10, 8] : expected.usage;
    expect(part).toEqual({
      choices: [{ index: 0, text: expected.text, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    });
  });

  it('streams the documented chunks into text, a finish reason and the invocation usage', () => {
    const events: AwsStreamEvent[] = fixture.events
      ? fixture.events.map(([eventType, payload]) => ({ kind: 'aws', messageType: 'event', eventType, payload: json(payload) }))
      : fixture.chunks!.map(chunkEvent);
    const parts = streamThrough(fixture.model, events);
    expect(parts.map((part) => part.choices[0]!.text).join('')).toBe(EXPECTED_STREAM_TEXT[family]);
    expect(parts.slice(0, -1).every((part) => part.choices[0]!.finish_reason === null)).toBe(true);
    expect(parts.at(-1)).toEqual({
      choices: [{ index: 0, text: '', logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 },
    });
  });

  it('refuses a stream that ends before the model stopped', () => {
    const events = (fixture.events ?? []).slice(0, 2).map(([eventType, payload]): AwsStreamEvent => ({ kind: 'aws', messageType: 'event', eventType, payload: json(payload) }));
    const chunks = (fixture.chunks ?? []).slice(0, 2).map(chunkEvent);
    expect(() => streamThrough(fixture.model, fixture.events ? events : chunks)).toThrow(/before the model finished/);
  });
});

describe('bedrock errors', () => {
  it('turns an exception frame into an UpstreamError with the fitting status', () => {
    const transform = createStreamTransform(bedrockProvider, call('meta.llama3-8b-instruct-v1:0', {}, true));
    const frame = (type: string): AwsStreamEvent => ({ kind: 'aws', messageType: 'exception', eventType: type, payload: json({ message: 'Too many requests, please wait before trying again.' }) });
    const thrown = (type: string) => {
      try {
        transform.transform(frame(type));
      } catch (error) {
        return error as UpstreamError;
      }
      throw new Error('no error');
    };
    const throttled = thrown('throttlingException');
    expect(throttled).toBeInstanceOf(UpstreamError);
    expect([throttled.statusCode, throttled.isRetryable, throttled.code]).toEqual([429, true, 'throttlingException']);
    expect(throttled.message).toContain('Too many requests');
    expect([thrown('modelStreamErrorException').statusCode, thrown('validationException').statusCode, thrown('serviceUnavailableException').statusCode]).toEqual([502, 400, 503]);
    expect(thrown('internalServerException').isRetryable).toBe(true);
  });

  it('reads an HTTP error body and its x-amzn-errortype', () => {
    const parsed = readUpstreamErrorFields(bedrockProvider.errorFormat, '{"message":"Malformed input request: #: extraneous key [foo] is not permitted"}', {
      'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/',
    });
    expect(parsed).toEqual({ message: 'Malformed input request: #: extraneous key [foo] is not permitted', code: 'ValidationException' });
  });

  it('uses the target credentials and region, the endpoint variable, and the stream paths', async () => {
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = 'http://127.0.0.1:4566/';
    const arn = 'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0';
    const streamed = call(arn, {}, true);
    streamed.target = { provider: 'bedrock', aws_region: 'eu-west-1', aws_access_key_id: 'AKIDHEADER', aws_secret_access_key: 's', aws_session_token: 'tok' };
    const { request } = await buildProviderRequest(bedrockProvider, streamed);
    expect(request.url).toBe(`http://127.0.0.1:4566/model/${encodeURIComponent(arn)}/invoke-with-response-stream`);
    expect(request.url).toContain('arn%3Aaws%3Abedrock%3Aeu-west-1%3A123456789012%3Ainference-profile%2Feu.anthropic');
    expect(request.headers.authorization).toContain('Credential=AKIDHEADER/');
    expect(request.headers.authorization).toContain('/eu-west-1/bedrock/aws4_request');
    expect(request.headers['x-amz-security-token']).toBe('tok');

    const converse = call('ai21.jamba-1-5-mini-v1:0', {}, true);
    expect((await buildProviderRequest(bedrockProvider, converse)).request.url).toMatch(/\/model\/ai21\.jamba-1-5-mini-v1%3A0\/converse-stream$/);
  });

  it('refuses half of a key pair and a missing region with a 400', async () => {
    const halfKey = call('meta.llama3-8b-instruct-v1:0');
    halfKey.target = { provider: 'bedrock', aws_access_key_id: 'AKID' };
    await expect(buildProviderRequest(bedrockProvider, halfKey)).rejects.toMatchObject({ statusCode: 400, code: 'incomplete_aws_credentials' });
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    await expect(buildProviderRequest(bedrockProvider, call('meta.llama3-8b-instruct-v1:0'))).rejects.toMatchObject({ statusCode: 400, code: 'missing_aws_region' });
  });

  it('refuses in strict mode what a family cannot take', async () => {
    const strict = { ...call('meta.llama3-8b-instruct-v1:0', { temperature: 0.5 }), strict: true };
    await expect(buildProviderRequest(bedrockProvider, strict)).rejects.toMatchObject({ statusCode: 400, param: 'stop' });
  });
});
