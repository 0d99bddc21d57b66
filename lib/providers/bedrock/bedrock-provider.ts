/**
 * AWS Bedrock: one provider for every text model family. The model id picks the family
 * (select-bedrock-family.ts) and its parameter table; the family's data builds the body and
 * reads the answers, and this file does what is the same for all: path, SigV4 signing, usage,
 * stop reasons, the AWS event stream's envelopes and exception frames.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html
 */
import type { Usage } from '../../api/completion-response.ts';
import { UpstreamError } from '../../api/errors.ts';
import { resolveAwsCredentials } from '../aws-sigv4/resolve-aws-credentials.ts';
import { signAwsRequest } from '../../aws/sign-aws-request.ts';
import { parseUpstreamJson } from '../parse-upstream-json.ts';
import type { CompletionPart, Provider, ProviderCall, ResponseHeaders, StreamReader } from '../provider.ts';
import { singleTextPrompt } from '../single-text-prompt.ts';
import { mapFamilyFinishReason, type BedrockFamily, type FamilyUsage } from './bedrock-family.ts';
import { bedrockExpectedHost, checkAmbientSigning, hasOwnAwsCredentials } from './check-ambient-signing.ts';
import { bedrockErrorSchema, exceptionFrameError, exceptionName } from './map-bedrock-error.ts';
import { resolveBedrockEndpoint, resolveBedrockRegion } from './resolve-bedrock-endpoint.ts';
import { bedrockParameterVariants, selectBedrockFamily } from './select-bedrock-family.ts';

const NAME = 'bedrock';

export const bedrockProvider: Provider = {
  name: NAME,
  streamFormat: 'aws-event-stream',
  streamEnd: 'the model finished',
  prompts: { arrays: false, tokens: false },
  // No family takes `n` or echoes: the gateway fans out and prepends the prompt itself.
  emulated: { n: true, echo: true },
  get parameterVariants() {
    return bedrockParameterVariants();
  },
  selectParameters(call) {
    const family = selectBedrockFamily(call.params.model);
    return { table: family.parameters, label: `bedrock ${family.name} models` };
  },

  baseUrl: (target) => resolveBedrockEndpoint(target, resolveBedrockRegion(target)),
  expectedHost: (target) => bedrockExpectedHost(resolveBedrockRegion(target)),

  buildRequest(call, mapped) {
    const { params, stream } = call;
    const family = selectBedrockFamily(params.model);
    const headers: Record<string, string> = {};
    if (stream && family.api === 'invoke') headers['x-amzn-bedrock-accept'] = 'application/json';
    return {
      path: `/model/${encodeURIComponent(params.model)}/${action(family, stream)}`,
      headers,
      body: family.buildBody(singleTextPrompt(params.prompt, NAME), mapped),
    };
  },

  async signRequest(request, { target }) {
    const region = resolveBedrockRegion(target);
    // Checked before any credential is read: the gateway's own go only where operators allow.
    if (!hasOwnAwsCredentials(target)) checkAmbientSigning(target, region, request.url);
    const credentials = await resolveAwsCredentials(target);
    return signAwsRequest(request, { credentials, region, service: 'bedrock' });
  },

  parseResponse(json, call, headers) {
    const family = selectBedrockFamily(call.params.model);
    const output = family.parseResponse(json);
    return {
      choices: [{ index: 0, text: output.text, logprobs: null, finish_reason: mapFamilyFinishReason(family, output.stopReason) ?? 'stop' }],
      usage: toUsage(mergeUsage(headerUsage(headers), output.usage)),
    };
  },

  createStreamReader(call: ProviderCall): StreamReader {
    const family = selectBedrockFamily(call.params.model);
    let stopReason: string | null | undefined;
    let usage: FamilyUsage = {};
    let invocationMetrics: FamilyUsage | undefined;
    return {
      read(event) {
        if (event.kind !== 'aws') return [];
        if (event.messageType !== 'event') throw exceptionFrameError(event.eventType, event.payload);
        const json = readStreamEvent(family, event.eventType, event.payload);
        if (json === undefined) return [];
        invocationMetrics = readInvocationMetrics(json) ?? invocationMetrics;
        const chunk = family.parseChunk(json);
        if (chunk.usage) usage = mergeUsage(usage, chunk.usage);
        if (chunk.stopReason) stopReason = chunk.stopReason;
        return chunk.text ? [{ choices: [{ index: 0, text: chunk.text, logprobs: null, finish_reason: null }] }] : [];
      },
      end(): CompletionPart[] | undefined {
        if (!stopReason) return undefined;
        // Bedrock's own count of the invocation wins over what the model's events said.
        const finalUsage = toUsage(mergeUsage(usage, invocationMetrics));
        return [{ choices: [{ index: 0, text: '', logprobs: null, finish_reason: mapFamilyFinishReason(family, stopReason) }], usage: finalUsage }];
      },
    };
  },

  /** `{"message": ...}` (or `Message`), the exception's name in `x-amzn-errortype`. */
  errorFormat: {
    get schema() {
      return bedrockErrorSchema();
    },
    toFields: (data: { message?: string | null; Message?: string | null }, headers: ResponseHeaders) => ({
      message: data.message ?? data.Message,
      code: exceptionName(headers['x-amzn-errortype']) ?? null,
    }),
  },
};

