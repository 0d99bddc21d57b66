/**
 * SageMaker through the real handler and the openai SDK, against a loopback runtime that
 * re-checks every SigV4 signature (service `sagemaker`): the endpoint path, the container's
 * body per format, the X-Amzn-SageMaker-* headers, answers and PayloadPart streams cut
 * mid-line, ModelError's container status, and no custom host ever signed.
 * Container answers are the fixtures under lib/providers/sagemaker/__fixtures__ (see `source`).
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionResponseSchema } from '../../lib/api/completion-response.ts';
import { verifySigV4, type SignatureCheck } from '../fakes/fake-bedrock.ts';
import { startFakeUpstream, type FakeUpstream, type ReceivedRequest, type Responder } from '../fakes/fake-upstream.ts';
import { startGateway, type RunningGateway } from '../support/start-gateway.ts';

const CREDENTIALS = { accessKeyId: 'AKIDSAGEMAKER0001', secretAccessKey: 'sagemaker/Secret+Key' };
const load = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../lib/providers/sagemaker/__fixtures__/sagemaker-${name}.json`, import.meta.url), 'utf8')) as {
    endpointName: string;
    request?: Record<string, unknown>;
    response: unknown;
    streamLines: string[];
    streamError?: string;
  };
const tgi = load('tgi');
const lmi = load('lmi');
const openai = load('openai');
const errors = JSON.parse(readFileSync(new URL('../../lib/providers/sagemaker/__fixtures__/sagemaker-errors.json', import.meta.url), 'utf8')) as {
  modelError: { status: number; headers: Record<string, string>; body: unknown };
};

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => Buffer.from(text, 'utf8'),
);
const frame = (eventType: string, bytes: string) =>
  codec.encode({ headers: { ':message-type': { type: 'string', value: 'event' }, ':event-type': { type: 'string', value: eventType } }, body: Buffer.from(bytes, 'utf8') });

/** The container's stream as PayloadParts cut every `size` characters, so lines span parts. */
function payloadParts(lines: string[], size: number, separator = '\n'): Responder {
  const text = lines.join(separator) + separator;
  return (_request, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-sagemaker-content-type': 'text/event-stream' });
    for (let start = 0; start < text.length; start += size) response.write(frame('PayloadPart', text.slice(start, start + size)));
    response.end();
  };
}
const jsonAnswer =
  (status: number, body: unknown, headers: Record<string, string> = {}): Responder =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };

let runtime: FakeUpstream;
let gateway: RunningGateway;
const signatures: SignatureCheck[] = [];

beforeAll(async () => {
  runtime = await startFakeUpstream();
  const queue: Responder[] = [];
  runtime.enqueue = (...responders) => queue.push(...responders);
  runtime.fallback = async (request: ReceivedRequest, response, raw) => {
    const signature = await verifySigV4(request, { region: 'eu-west-1', credentials: [CREDENTIALS], service: 'sagemaker' });
    signatures.push(signature);
    if (!signature.valid) return jsonAnswer(403, { message: signature.problem }, { 'x-amzn-errortype': 'InvalidSignatureException' })(request, response, raw);
    return (queue.shift() ?? jsonAnswer(500, { message: 'no answer scripted' }))(request, response, raw);
  };
  for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_DEFAULT_REGION']) delete process.env[name];
  gateway = await startGateway({
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: runtime.url,
  });
});
afterAll(async () => {
  await gateway?.close();
  await runtime?.close();
});

function client(headers: Record<string, string> = {}): OpenAI {
  return new OpenAI({ apiKey: 'unused', baseURL: gateway.baseURL, maxRetries: 0, defaultHeaders: { authorization: null, 'x-portkey-provider': 'sagemaker', ...headers } });
}
const text = async (stream: AsyncIterable<OpenAI.Completion>) => {
  const chunks: OpenAI.Completion[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { text: chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.text)).join(''), chunks };
};

