/**
 * The SageMaker runtime call for one completion, without its body: the URL of
 * `InvokeEndpoint` or `InvokeEndpointWithResponseStream` and the `X-Amzn-SageMaker-*` headers
 * taken from the target's provider fields. The host is always AWS's regional runtime host,
 * built from a validated region, never from anything the caller names; signing (SigV4,
 * service `sagemaker`, the function's role as for Bedrock) is the engine's.
 *
 * Field names are Portkey's (`x-portkey-amzn-sagemaker-*` headers, `amzn_sagemaker_*` config
 * keys; Portkey's handlerUtils.ts and providers/sagemaker/api.ts), so Portkey clients work unchanged.
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpointWithResponseStream.html
 */
import { InvalidRequestError } from '../../api/errors.ts';
import type { ProviderTarget } from '../../config/target.ts';
import { checkTargetField, hasTargetFieldShape } from '../check-target-fields.ts';
import type { MappingWarning } from '../map-parameters.ts';

export interface SageMakerField {
  /** The snake_case key in a config target or a virtual key's secret. */
  config: `amzn_sagemaker_${string}` & keyof ProviderTarget;
  /** The request header a Portkey client sends. */
  portkeyHeader: string;
  /** The header InvokeEndpoint takes. */
  sagemakerHeader: string;
  /** Whether InvokeEndpointWithResponseStream takes it too (its request syntax lists fewer). */
  streaming: boolean;
}

/** Every SageMaker header the gateway forwards; Portkey forwards the same set. */
export const sagemakerFields = {
  customAttributes: {
    config: 'amzn_sagemaker_custom_attributes',
    portkeyHeader: 'x-portkey-amzn-sagemaker-custom-attributes',
    sagemakerHeader: 'x-amzn-sagemaker-custom-attributes',
    streaming: true,
  },
  targetModel: {
    config: 'amzn_sagemaker_target_model',
    portkeyHeader: 'x-portkey-amzn-sagemaker-target-model',
    sagemakerHeader: 'x-amzn-sagemaker-target-model',
    streaming: false,
  },
  targetVariant: {
    config: 'amzn_sagemaker_target_variant',
    portkeyHeader: 'x-portkey-amzn-sagemaker-target-variant',
    sagemakerHeader: 'x-amzn-sagemaker-target-variant',
    streaming: true,
  },
  targetContainerHostname: {
    config: 'amzn_sagemaker_target_container_hostname',
    portkeyHeader: 'x-portkey-amzn-sagemaker-target-container-hostname',
    sagemakerHeader: 'x-amzn-sagemaker-target-container-hostname',
    streaming: true,
  },
  inferenceId: {
    config: 'amzn_sagemaker_inference_id',
    portkeyHeader: 'x-portkey-amzn-sagemaker-inference-id',
    sagemakerHeader: 'x-amzn-sagemaker-inference-id',
    streaming: true,
  },
  enableExplanations: {
    config: 'amzn_sagemaker_enable_explanations',
    portkeyHeader: 'x-portkey-amzn-sagemaker-enable-explanations',
    sagemakerHeader: 'x-amzn-sagemaker-enable-explanations',
    streaming: false,
  },
  inferenceComponent: {
    config: 'amzn_sagemaker_inference_component',
    portkeyHeader: 'x-portkey-amzn-sagemaker-inference-component',
    sagemakerHeader: 'x-amzn-sagemaker-inference-component',
    streaming: true,
  },
  sessionId: {
    config: 'amzn_sagemaker_session_id',
    portkeyHeader: 'x-portkey-amzn-sagemaker-session-id',
    sagemakerHeader: 'x-amzn-sagemaker-session-id',
    streaming: true,
  },
} as const satisfies Record<string, SageMakerField>;

export type SageMakerFieldName = keyof typeof sagemakerFields;
export type SageMakerFieldValues = Partial<Record<SageMakerFieldName, string | undefined>>;

export interface SageMakerInvocationOptions {
  region: string;
  endpointName: string;
  stream: boolean;
  fields?: SageMakerFieldValues;
  /** The container's answer type: `application/json`, or `application/jsonlines` for LMI's stream. */
  accept?: string;
}

export interface SageMakerInvocation {
  url: string;
  headers: Record<string, string>;
  warnings: MappingWarning[];
}

/**
 * @example
 * buildSageMakerInvocation({ region: 'us-east-1', endpointName: 'llama-3-tgi', stream: true, fields: { targetVariant: 'blue' } })
 * // { url: 'https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/llama-3-tgi/invocations-response-stream',
 * //   headers: { 'content-type': 'application/json', 'x-amzn-sagemaker-accept': 'application/json', 'x-amzn-sagemaker-target-variant': 'blue' }, warnings: [] }
 * @throws InvalidRequestError (400) naming the field whose value AWS would refuse or that would form a host.
 */
export function buildSageMakerInvocation(options: SageMakerInvocationOptions): SageMakerInvocation {
  // The shapes are the engine's table's (check-target-fields.ts); the region may come from AWS_REGION, the endpoint from the model.
  checkTargetField('aws_region', options.region);
  if (!hasTargetFieldShape('sagemaker_endpoint_name', options.endpointName)) {
    throw new InvalidRequestError('The SageMaker endpoint name must be 1-63 letters, digits and hyphens', { param: 'model' });
  }
  const action = options.stream ? 'invocations-response-stream' : 'invocations';
  const url = `https://runtime.sagemaker.${options.region}.amazonaws.com/endpoints/${options.endpointName}/${action}`;

  const accept = options.accept ?? 'application/json';
  // The streaming call takes its accept type as X-Amzn-SageMaker-Accept, not Accept.
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(options.stream ? { 'x-amzn-sagemaker-accept': accept } : { accept }),
  };
  const warnings: MappingWarning[] = [];

  for (const [name, value] of Object.entries(options.fields ?? {}) as Array<[SageMakerFieldName, string | undefined]>) {
    if (value === undefined || value === '') continue;
    const field: SageMakerField = sagemakerFields[name];
    checkTargetField(field.config, value);
    if (options.stream && !field.streaming) {
      warnings.push({ type: 'dropped', param: field.config, details: `InvokeEndpointWithResponseStream does not take ${field.sagemakerHeader}` });
      continue;
    }
    headers[field.sagemakerHeader] = value;
  }
  return { url, headers, warnings };
}

/**
 * The endpoint name: the provider field when set, otherwise the request's `model`. Portkey has
 * no name for it (its SageMaker route takes the endpoint from the URL path, and the
 * `amzn_sagemaker_model_name` it reads is used nowhere), so the field is the gateway's own
 * `sagemaker_endpoint_name`.
 */
export function resolveSageMakerEndpointName(model: string, endpointNameField: string | undefined): string {
  return endpointNameField && endpointNameField !== '' ? endpointNameField : model;
}