function action(family: BedrockFamily, stream: boolean): string {
  if (family.api === 'converse') return stream ? 'converse-stream' : 'converse';
  return stream ? 'invoke-with-response-stream' : 'invoke';
}

/**
 * The JSON of one stream event: InvokeModel streams wrap each model chunk as base64 in
 * `{"bytes": ...}` under `:event-type: chunk`; ConverseStream sends the event itself, which is
 * keyed by its type here so families read both alike.
 */
function readStreamEvent(family: BedrockFamily, eventType: string, payload: Uint8Array): unknown {
  const text = Buffer.from(payload).toString('utf8');
  if (family.api === 'converse') return { [eventType]: parseUpstreamJson(text, NAME) };
  if (eventType !== 'chunk') return undefined;
  const envelope = parseUpstreamJson(text, NAME) as { bytes?: unknown } | null;
  if (typeof envelope?.bytes !== 'string') {
    throw new UpstreamError('bedrock sent a stream chunk without bytes.', { provider: NAME, statusCode: 502, code: 'malformed_upstream_response' });
  }
  return parseUpstreamJson(Buffer.from(envelope.bytes, 'base64').toString('utf8'), NAME);
}

/** `amazon-bedrock-invocationMetrics`, which the last chunk of an InvokeModel stream carries. */
function readInvocationMetrics(json: unknown): FamilyUsage | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const metrics = (json as Record<string, unknown>)['amazon-bedrock-invocationMetrics'];
  if (typeof metrics !== 'object' || metrics === null) return undefined;
  const { inputTokenCount, outputTokenCount } = metrics as Record<string, unknown>;
  return {
    inputTokens: typeof inputTokenCount === 'number' ? inputTokenCount : undefined,
    outputTokens: typeof outputTokenCount === 'number' ? outputTokenCount : undefined,
  };
}

/** InvokeModel reports token counts in `x-amzn-bedrock-{input,output}-token-count`. */
function headerUsage(headers: ResponseHeaders | undefined): FamilyUsage {
  const count = (name: string) => {
    const value = Number(headers?.[name]);
    return headers?.[name] !== undefined && Number.isFinite(value) ? value : undefined;
  };
  return { inputTokens: count('x-amzn-bedrock-input-token-count'), outputTokens: count('x-amzn-bedrock-output-token-count') };
}

/** Later counts win where they are present. */
function mergeUsage(earlier: FamilyUsage, later: FamilyUsage | undefined): FamilyUsage {
  return {
    inputTokens: later?.inputTokens ?? earlier.inputTokens,
    outputTokens: later?.outputTokens ?? earlier.outputTokens,
  };
}

function toUsage(usage: FamilyUsage): Usage {
  const prompt = usage.inputTokens ?? 0;
  const completion = usage.outputTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}
