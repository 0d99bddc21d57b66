/**
 * The OpenAI-compatible family (OpenAI, vLLM, Ollama, Together, Fireworks, ...): the same
 * `/completions` wire format behind different base URLs, auth headers and parameter tables.
 * Each member is one call of this factory with its data.
 */
import type { Logprobs } from '../../api/completion-response.ts';
import { UpstreamError } from '../../api/errors.ts';
import type { ProviderTarget } from '../../config/target.ts';
import { mapParameters, type ParameterTable } from '../map-parameters.ts';
import type { CompletionPart, Provider, ProviderCall, StreamTransform, UpstreamEvent } from '../provider.ts';
import { convertOpenAICompatibleUsage } from './convert-openai-compatible-usage.ts';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.ts';
import { openAICompatibleChunkSchema, openAICompatibleErrorSchema, openAICompatibleResponseSchema } from './openai-compatible-schemas.ts';
import { isOpenAICompatibleChunk, isOpenAICompatibleResponse } from './is-openai-compatible-shape.ts';
import { joinUrl } from '../join-url.ts';
import { expectShape, parseUpstreamJson } from '../parse-upstream-json.ts';

export interface OpenAICompatibleOptions {
  name: string;
  /** Base URL including the version prefix; a custom host replaces it. */
  baseUrl: string | ((target: ProviderTarget) => string);
  /** Path below the base URL. */
  path?: string | ((call: ProviderCall) => string);
  /** Auth and provider headers for a target. */
  headers: (target: ProviderTarget) => Record<string, string>;
  parameters: ParameterTable;
  /** What the server accepts as `prompt` (see `Provider.prompts`); OpenAI itself takes both. */
  prompts: { arrays: boolean; tokens: boolean };
  /** Extra body fields, or edits, after mapping (e.g. a required field). */
  finishBody?: (body: Record<string, unknown>, call: ProviderCall) => void;
}

/** The Authorization header most of the family uses. */
export function bearerAuth(target: ProviderTarget): Record<string, string> {
  return target.api_key ? { authorization: `Bearer ${target.api_key}` } : {};
}

export function createOpenAICompatibleProvider(options: OpenAICompatibleOptions): Provider {
  const { name } = options;

  return {
    name,
    streamFormat: 'sse',
    prompts: options.prompts,
    parameters: options.parameters,

    buildRequest(call) {
      const { params, target, stream } = call;
      const { body, warnings } = mapParameters(params, options.parameters, { provider: name, strict: call.strict });
      body.model = params.model;
      body.prompt = params.prompt;
      if (stream) {
        body.stream = true;
        // Ask for usage whenever the caller did, so the gateway never has to guess it.
        if (params.stream_options?.include_usage) body.stream_options = { include_usage: true };
      }
      options.finishBody?.(body, call);
      const base = target.custom_host ?? (typeof options.baseUrl === 'string' ? options.baseUrl : options.baseUrl(target));
      const path = typeof options.path === 'function' ? options.path(call) : (options.path ?? '/completions');
      return {
        request: {
          url: joinUrl(base, path),
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', ...call.forwardedHeaders, ...options.headers(target) },
          body: JSON.stringify(body),
        },
        warnings,
      };
    },

    parseResponse(raw) {
      const response = isOpenAICompatibleResponse(raw) ? raw : expectShape(openAICompatibleResponseSchema, raw, name);
      const part: CompletionPart = {
        choices: response.choices.map((choice, position) => ({
          index: choice.index ?? position,
          text: choice.text ?? '',
          logprobs: (choice.logprobs as Logprobs | null | undefined) ?? null,
          finish_reason: mapOpenAIFinishReason(choice.finish_reason, name) ?? 'stop',
        })),
        usage: convertOpenAICompatibleUsage(response.usage) ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
      };
      if (response.id) part.id = response.id;
      if (response.model) part.model = response.model;
      if (response.system_fingerprint) part.system_fingerprint = response.system_fingerprint;
      return part;
    },

    createStreamTransform(): StreamTransform {
      let done = false;
      return {
        transform(event: UpstreamEvent) {
          if (event.kind !== 'sse') return [];
          if (event.data === '[DONE]') {
            done = true;
            return [];
          }
          const json = parseUpstreamJson(event.data, name);
          if (typeof json === 'object' && json !== null && 'error' in json) throw streamError(json, name);
          const chunk = isOpenAICompatibleChunk(json) ? json : expectShape(openAICompatibleChunkSchema, json, name);
          const part: CompletionPart = {
            choices: (chunk.choices ?? []).map((choice, position) => ({
              index: choice.index ?? position,
              text: choice.text ?? '',
              logprobs: (choice.logprobs as Logprobs | null | undefined) ?? null,
              finish_reason: mapOpenAIFinishReason(choice.finish_reason, name),
            })),
          };
          const usage = convertOpenAICompatibleUsage(chunk.usage);
          if (usage) part.usage = usage;
          if (chunk.id) part.id = chunk.id;
          if (chunk.model) part.model = chunk.model;
          return [part];
        },
        flush() {
          if (!done) {
            throw new UpstreamError(`${name} ended the stream before [DONE].`, { provider: name, statusCode: 502, code: 'stream_truncated' });
          }
          return [];
        },
      };
    },
  };
}

function streamError(json: unknown, provider: string): UpstreamError {
  const parsed = openAICompatibleErrorSchema.safeParse(json);
  const error = parsed.success ? parsed.data.error : undefined;
  const message = typeof error === 'string' ? error : (error?.message ?? 'error event in stream');
  return new UpstreamError(`${provider} stream error: ${message}`, {
    provider,
    statusCode: 502,
    code: typeof error === 'object' && error?.code != null ? String(error.code) : 'upstream_stream_error',
  });
}
