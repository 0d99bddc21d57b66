/**
 * The OpenAI-compatible family (OpenAI, vLLM, Ollama, Together, Fireworks, ...): the same
 * `/completions` wire format behind different base URLs, auth headers and parameter
 * differences. Each member is one data file (an `OpenAICompatibleDefinition`) and one line in
 * the registry.
 */
import type { Logprobs } from '../../api/completion-response.ts';
import type { ProviderTarget } from '../../config/target.ts';
import { bearerAuth } from '../bearer-auth.ts';
import { expectShape } from '../parse-upstream-json.ts';
import type { CompletionPart, Provider, ProviderCall, StreamReader } from '../provider.ts';
import { convertOpenAICompatibleUsage } from './convert-openai-compatible-usage.ts';
import { isOpenAICompatibleChunk, isOpenAICompatibleResponse } from './is-openai-compatible-shape.ts';
import { mapOpenAIFinishReason } from './map-openai-finish-reason.ts';
import { defineOpenAICompatibleTable, type OpenAICompatibleDifferences } from './openai-completion-parameters.ts';
import { openAICompatibleSchemas } from './openai-compatible-schemas.ts';
import { createOpenAIStyleStreamReader } from './create-openai-style-stream-reader.ts';
import { readOpenAIStyleResponse } from './read-openai-style-response.ts';
import { sendsStreamOptions, type StreamOptionsSupport } from './sends-stream-options.ts';

/** One member of the family, as data. */
export interface OpenAICompatibleDefinition extends OpenAICompatibleDifferences {
  name: string;
  /** Base URL including the version prefix; a custom host replaces it. */
  baseUrl: string | ((target: ProviderTarget) => string);
  /** The host a base URL built from target fields must have (see `Provider.expectedHost`). */
  expectedHost?: (target: ProviderTarget) => string | RegExp;
  /** Path below the base URL (default `/completions`). */
  path?: string | ((call: ProviderCall) => string);
  /** Auth and provider headers for a target (default: `Authorization: Bearer` when a key is set). */
  headers?: (target: ProviderTarget) => Record<string, string>;
  /** What the server accepts as `prompt` (see `Provider.prompts`); OpenAI itself takes both. */
  prompts: { arrays: boolean; tokens: boolean };
  /**
   * Whether the server takes `stream_options` (default true). False, or false for some targets,
   * where its docs say it rejects the field; a target's `send_stream_options` overrides this.
   */
  streamOptions?: StreamOptionsSupport;
}

export function createOpenAICompatibleProvider(definition: OpenAICompatibleDefinition): Provider {
  const { name } = definition;
  const headers = definition.headers ?? bearerAuth;
  const emulated = definition.emulated ?? [];

  return {
    name,
    streamFormat: 'sse',
    streamEnd: '[DONE]',
    prompts: definition.prompts,
    emulated: { n: emulated.includes('n'), echo: emulated.includes('echo') },
    parameters: defineOpenAICompatibleTable(definition),

    baseUrl: typeof definition.baseUrl === 'string' ? () => definition.baseUrl as string : definition.baseUrl,
    ...(definition.expectedHost ? { expectedHost: definition.expectedHost } : {}),

    buildRequest(call, mapped) {
      const { params, stream } = call;
      // Object.assign, not a spread: on the hot path a spread with extra fields costs ~10× more (bench/measure-transform-cost.ts).
      const body: Record<string, unknown> = Object.assign({}, mapped);
      body.model = params.model;
      body.prompt = params.prompt;
      if (stream) {
        body.stream = true;
        // Always ask for usage, so the usage record counts exact tokens even when the caller did
        // not ask; that extra chunk (empty choices) is kept out of such a caller's stream by the renderer.
        // A server that rejects the field is not asked: the usage record then counts with the tokenizer.
        if (sendsStreamOptions(call.target, definition.streamOptions)) body.stream_options = { include_usage: true };
      }
      const path = typeof definition.path === 'function' ? definition.path(call) : (definition.path ?? '/completions');
      return { path, headers: headers(call.target), body };
    },

    parseResponse(raw) {
      const response = isOpenAICompatibleResponse(raw) ? raw : expectShape(openAICompatibleSchemas().response, raw, name);
      return readOpenAIStyleResponse(response, name, (choice) => ({ text: choice.text ?? '', logprobs: (choice.logprobs as Logprobs | null | undefined) ?? null }));
    },

    createStreamReader(): StreamReader {
      return createOpenAIStyleStreamReader(name, (json) => {
        const chunk = isOpenAICompatibleChunk(json) ? json : expectShape(openAICompatibleSchemas().chunk, json, name);
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
      });
    },
  };
}
