import { describe, expect, it } from 'vitest';
import type { CompletionRequest } from '../../api/completion-request.ts';
import { UnsupportedParameterError } from '../../api/errors.ts';
import { buildSageMakerContainerBody, sagemakerStreamAccept } from './build-sagemaker-container-body.ts';
import lmiFixture from './__fixtures__/sagemaker-lmi.json' with { type: 'json' };
import tgiFixture from './__fixtures__/sagemaker-tgi.json' with { type: 'json' };

const request = (params: Partial<CompletionRequest>): CompletionRequest => ({ model: 'm', prompt: 'p', ...params }) as CompletionRequest;

describe('TGI bodies', () => {
  it('put the prompt in inputs and the mapped parameters in parameters, as in the documented request', () => {
    const { body, warnings } = buildSageMakerContainerBody(request({ prompt: 'The capital of France is', max_tokens: 5, stop: '\n' }), {
      container: 'tgi',
      prompt: 'The capital of France is',
      stream: false,
    });
    expect(JSON.parse(JSON.stringify(body))).toEqual(tgiFixture.request);
    expect(warnings).toEqual([]);
  });

  it("send OpenAI's default of 16 tokens, greedy decoding for temperature 0, no top_p for 1, and stream: true", () => {
    const { body } = buildSageMakerContainerBody(request({ temperature: 0, top_p: 1, seed: 7, frequency_penalty: 0.5 }), {
      container: 'tgi',
      prompt: 'p',
      stream: true,
    });
    expect(JSON.parse(JSON.stringify(body))).toEqual({
      inputs: 'p',
      parameters: { max_new_tokens: 16, seed: 7, frequency_penalty: 0.5, details: true, return_full_text: false },
      stream: true,
    });
  });

  it('clamp top_p 0 into the open interval TGI takes, and report what they drop', () => {
    const { body, warnings } = buildSageMakerContainerBody(request({ top_p: 0, logprobs: 2, presence_penalty: 1, user: 'u' }), {
      container: 'tgi',
      prompt: 'p',
      stream: false,
    });
    expect((body.parameters as Record<string, unknown>).top_p).toBe(0.001);
    expect(warnings.map((warning) => `${warning.type}:${warning.param}`).sort()).toEqual([
      'clamped:top_p',
      'dropped:logprobs',
      'dropped:presence_penalty',
      'dropped:user',
    ]);
  });

  it('refuse instead of dropping in strict mode', () => {
    expect(() =>
      buildSageMakerContainerBody(request({ logit_bias: { '1': 2 } }), { container: 'tgi', prompt: 'p', stream: false, strict: true }),
    ).toThrow(UnsupportedParameterError);
  });
});

describe('LMI bodies', () => {
  it('name stops stop_sequences, keep both penalties, and set do_sample when sampling is asked for', () => {
    const { body } = buildSageMakerContainerBody(
      request({ max_tokens: 256, temperature: 0.7, stop: ['###'], presence_penalty: 0.1, frequency_penalty: 0.2 }),
      { container: 'lmi', prompt: 'What is Deep Learning?', stream: true },
    );
    expect(body).toEqual({
      inputs: 'What is Deep Learning?',
      parameters: {
        max_new_tokens: 256,
        temperature: 0.7,
        stop_sequences: ['###'],
        presence_penalty: 0.1,
        frequency_penalty: 0.2,
        details: true,
        return_full_text: false,
        do_sample: true,
      },
      stream: true,
    });
    expect(Object.keys(body)).toEqual(Object.keys(lmiFixture.request));
  });

  it('decode greedily (no do_sample) for temperature 0', () => {
    const { body } = buildSageMakerContainerBody(request({ temperature: 0 }), { container: 'lmi', prompt: 'p', stream: false });
    expect(JSON.parse(JSON.stringify(body.parameters))).toEqual({ max_new_tokens: 16, details: true, return_full_text: false });
  });
});

describe('OpenAI-style bodies', () => {
  it('pass OpenAI parameters, ask for usage on the stream, and drop suffix', () => {
    const { body, warnings } = buildSageMakerContainerBody(request({ max_tokens: 3, n: 2, logprobs: 1, suffix: 'x' }), {
      container: 'openai',
      prompt: ['a', 'b'],
      stream: true,
      model: 'Qwen/Qwen2.5-Coder-7B',
    });
    expect(body).toEqual({
      model: 'Qwen/Qwen2.5-Coder-7B',
      prompt: ['a', 'b'],
      max_tokens: 3,
      n: 2,
      logprobs: 1,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(warnings.map((warning) => warning.param)).toEqual(['suffix']);
  });

  it('ask no usage of a container whose target says it rejects stream_options', () => {
    const { body } = buildSageMakerContainerBody(request({}), { container: 'openai', prompt: 'p', stream: true, streamUsage: false });
    expect(body).toEqual({ prompt: 'p', stream: true });
  });

  it('leave model out when none is given', () => {
    const { body } = buildSageMakerContainerBody(request({}), { container: 'openai', prompt: 'p', stream: false });
    expect(body).toEqual({ prompt: 'p' });
  });
});

describe('sagemakerStreamAccept', () => {
  it('asks LMI for JSON lines and the others for SSE', () => {
    expect(sagemakerStreamAccept('lmi')).toBe('application/jsonlines');
    expect(sagemakerStreamAccept('tgi')).toBe('text/event-stream');
    expect(sagemakerStreamAccept('openai')).toBe('text/event-stream');
  });
});