describe('sagemaker', () => {
  it('invokes the endpoint named by the model with the TGI body, signed for sagemaker, fields as headers', async () => {
    runtime.enqueue(jsonAnswer(200, tgi.response));
    const data = await client({ 'x-portkey-amzn-sagemaker-target-variant': 'blue', 'x-portkey-amzn-sagemaker-custom-attributes': 'tenant=42' }).completions.create({
      model: tgi.endpointName,
      prompt: 'The capital of France is',
      max_tokens: 5,
      stop: '\n',
    });
    const sent = runtime.received.at(-1)!;
    expect(sent.path).toBe(`/endpoints/${tgi.endpointName}/invocations`);
    expect(signatures.at(-1)).toMatchObject({ valid: true, scope: expect.stringMatching(/\/eu-west-1\/sagemaker\/aws4_request$/) });
    expect(sent.headers['x-amzn-sagemaker-target-variant']).toBe('blue');
    expect(sent.headers['x-amzn-sagemaker-custom-attributes']).toBe('tenant=42');
    expect(sent.headers.accept).toBe('application/json');
    expect(sent.body).toEqual(tgi.request);
    expect(completionResponseSchema.parse(data).choices).toEqual([{ index: 0, text: ' Paris. It is', logprobs: null, finish_reason: 'length' }]);
  });

  it('streams TGI’s SSE from PayloadParts cut mid-line, skipping the special token', async () => {
    runtime.enqueue(payloadParts(tgi.streamLines, 7));
    const { text: streamed, chunks } = await text(await client().completions.create({ model: tgi.endpointName, prompt: 'The capital of France is', max_tokens: 5, stream: true }));
    const sent = runtime.received.at(-1)!;
    expect(sent.path).toBe(`/endpoints/${tgi.endpointName}/invocations-response-stream`);
    expect(sent.headers['x-amzn-sagemaker-accept']).toBe('text/event-stream');
    expect(sent.body).toMatchObject({ inputs: 'The capital of France is', stream: true });
    expect(streamed).toBe(' Paris.');
    expect(chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.finish_reason)).at(-1)).toBe('stop');
  });

  it('speaks LMI by the container field, with its JSON-lines stream', async () => {
    runtime.enqueue(payloadParts(lmi.streamLines, 11));
    const { text: streamed } = await text(
      await client({ 'x-portkey-sagemaker-container': 'lmi' }).completions.create({ model: lmi.endpointName, prompt: 'What is Deep Learning?', max_tokens: 256, temperature: 0.7, stream: true }),
    );
    const sent = runtime.received.at(-1)!;
    expect(sent.headers['x-amzn-sagemaker-accept']).toBe('application/jsonlines');
    expect(sent.body).toEqual({ inputs: 'What is Deep Learning?', parameters: { max_new_tokens: 256, temperature: 0.7, do_sample: true, details: true, return_full_text: false }, stream: true });
    expect(streamed).toBe('Deep  Learning is field.');
  });

  it('sends the model to an OpenAI-style container when the endpoint is a field, and keeps its usage', async () => {
    runtime.enqueue(jsonAnswer(200, openai.response), payloadParts(openai.streamLines, 13));
    const headers = { 'x-portkey-sagemaker-container': 'openai', 'x-portkey-sagemaker-endpoint-name': openai.endpointName };
    const data = await client(headers).completions.create({ model: 'Qwen/Qwen2.5-Coder-7B', prompt: 'The capital of France is', max_tokens: 3, logprobs: 1 });
    expect(runtime.received.at(-1)!.path).toBe(`/endpoints/${openai.endpointName}/invocations`);
    expect(runtime.received.at(-1)!.body).toEqual({ model: 'Qwen/Qwen2.5-Coder-7B', prompt: 'The capital of France is', max_tokens: 3, logprobs: 1 });
    expect(data.usage).toEqual({ prompt_tokens: 6, completion_tokens: 3, total_tokens: 9 });
    const { text: streamed, chunks } = await text(
      await client(headers).completions.create({ model: 'Qwen/Qwen2.5-Coder-7B', prompt: 'x', stream: true, stream_options: { include_usage: true } }),
    );
    expect(streamed).toBe(' Paris.');
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 6, completion_tokens: 2, total_tokens: 8 });
  });

  it('answers a ModelError with the container’s own status and message', async () => {
    runtime.enqueue(jsonAnswer(errors.modelError.status, errors.modelError.body, errors.modelError.headers));
    const error = (await client().completions.create({ model: tgi.endpointName, prompt: 'p', top_p: 0.5 }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(422);
    expect(error.error).toMatchObject({ code: 'CLIENT_ERROR_FROM_MODEL', provider: 'sagemaker' });
    expect((error.error as { message: string }).message).toContain('`top_p` must be > 0.0 and < 1.0');
  });

  it('ends a stream with an error for a ModelStreamError event, and for a stream without a finish', async () => {
    runtime.enqueue((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      response.write(frame('PayloadPart', `${tgi.streamLines[0]}\n\n`));
      response.end(frame('ModelStreamError', JSON.stringify({ Message: 'Model container stopped streaming', ErrorCode: 'ModelStreamError' })));
    });
    await expect(text(await client().completions.create({ model: tgi.endpointName, prompt: 'p', stream: true }))).rejects.toThrow(/Model container stopped streaming/);
    runtime.enqueue(payloadParts(tgi.streamLines.slice(0, 2), 5));
    await expect(text(await client().completions.create({ model: tgi.endpointName, prompt: 'p', stream: true }))).rejects.toBeInstanceOf(OpenAI.APIError);
  });

  it('refuses a custom host, a bad endpoint name, region or container before signing anything', async () => {
    const before = runtime.received.length;
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ 'x-portkey-custom-host': `${runtime.url}/` }, tgi.endpointName, 'x-portkey-custom-host'],
      [{}, 'evil.example.com/x', 'model'],
      // The engine's field table names the field by its header, as for every provider.
      [{ 'x-portkey-aws-region': 'evil.com#' }, tgi.endpointName, 'x-portkey-aws-region'],
      [{ 'x-portkey-sagemaker-container': 'triton' }, tgi.endpointName, 'x-portkey-sagemaker-container'],
      [{ 'x-portkey-amzn-sagemaker-target-model': 'a.tar.gz' }, tgi.endpointName, 'amzn_sagemaker_target_model'],
    ];
    for (const [headers, model, param] of cases) {
      const error = (await client(headers)
        .completions.create({ model, prompt: 'p', stream: param === 'amzn_sagemaker_target_model' })
        .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
      expect(error, param).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.error, param).toMatchObject({ param });
    }
    expect(runtime.received.length).toBe(before);
  });
});
