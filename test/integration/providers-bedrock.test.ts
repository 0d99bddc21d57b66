/**
 * The openai SDK → the real handler behind the local server → a loopback Bedrock that checks
 * every SigV4 signature. No key in the request: credentials, region and endpoint come from the
 * AWS environment variables (or the x-portkey-aws-* headers), as they would on Lambda.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionResponseSchema } from '../../lib/api/completion-response.ts';
import {
  EXPECTED_BODIES,
  EXPECTED_RESPONSES,
  EXPECTED_STREAM_TEXT,
  FAMILIES,
  loadFixture,
  REQUEST,
  TOKEN_COUNT_HEADERS,
  type BedrockFixture,
} from '../support/bedrock-fixtures.ts';
import { awsError, bedrockJson, chunkFrame, converseFrame, eventStream, exceptionFrame, startFakeBedrock, type FakeBedrock, type Frame } from '../fakes/fake-bedrock.ts';
import { startGateway, type RunningGateway } from '../support/start-gateway.ts';

const ENV_CREDENTIALS = { accessKeyId: 'AKIDENVIRONMENT01', secretAccessKey: 'env/Secret+Key/EXAMPLE' };
const HEADER_CREDENTIALS = { accessKeyId: 'AKIDHEADERS000001', secretAccessKey: 'header/Secret+Key', sessionToken: 'FwoGZXIvYXdzEHeaderToken' };

function frames(fixture: BedrockFixture): Frame[] {
  return fixture.events ? fixture.events.map(([type, payload]) => converseFrame(type, payload)) : fixture.chunks!.map(chunkFrame);
}

describe('bedrock through the local gateway with the openai SDK', () => {
  let bedrock: FakeBedrock;
  let gateway: RunningGateway;
  let client: OpenAI;

  beforeAll(async () => {
    bedrock = await startFakeBedrock({ region: 'us-east-1', credentials: [ENV_CREDENTIALS, HEADER_CREDENTIALS] });
    for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_DEFAULT_REGION']) delete process.env[name];
    gateway = await startGateway({
      AWS_ACCESS_KEY_ID: ENV_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ENV_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
    });
    // No key: the SDK insists on one, so it is removed from every request.
    client = new OpenAI({ apiKey: 'unused', baseURL: gateway.baseURL, maxRetries: 0, defaultHeaders: { authorization: null, 'x-portkey-provider': 'bedrock' } });
  });
  afterAll(async () => {
    await gateway?.close();
    await bedrock?.close();
  });

  describe.each(FAMILIES)('%s', (family) => {
    const fixture = loadFixture(family);
    const invoke = family === 'converse' ? 'converse' : 'invoke';

    it('completes through a signed call to its native API', async () => {
      const usageHeaders = EXPECTED_RESPONSES[family].usage === 'headers' ? TOKEN_COUNT_HEADERS : {};
      bedrock.enqueue(bedrockJson(fixture.response, usageHeaders));
      const { data, response } = await client.completions.create({ model: fixture.model, ...REQUEST }).withResponse();

      const expected = EXPECTED_RESPONSES[family];
      const [prompt, completion] = expected.usage === 'headers' ? [10, 8] : expected.usage;
      expect(completionResponseSchema.parse(data)).toMatchObject({
        model: fixture.model,
        choices: [{ index: 0, text: expected.text, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
      });
      expect(response.headers.get('x-portkey-provider')).toBe('bedrock');
      const sent = bedrock.calls.at(-1)!;
      expect(sent.signature).toMatchObject({ valid: true, accessKeyId: ENV_CREDENTIALS.accessKeyId, scope: expect.stringMatching(/^\d{8}\/us-east-1\/bedrock\/aws4_request$/) });
      expect(sent.signature.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'content-type']));
      expect(sent.path).toBe(`/model/${encodeURIComponent(fixture.model)}/${invoke}`);
      expect([sent.modelId, sent.action]).toEqual([fixture.model, invoke]);
      expect(sent.body).toEqual(EXPECTED_BODIES[family]);
    });

    it('streams the decoded event stream as OpenAI chunks, usage from the invocation metrics', async () => {
      bedrock.enqueue(eventStream(frames(fixture)));
      const stream = await client.completions.create({ model: fixture.model, ...REQUEST, stream: true, stream_options: { include_usage: true } });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);

      expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.text)).join('')).toBe(EXPECTED_STREAM_TEXT[family]);
      expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual(['length']);
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 } });
      const sent = bedrock.calls.at(-1)!;
      expect(sent.signature.valid).toBe(true);
      expect(sent.action).toBe(family === 'converse' ? 'converse-stream' : 'invoke-with-response-stream');
      expect(sent.body).toEqual(EXPECTED_BODIES[family]);
    });
  });

  it('passes frames on as they arrive, not at the end', async () => {
    const fixture = loadFixture('meta');
    bedrock.enqueue(eventStream(frames(fixture), { delayMs: 200 }));
    const stream = await client.completions.create({ model: fixture.model, prompt: 'Hi', stream: true });
    const arrivals: number[] = [];
    for await (const chunk of stream) if (chunk.choices[0]?.text) arrivals.push(Date.now());
    expect(arrivals.length).toBe(2);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(100);
  });

  it('ends a stream broken by an exception frame with an in-band error the SDK throws', async () => {
    const fixture = loadFixture('anthropic');
    bedrock.enqueue(eventStream([...frames(fixture).slice(0, 3), exceptionFrame('modelStreamErrorException', 'Model stream error: the model produced invalid output.')]));
    const stream = await client.completions.create({ model: fixture.model, prompt: 'Hi', stream: true });
    const texts: string[] = [];
    const consume = async () => {
      for await (const chunk of stream) texts.push(chunk.choices[0]?.text ?? '');
    };
    await expect(consume()).rejects.toThrow(/modelStreamErrorException/);
    expect(texts.join('')).toBe('Hello');
  });

  it('retries a throttled call and a stream throttled before its first event', async () => {
    const fixture = loadFixture('titan');
    bedrock.enqueue(awsError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.'), bedrockJson(fixture.response));
    const before = bedrock.calls.length;
    const config = JSON.stringify({ retry: { attempts: 2 } });
    const { data, response } = await client.completions.create({ model: fixture.model, prompt: 'Hi' }, { headers: { 'x-portkey-config': config } }).withResponse();
    expect(data.choices[0]!.text).toBe(EXPECTED_RESPONSES.titan.text);
    expect(bedrock.calls.length - before).toBe(2);
    expect(response.headers.get('x-portkey-retry-attempt-count')).toBe('1');

    bedrock.enqueue(eventStream([exceptionFrame('throttlingException', 'Too many requests, please wait before trying again.')]), eventStream(frames(fixture)));
    const stream = await client.completions.create({ model: fixture.model, prompt: 'Hi', stream: true }, { headers: { 'x-portkey-config': config } });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(EXPECTED_STREAM_TEXT.titan);
    expect(bedrock.calls.length - before).toBe(4);
  });

  it('answers a throttled call without a retry config with 429 and the AWS error type', async () => {
    bedrock.enqueue(awsError(429, 'ThrottlingException', 'Too many requests, please wait before trying again.'));
    const error = await client.completions.create({ model: 'meta.llama3-8b-instruct-v1:0', prompt: 'Hi' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ code: 'ThrottlingException', provider: 'bedrock', message: expect.stringContaining('Too many requests') });
  });

  it('takes an inference-profile ARN as the model id and credentials from the x-portkey-aws-* headers', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0';
    bedrock.enqueue(bedrockJson(loadFixture('anthropic').response));
    const data = await client.completions.create({ model: arn, ...REQUEST }, {
      headers: {
        'x-portkey-aws-access-key-id': HEADER_CREDENTIALS.accessKeyId,
        'x-portkey-aws-secret-access-key': HEADER_CREDENTIALS.secretAccessKey,
        'x-portkey-aws-session-token': HEADER_CREDENTIALS.sessionToken,
        'x-portkey-aws-region': 'us-east-1',
      },
    });
    expect(data.choices[0]!.text).toBe(EXPECTED_RESPONSES.anthropic.text);
    const sent = bedrock.calls.at(-1)!;
    expect(sent.path).toBe('/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-5-haiku-20241022-v1%3A0/invoke');
    expect(sent.modelId).toBe(arn);
    expect(sent.signature).toMatchObject({ valid: true, accessKeyId: HEADER_CREDENTIALS.accessKeyId });
    expect(sent.headers['x-amz-security-token']).toBe(HEADER_CREDENTIALS.sessionToken);
    expect(sent.body).toEqual(EXPECTED_BODIES.anthropic);
  });

  it('fans a prompt array with n out into one signed call per completion (Bedrock takes one prompt, one answer)', async () => {
    const answer = (text: string) => bedrockJson({ generation: text, prompt_token_count: 3, generation_token_count: 1, stop_reason: 'stop' });
    bedrock.enqueue(answer('x'), answer('x'), answer('x'), answer('x'));
    const before = bedrock.calls.length;
    const data = await client.completions.create({ model: 'meta.llama3-8b-instruct-v1:0', prompt: ['one', 'two'], n: 2, max_tokens: 1 });
    const calls = bedrock.calls.slice(before);
    expect(calls.map((call) => (call.body as { prompt: string }).prompt).sort()).toEqual(['one', 'one', 'two', 'two']);
    expect(calls.every((call) => call.signature.valid)).toBe(true);
    expect(data.choices.map((choice) => choice.index)).toEqual([0, 1, 2, 3]);
    expect(data.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 4 });
  });

  it('never passes a request that does not verify: wrong secret → 403 from Bedrock, secret not echoed', async () => {
    const error = await client.completions
      .create({ model: 'meta.llama3-8b-instruct-v1:0', prompt: 'Hi' }, {
        headers: { 'x-portkey-aws-access-key-id': HEADER_CREDENTIALS.accessKeyId, 'x-portkey-aws-secret-access-key': 'not-the-secret' },
      })
      .catch((caught: unknown) => caught);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(403);
    expect(JSON.stringify((error as InstanceType<typeof OpenAI.APIError>).error)).not.toContain('not-the-secret');
    expect(bedrock.calls.at(-1)!.signature.valid).toBe(false);
  });
});
