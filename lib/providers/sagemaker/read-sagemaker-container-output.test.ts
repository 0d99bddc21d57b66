import { EventStreamCodec } from '@smithy/eventstream-codec';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../api/errors.ts';
import { decodeAwsEventStream } from '../../upstream/decode-aws-event-stream.ts';
import type { SageMakerContainer } from './build-sagemaker-container-body.ts';
import { mapSageMakerError } from './map-sagemaker-error.ts';
import { readSageMakerResponse, readSageMakerStreamLine } from './read-sagemaker-container-output.ts';
import { createPayloadLineReader } from './read-sagemaker-payload-parts.ts';
import errorsFixture from './__fixtures__/sagemaker-errors.json' with { type: 'json' };
import lmiFixture from './__fixtures__/sagemaker-lmi.json' with { type: 'json' };
import openaiFixture from './__fixtures__/sagemaker-openai.json' with { type: 'json' };
import tgiFixture from './__fixtures__/sagemaker-tgi.json' with { type: 'json' };

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => Buffer.from(text, 'utf8'),
);

/** One event-stream frame as SageMaker sends it: `PayloadPart` with the container's raw bytes as its payload. */
function payloadPart(bytes: Uint8Array): Uint8Array {
  return codec.encode({
    headers: { ':message-type': { type: 'string', value: 'event' }, ':event-type': { type: 'string', value: 'PayloadPart' } },
    body: bytes,
  });
}

function exception(type: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'exception' },
      ':exception-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: Buffer.from(JSON.stringify(payload)),
  });
}

/**
 * The container's stream text cut into PayloadParts of `partBytes` bytes (cuts fall inside
 * lines and inside UTF-8 characters), the frames then cut into network chunks of 7 bytes.
 */
async function* sagemakerStream(text: string, partBytes: number, trailer: Uint8Array[] = []): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  const frames: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += partBytes) frames.push(payloadPart(bytes.subarray(offset, offset + partBytes)));
  const wire = Buffer.concat([...frames, ...trailer]);
  for (let offset = 0; offset < wire.length; offset += 7) yield wire.subarray(offset, offset + 7);
}

/** Decodes a stream the way the engine will: frames → lines → parts; returns text, finish reason and token count. */
async function collect(container: SageMakerContainer, wire: AsyncIterable<Uint8Array>) {
  const reader = createPayloadLineReader();
  let text = '';
  let finishReason: string | null = null;
  let generatedTokens: number | undefined;
  let usage: unknown;
  let done = false;
  const take = (line: string) => {
    const output = readSageMakerStreamLine(container, line);
    if (output === 'done') return void (done = true);
    if (output === null) return;
    for (const choice of output.part.choices) {
      text += choice.text;
      finishReason = choice.finish_reason ?? finishReason;
    }
    generatedTokens = output.generatedTokens ?? generatedTokens;
    usage = output.part.usage ?? usage;
  };
  for await (const event of decodeAwsEventStream(wire)) for (const line of reader.push(event)) take(line);
  for (const line of reader.end()) take(line);
  return { text, finishReason, generatedTokens, usage, done };
}

describe('whole answers', () => {
  it('reads TGI’s list answer with its finish reason and generated token count', () => {
    expect(readSageMakerResponse('tgi', tgiFixture.response)).toEqual({
      part: { choices: [{ index: 0, text: ' Paris. It is', logprobs: null, finish_reason: 'length' }] },
      generatedTokens: 5,
    });
  });

  it('reads LMI’s object answer', () => {
    expect(readSageMakerResponse('lmi', lmiFixture.response)).toEqual({
      part: { choices: [{ index: 0, text: 'Deep Learning is a really cool field', logprobs: null, finish_reason: 'length' }] },
      generatedTokens: 8,
    });
  });

  it('reads an OpenAI-style answer with its usage', () => {
    const { part } = readSageMakerResponse('openai', openaiFixture.response);
    expect(part.choices).toEqual([{ index: 0, text: ' Paris.', logprobs: null, finish_reason: 'stop' }]);
    expect(part.usage).toEqual({ prompt_tokens: 6, completion_tokens: 3, total_tokens: 9 });
    expect(part.id).toBe('cmpl-3f1b2c9e8d7a4b6c');
  });

  it('refuses a shape the container never sends', () => {
    expect(() => readSageMakerResponse('tgi', { outputs: ['x'] })).toThrow(UpstreamError);
    expect(() => readSageMakerResponse('openai', [{ generated_text: 'x' }])).toThrow(UpstreamError);
  });

  it('treats LMI’s finish_reason "error" as a failed generation', () => {
    expect(() => readSageMakerResponse('lmi', { generated_text: '', details: { finish_reason: 'error' } })).toThrow('error during generation');
  });
});

