/**
 * Amazon SageMaker real-time endpoints: `InvokeEndpoint` and `InvokeEndpointWithResponseStream`
 * on AWS's regional runtime host (or the SDKs' `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME`, an
 * operator's setting), signed with SigV4 (service `sagemaker`) by the target's AWS credentials
 * or the function's role, as Bedrock is. Never a custom host: the host is built from a
 * validated region, so the role's signature goes to AWS only.
 * The endpoint is `sagemaker_endpoint_name`, else the request's `model`; the container's body
 * format is `sagemaker_container` (`tgi` by default, `lmi`, `openai`); Portkey's
 * `amzn_sagemaker_*` fields become the `X-Amzn-SageMaker-*` headers.
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html
 * @see https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpointWithResponseStream.html
 */
import { InvalidRequestError } from '../../api/errors.ts';
import type { ProviderTarget } from '../../config/target.ts';
import { resolveAwsCredentials } from '../aws-sigv4/resolve-aws-credentials.ts';
import { signAwsRequest } from '../../aws/sign-aws-request.ts';
import { checkTargetField } from '../check-target-fields.ts';
import type { ParameterTable } from '../map-parameters.ts';
import type { CompletionPart, Provider, ProviderCall, StreamReader } from '../provider.ts';
import { sendsStreamOptions } from '../openai-compatible/sends-stream-options.ts';
import { singleTextPrompt } from '../single-text-prompt.ts';
import {
  assembleSageMakerContainerBody,
  sagemakerContainers,
  sagemakerParameterTables,
  sagemakerStreamAccept,
  type SageMakerContainer,
} from './build-sagemaker-container-body.ts';
import { buildSageMakerInvocation, resolveSageMakerEndpointName, sagemakerFields, type SageMakerFieldValues } from './build-sagemaker-invocation.ts';
import { mapSageMakerError } from './map-sagemaker-error.ts';
import { readSageMakerResponse, readSageMakerStreamLine } from './read-sagemaker-container-output.ts';
import { createPayloadLineReader } from './read-sagemaker-payload-parts.ts';

const NAME = 'sagemaker';
/** The container format when the target names none: TGI, the Hugging Face LLM container JumpStart deploys. */
const DEFAULT_CONTAINER: SageMakerContainer = 'tgi';

/** The gateway emulates `n` and `echo` for every container, so no table passes them. */
const withoutEmulated = (table: ParameterTable): ParameterTable => Object.fromEntries(Object.entries(table).filter(([name]) => name !== 'n' && name !== 'echo'));
const tables: Record<SageMakerContainer, ParameterTable> = {
  tgi: withoutEmulated(sagemakerParameterTables.tgi),
  lmi: withoutEmulated(sagemakerParameterTables.lmi),
  openai: withoutEmulated(sagemakerParameterTables.openai),
};

