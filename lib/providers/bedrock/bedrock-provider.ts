/**
 * AWS Bedrock: one provider for every text model family. The model id picks the family
 * (select-bedrock-family.ts), the family's data maps the body and reads the answers, and this
 * file does what is the same for all: URL, SigV4 signing, usage, stop reasons, the AWS event
 * stream and its exception frames. Calls go over the shared HTTP/1.1 keep-alive transport.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html
 */
import type { Prompt } from '../../api/completion-request.ts';
import type { Usage } from '../../api/completion-response.ts';
import { UnsupportedParameterError, UpstreamError } from '../../api/errors.ts';
import { mapParameters, type ParameterTable } from '../map-parameters.ts';
import { parseUpstreamJson } from '../parse-upstream-json.ts';
import type { CompletionPart, Provider, ProviderCall, ResponseHeaders, StreamTransform } from '../provider.ts';
import { mapFamilyFinishReason, type BedrockFamily, type FamilyUsage } from './bedrock-family.ts';
import { exceptionFrameError, exceptionName, readBedrockMessage } from './map-bedrock-error.ts';
import { resolveBedrockCredentials, resolveBedrockEndpoint, resolveBedrockRegion } from './resolve-bedrock-credentials.ts';
import { bedrockParameterVariants, selectBedrockFamily } from './select-bedrock-family.ts';
import { signBedrockRequest } from './sign-bedrock-request.ts';

const NAME = 'bedrock';

/**
 * What the engine reads before a family is known: every family takes one text prompt and has
 * `n` and `echo` emulated. The per-family tables decide the rest (strict mode included).
 */
const declaredParameters = {
  max_tokens: {},
  temperature: { range: [0, 1] },
  top_p: {},
  stop: {},
  seed: {},
  frequency_penalty: {},
  presence_penalty: {},
  n: 'emulated',
  echo: 'emulated',
} as const satisfies ParameterTable;

export const bedrockProvider: Provider = {
  name: NAME,
  streamFormat: 'aws-event-stream',
  prompts: { arrays: false, tokens: false },
  parameters: declaredParameters,
  get parameterVariants() {
    return bedrockParameterVariants();
  },

  async buildRequest(call) {
    const { params, target, stream } = call;
    const family = selectBedrockFamily(params.model);
    const { body: mapped, warnings } = mapParameters(params, family.parameters, { provider: `bedrock ${family.name} models`, strict: call.strict });
    const body = family.buildBody(textPrompt(params.prompt), mapped);

    const region = resolveBedrockRegion(target);
    const url = `${resolveBedrockEndpoint(target, region)}/model/${encodeURIComponent(params.model)}/${action(family, stream)}`;
    const headers: Record<string, string> = {
      ...call.forwardedHeaders,
      'content-type': 'application/json',
      accept: stream ? 'application/vnd.amazon.eventstream' : 'application/json',
    };
    if (stream && family.api === 'invoke') headers['x-amzn-bedrock-accept'] = 'application/json';
    const credentials = await resolveBedrockCredentials(target);
    const request = signBedrockRequest({ url, method: 'POST', headers, body: JSON.stringify(body) }, { credentials, region, service: 'bedrock' });
    return { request, warnings };
  },

  parseResponse(json, call, headers) {
    const family = selectBedrockFamily(call.params.model);
    const output = family.parseResponse(json);
    return {
      choices: [{ index: 0, text: output.text, logprobs: null, finish_reason: mapFamilyFinishReason(family, output.stopReason) ?? 'stop' }],
      usage: toUsage(mergeUsage(headerUsage(headers), output.usage)),
    };
  },

  createStreamTransform(call: ProviderCall): StreamTransform {
    const family = selectBedrockFamily(call.params.model);
    let stopReason: string | null | undefined;
    let usage: FamilyUsage = {};
    let invocationMetrics: FamilyUsage | undefined;
    return {
      transform(event) {
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
      flush(): CompletionPart[] {
        if (!stopReason) {
          throw new UpstreamError('bedrock ended the stream before the model finished.', { provider: NAME, statusCode: 502, code: 'stream_truncated' });
        }
        // Bedrock's own count of the invocation wins over what the model's events said.
        const finalUsage = toUsage(mergeUsage(usage, invocationMetrics));
        return [{ choices: [{ index: 0, text: '', logprobs: null, finish_reason: mapFamilyFinishReason(family, stopReason) }], usage: finalUsage }];
      },
    };
  },

  parseError(_statusCode, bodyText, headers) {
    return { message: readBedrockMessage(bodyText), code: exceptionName(headers?.['x-amzn-errortype']) ?? null };
  },
};

function action(family: BedrockFamily, stream: boolean): string {
  if (family.api === 'converse') return stream ? 'converse-stream' : 'converse';
  return stream ? 'invoke-with-response-stream' : 'invoke';
}

/** The engine splits prompt arrays before a provider that takes one prompt sees them. */
function textPrompt(prompt: Prompt): string {
  if (typeof prompt === 'string') return prompt;
  if (prompt.length === 1 && typeof prompt[0] === 'string') return prompt[0];
  throw new UnsupportedParameterError('bedrock takes one text prompt per request.', 'prompt');
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
