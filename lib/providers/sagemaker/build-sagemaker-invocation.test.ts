import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../api/errors.ts';
import { buildSageMakerInvocation, resolveSageMakerEndpointName, sagemakerFields } from './build-sagemaker-invocation.ts';

describe('buildSageMakerInvocation', () => {
  it('calls InvokeEndpoint on the regional runtime host with Accept and every field as its X-Amzn-SageMaker header', () => {
    const invocation = buildSageMakerInvocation({
      region: 'eu-west-1',
      endpointName: 'llama-3-8b-tgi',
      stream: false,
      fields: {
        customAttributes: 'trace=abc; tenant=42',
        targetModel: 'model-a.tar.gz',
        targetVariant: 'blue',
        targetContainerHostname: 'container-1',
        inferenceId: 'req-123',
        enableExplanations: '`true`',
        inferenceComponent: 'llama-ic-1',
        sessionId: 'session-9',
      },
    });

    expect(invocation.url).toBe('https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/llama-3-8b-tgi/invocations');
    expect(invocation.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/json',
      'x-amzn-sagemaker-custom-attributes': 'trace=abc; tenant=42',
      'x-amzn-sagemaker-target-model': 'model-a.tar.gz',
      'x-amzn-sagemaker-target-variant': 'blue',
      'x-amzn-sagemaker-target-container-hostname': 'container-1',
      'x-amzn-sagemaker-inference-id': 'req-123',
      'x-amzn-sagemaker-enable-explanations': '`true`',
      'x-amzn-sagemaker-inference-component': 'llama-ic-1',
      'x-amzn-sagemaker-session-id': 'session-9',
    });
    expect(invocation.warnings).toEqual([]);
  });

  it('streams through invocations-response-stream with X-Amzn-SageMaker-Accept and reports the headers that call does not take', () => {
    const invocation = buildSageMakerInvocation({
      region: 'us-east-1',
      endpointName: 'lmi-endpoint',
      stream: true,
      accept: 'application/jsonlines',
      fields: { targetVariant: 'green', targetModel: 'm.tar.gz', enableExplanations: '`true`', inferenceComponent: 'ic-2' },
    });

    expect(invocation.url).toBe('https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/lmi-endpoint/invocations-response-stream');
    expect(invocation.headers).toEqual({
      'content-type': 'application/json',
      'x-amzn-sagemaker-accept': 'application/jsonlines',
      'x-amzn-sagemaker-target-variant': 'green',
      'x-amzn-sagemaker-inference-component': 'ic-2',
    });
    expect(invocation.warnings.map((warning) => warning.param)).toEqual(['amzn_sagemaker_target_model', 'amzn_sagemaker_enable_explanations']);
  });

  it.each([
    ['a region that would change the host', { region: 'us-east-1.evil.example', endpointName: 'e' }, 'x-portkey-aws-region'],
    ['a region with a path', { region: 'us-east-1/x', endpointName: 'e' }, 'x-portkey-aws-region'],
    ['an endpoint name with a slash', { region: 'us-east-1', endpointName: 'a/../b' }, 'model'],
    ['an endpoint name longer than 63', { region: 'us-east-1', endpointName: 'a'.repeat(64) }, 'model'],
  ])('refuses %s (400 naming the field)', (_title, options, param) => {
    const call = () => buildSageMakerInvocation({ ...options, stream: false });
    expect(call).toThrow(InvalidRequestError);
    try {
      call();
    } catch (error) {
      expect((error as InvalidRequestError).param).toBe(param);
    }
  });

  it.each([
    ['targetVariant', 'with a space', 'blue green'],
    ['inferenceComponent', 'with an underscore', 'ic_1'],
    ['customAttributes', 'of 1025 characters', 'x'.repeat(1025)],
    ['customAttributes', 'with a line break (header injection)', 'line\r\nx-injected: 1'],
    ['inferenceId', 'starting with a space', ' leading-space'],
  ] as const)('refuses a %s %s', (name, _title, value) => {
    expect(() => buildSageMakerInvocation({ region: 'us-east-1', endpointName: 'e', stream: false, fields: { [name]: value } })).toThrow(
      sagemakerFields[name].config,
    );
  });

  it('takes Portkey names for every field', () => {
    for (const field of Object.values(sagemakerFields)) {
      expect(field.portkeyHeader).toBe(`x-portkey-${field.sagemakerHeader.slice('x-'.length)}`);
      expect(field.config).toBe(field.sagemakerHeader.slice(2).replaceAll('-', '_'));
    }
  });
});

describe('resolveSageMakerEndpointName', () => {
  it('prefers the provider field and falls back to the model', () => {
    expect(resolveSageMakerEndpointName('llama', 'prod-endpoint')).toBe('prod-endpoint');
    expect(resolveSageMakerEndpointName('llama', undefined)).toBe('llama');
    expect(resolveSageMakerEndpointName('llama', '')).toBe('llama');
  });
});