export const sagemakerProvider: Provider = {
  name: NAME,
  streamFormat: 'aws-event-stream',
  streamEnd: 'a finish reason',
  prompts: { arrays: false, tokens: false },
  emulated: { n: true, echo: true },
  parameterVariants: { 'tgi (default)': tables.tgi, lmi: tables.lmi, openai: tables.openai },
  selectParameters: ({ target }) => ({ table: tables[container(target)], label: `sagemaker (${container(target)})` }),

  baseUrl: (target) => runtimeEndpoint(region(target)),
  // The host is built from the region: declared, so the transport holds the call to it.
  expectedHost: (target) => new URL(runtimeEndpoint(region(target))).host,

  buildRequest(call, mapped) {
    const { params, target, stream } = call;
    if (target.custom_host !== undefined) {
      throw new InvalidRequestError('sagemaker calls AWS’s own runtime host only; it takes no custom host.', { param: 'x-portkey-custom-host', code: 'custom_host_not_supported' });
    }
    const format = container(target);
    const invocation = buildSageMakerInvocation({
      region: region(target),
      endpointName: resolveSageMakerEndpointName(params.model, target.sagemaker_endpoint_name),
      stream,
      fields: fieldValues(target),
      ...(stream ? { accept: sagemakerStreamAccept(format) } : {}),
    });
    if (invocation.warnings.length > 0) {
      // A streamed call cannot carry these headers; refusing says so, dropping would route elsewhere silently.
      throw new InvalidRequestError(`${invocation.warnings.map((warning) => warning.details).join('; ')}: send it without stream.`, {
        param: invocation.warnings[0]!.param,
        code: 'unsupported_parameter',
      });
    }
    const body = assembleSageMakerContainerBody(mapped, {
      container: format,
      prompt: singleTextPrompt(params.prompt, NAME),
      stream,
      // An `openai` container is told the model only when `model` is not the endpoint's name.
      model: target.sagemaker_endpoint_name ? params.model : undefined,
      streamUsage: sendsStreamOptions(target),
    });
    return { path: new URL(invocation.url).pathname, headers: invocation.headers, body };
  },

  async signRequest(request, { target }) {
    const credentials = await resolveAwsCredentials(target);
    return signAwsRequest(request, { credentials, region: region(target), service: 'sagemaker' });
  },

  parseResponse(json, call): CompletionPart {
    return readSageMakerResponse(container(call.target), json).part;
  },

  createStreamReader(call: ProviderCall): StreamReader {
    const format = container(call.target);
    const lines = createPayloadLineReader();
    let finished = false;
    const read = (batch: string[]): CompletionPart[] => {
      const parts: CompletionPart[] = [];
      for (const line of batch) {
        const output = readSageMakerStreamLine(format, line);
        if (output === null) continue;
        if (output === 'done') {
          finished = true;
          continue;
        }
        if (format !== 'openai' && output.part.choices.some((choice) => choice.finish_reason !== null)) finished = true;
        if (output.part.choices.some((choice) => choice.text !== '' || choice.finish_reason !== null) || output.part.usage) parts.push(output.part);
      }
      return parts;
    };
    return {
      read(event) {
        if (event.kind !== 'aws') return [];
        return read(lines.push(event));
      },
      end() {
        const rest = read(lines.end());
        return finished ? rest : undefined;
      },
    };
  },

  errorFormat: {
    // Every body goes through SageMaker's own reader, which knows ModelError's wrapped container error.
    schema: { safeParse: (value: unknown) => ({ success: true as const, data: value }) },
    toFields: (data: unknown, headers) => {
      const error = mapSageMakerError(0, headers as Record<string, string | string[] | undefined>, JSON.stringify(data));
      // Status 0 stands for "the response's own": only a ModelError or a known error type names another.
      return { message: error.message, code: error.code ?? null, statusCode: error.statusCode === 0 ? undefined : error.statusCode };
    },
  },
};

function container(target: ProviderTarget): SageMakerContainer {
  const value = target.sagemaker_container ?? DEFAULT_CONTAINER;
  if ((sagemakerContainers as readonly string[]).includes(value)) return value as SageMakerContainer;
  throw new InvalidRequestError(`sagemaker_container must be one of ${sagemakerContainers.join(', ')}.`, { param: 'x-portkey-sagemaker-container', code: 'invalid_provider_field' });
}

function region(target: ProviderTarget, env: NodeJS.ProcessEnv = process.env): string {
  const value = target.aws_region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!value) throw new InvalidRequestError('Choose an AWS region for SageMaker with x-portkey-aws-region.', { param: 'x-portkey-aws-region', code: 'missing_aws_region' });
  // The engine's shape, also for a region from the environment: it forms the host.
  return checkTargetField('aws_region', value);
}

/** AWS's regional host, or the SDKs' endpoint variables (the operator's, as for Bedrock). */
function runtimeEndpoint(regionName: string, env: NodeJS.ProcessEnv = process.env): string {
  return (env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME ?? env.AWS_ENDPOINT_URL ?? `https://runtime.sagemaker.${regionName}.amazonaws.com`).replace(/\/+$/, '');
}

function fieldValues(target: ProviderTarget): SageMakerFieldValues {
  const values: SageMakerFieldValues = {};
  for (const [name, field] of Object.entries(sagemakerFields) as Array<[keyof typeof sagemakerFields, { config: string }]>) {
    const value = target[field.config as keyof ProviderTarget];
    if (typeof value === 'string') values[name] = value;
  }
  return values;
}