describe('streams through InvokeEndpointWithResponseStream', () => {
  it.each([1, 5, 64, 4096])('joins TGI SSE cut into %i-byte payload parts, skipping the special end token', async (partBytes) => {
    const result = await collect('tgi', sagemakerStream(tgiFixture.streamLines.join('\n') + '\n', partBytes));
    expect(result).toMatchObject({ text: ' Paris.', finishReason: 'stop', generatedTokens: 3 });
  });

  it.each([3, 4096])('joins LMI JSON lines cut into %i-byte parts', async (partBytes) => {
    const result = await collect('lmi', sagemakerStream(lmiFixture.streamLines.join('\n') + '\n', partBytes));
    expect(result).toMatchObject({ text: 'Deep  Learning is field.', finishReason: 'length', generatedTokens: 100 });
  });

  it('reads a last line that has no newline', async () => {
    const result = await collect('lmi', sagemakerStream(lmiFixture.streamLines.join('\n'), 11));
    expect(result.finishReason).toBe('length');
  });

  it('keeps a multi-byte character cut between two parts whole', async () => {
    const line = JSON.stringify({ token: { id: 1, text: ' Zürich 東京 🗼', log_prob: -1 }, generated_text: 'x', details: { finish_reason: 'eos_token', generated_tokens: 1 } });
    for (const partBytes of [1, 2, 3]) {
      expect((await collect('lmi', sagemakerStream(`${line}\n`, partBytes))).text).toBe(' Zürich 東京 🗼');
    }
  });

  it('reads an OpenAI-style stream to [DONE] with usage on its last chunk', async () => {
    const result = await collect('openai', sagemakerStream(openaiFixture.streamLines.join('\n') + '\n', 9));
    expect(result).toMatchObject({ text: ' Paris.', finishReason: 'stop', done: true, usage: { prompt_tokens: 6, completion_tokens: 2, total_tokens: 8 } });
  });

  it('fails on TGI’s in-band error line instead of ending cleanly', async () => {
    const text = `${tgiFixture.streamLines[0]}\n\n${tgiFixture.streamError}\n\n`;
    await expect(collect('tgi', sagemakerStream(text, 10))).rejects.toMatchObject({ statusCode: 502, code: 'generation', provider: 'sagemaker' });
  });

  it('fails on LMI’s error line', async () => {
    const text = `${lmiFixture.streamLines[0]}\n${lmiFixture.streamError}\n`;
    await expect(collect('lmi', sagemakerStream(text, 10))).rejects.toThrow('error during generation');
  });

  it('fails on a ModelStreamError event after some text', async () => {
    const { modelStreamError } = errorsFixture;
    const wire = sagemakerStream(`${tgiFixture.streamLines[0]}\n\n`, 16, [exception(modelStreamError.eventType, modelStreamError.payload)]);
    await expect(collect('tgi', wire)).rejects.toMatchObject({
      statusCode: 502,
      code: 'ModelStreamError',
      message: expect.stringContaining('Model container stopped streaming'),
    });
  });

  it('fails with a retryable 503 on InternalStreamFailure', async () => {
    const wire = sagemakerStream('', 1, [exception('InternalStreamFailure', { Message: 'internal' })]);
    const error = await collect('tgi', wire).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).statusCode).toBe(503);
    expect((error as UpstreamError).isRetryable).toBe(true);
  });

  it('refuses a stream line that is not JSON', () => {
    expect(() => readSageMakerStreamLine('tgi', 'data:{not json')).toThrow('not JSON');
  });
});

describe('mapSageMakerError', () => {
  it('gives the caller the container’s own 4xx and message from a ModelError', () => {
    const { status, headers, body } = errorsFixture.modelError;
    const error = mapSageMakerError(status, headers, JSON.stringify(body));
    expect(error.statusCode).toBe(422);
    expect(error.code).toBe('CLIENT_ERROR_FROM_MODEL');
    expect(error.message).toBe('sagemaker ModelError: Input validation error: `top_p` must be > 0.0 and < 1.0');
    expect(error.isRetryable).toBe(false);
  });

  it('makes a container 5xx a broken upstream (502, retryable)', () => {
    const error = mapSageMakerError(424, {}, JSON.stringify({ ErrorCode: 'SERVER_ERROR_FROM_MODEL', OriginalStatusCode: 500, OriginalMessage: 'boom' }));
    expect(error.statusCode).toBe(502);
    expect(error.isRetryable).toBe(true);
  });

  it('keeps SageMaker’s own validation error a 400 with its message', () => {
    const { status, headers, body } = errorsFixture.validationError;
    const error = mapSageMakerError(status, headers, JSON.stringify(body));
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('ValidationError');
    expect(error.message).toContain('Endpoint llama-3-8b-tgi of account 123456789012 not found.');
  });

  it('maps throttling to a retryable 429', () => {
    const error = mapSageMakerError(400, { 'x-amzn-errortype': 'ThrottlingException' }, '{"message":"Rate exceeded"}');
    expect(error.statusCode).toBe(429);
    expect(error.isRetryable).toBe(true);
  });
});
