/**
 * Providers that serve only OpenAI-style chat completions (Groq, SambaNova, Perplexity, GitHub
 * Models, Azure AI Foundry, AI21, DeepSeek's chat, Hugging Face's router): the prompt becomes
 * one user turn, as for `anthropic` and `cohere`, and the message text is the completion.
 * Each member is one data file (an `OpenAIChatDefinition`) and one line in the registry.
 */
import type { ProviderTarget } from '../../config/target.ts';
import { bearerAuth } from '../bearer-auth.ts';
import { convertOpenAICompatibleUsage } from '../openai-compatible/convert-openai-compatible-usage.ts';
import { mapOpenAIFinishReason } from '../openai-compatible/map-openai-finish-reason.ts';
import type { OpenAICompatibleDifferences } from '../openai-compatible/openai-completion-parameters.ts';
import { expectShape } from '../parse-upstream-json.ts';
import type { CompletionPart, Provider, ProviderCall, StreamReader } from '../provider.ts';
import { singleTextPrompt } from '../single-text-prompt.ts';
import { defineOpenAIChatTable } from './openai-chat-parameters.ts';
import { openAIChatChunkSchema, openAIChatResponseSchema } from './openai-chat-schemas.ts';
import { createOpenAIStyleStreamReader } from '../openai-compatible/create-openai-style-stream-reader.ts';
import { readOpenAIStyleResponse } from '../openai-compatible/read-openai-style-response.ts';
import { sendsStreamOptions } from '../openai-compatible/sends-stream-options.ts';

/** One chat-only member, as data. */
export interface OpenAIChatDefinition extends Omit<OpenAICompatibleDifferences, 'emulated'> {
  name: string;
  /** Base URL including the version prefix; a custom host replaces it. */
  baseUrl: string | ((target: ProviderTarget) => string);
  /** Path below the base URL (default `/chat/completions`). */
  path?: string | ((call: ProviderCall) => string);
  /** Auth and provider headers for a target (default: `Authorization: Bearer` when a key is set). */
  headers?: (target: ProviderTarget) => Record<string, string>;
  /** Whether the server takes `n` itself; otherwise the gateway fans out. */
  nativeN: boolean;
}

export function createOpenAIChatProvider(definition: OpenAIChatDefinition): Provider {
  const { name } = definition;
  const headers = definition.headers ?? bearerAuth;
  const emulated: Array<'n' | 'echo'> = definition.nativeN ? ['echo'] : ['n', 'echo'];

  return {
    name,
    streamFormat: 'sse',
    streamEnd: '[DONE]',
    prompts: { arrays: false, tokens: false },
    emulated: { n: !definition.nativeN, echo: true },
    parameters: defineOpenAIChatTable({ ...definition, emulated }),
    baseUrl: typeof definition.baseUrl === 'string' ? () => definition.baseUrl as string : definition.baseUrl,

    buildRequest(call, mapped) {
      const { params, stream } = call;
      const body: Record<string, unknown> = { model: params.model, messages: [{ role: 'user', content: singleTextPrompt(params.prompt, name) }] };
      Object.assign(body, mapped);
      if (stream) {
        body.stream = true;
        if (params.stream_options?.include_usage && sendsStreamOptions(call.target)) body.stream_options = { include_usage: true };
      }
      const path = typeof definition.path === 'function' ? definition.path(call) : (definition.path ?? '/chat/completions');
      return { path, headers: headers(call.target), body };
    },

    parseResponse(raw) {
      const response = expectShape(openAIChatResponseSchema, raw, name);
      return readOpenAIStyleResponse(response, name, (choice) => ({ text: choice.message?.content ?? '', logprobs: null }));
    },

    createStreamReader(): StreamReader {
      return createOpenAIStyleStreamReader(name, (json) => {
        const chunk = expectShape(openAIChatChunkSchema, json, name);
        const part: CompletionPart = { choices: [] };
        for (const [position, choice] of (chunk.choices ?? []).entries()) {
          const text = choice.delta?.content ?? '';
          const finishReason = mapOpenAIFinishReason(choice.finish_reason, name);
          // The opening `role` delta carries no text: nothing to tell the caller yet.
          if (text || finishReason) part.choices.push({ index: choice.index ?? position, text, logprobs: null, finish_reason: finishReason });
        }
        const usage = convertOpenAICompatibleUsage(chunk.usage ?? chunk.x_groq?.usage);
        if (usage) part.usage = usage;
        if (part.choices.length === 0 && !part.usage) return [];
        if (chunk.id) part.id = chunk.id;
        if (chunk.model) part.model = chunk.model;
        return [part];
      });
    },
  };
}
