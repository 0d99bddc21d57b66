/**
 * Stamps provider-neutral completion parts into OpenAI `text_completion` objects:
 * one response, or a stream of SSE chunks that always ends in `[DONE]` or an error event.
 */
import { randomUUID } from 'node:crypto';
import type { CompletionPart } from '../providers/provider.ts';
import type { CompletionChunk, CompletionResponse, Usage } from './completion-response.ts';
import { toGatewayError } from './errors.ts';
import { encodeSseData, SSE_DONE } from './sse.ts';

export interface RenderOptions {
  /** The model sent upstream (after `override_params`); used when the provider does not name one. */
  model: string;
  /** Seconds since the epoch; fixed per response so every chunk agrees. */
  created?: number;
}

export function newCompletionId(): string {
  return `cmpl-${randomUUID().replaceAll('-', '')}`;
}

/**
 * A part without usage (the provider reported none) says zeros here: the caller of `renderResponse`
 * puts its estimate on the part first (handle-completion.ts), so zeros are only what no one could count.
 * @example renderResponse({ choices: [...], usage }, { model: 'm' }).object // 'text_completion'
 */
export function renderResponse(part: CompletionPart, options: RenderOptions): CompletionResponse {
  const response: CompletionResponse = {
    id: part.id ?? newCompletionId(),
    object: 'text_completion',
    created: options.created ?? Math.floor(Date.now() / 1000),
    model: part.model ?? options.model,
    choices: part.choices,
    usage: part.usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
  if (part.system_fingerprint) response.system_fingerprint = part.system_fingerprint;
  return response;
}

/** How a rendered stream ended, for the request's usage record. */
export interface StreamEnd {
  /** Summed over every part that reported one; else the estimate the usage chunk carried, if one was sent. */
  usage: Usage | undefined;
  /** True when `usage` is `estimateUsage`'s, not the provider's. */
  usageEstimated: boolean;
  /** The in-band error the stream ended with, if any. */
  error: unknown;
  /** False when the caller stopped reading before the end. */
  completed: boolean;
}

/**
 * Writes parts as SSE. With `includeUsage`, a final chunk with empty `choices` carries the usage
 * (summed over every part that reported one), as OpenAI does; when none did, `estimateUsage`'s
 * count, awaited only then, so that only this last chunk waits for it. An error after the first byte
 * becomes `data: {"error": ...}` and the stream ends without `[DONE]`: a caller must never
 * mistake a broken answer for a finished one. `onError` sees that error (for logging); `onEnd`
 * runs once however the stream ends (done, error, or the caller gone).
 */
export async function* renderStream(
  parts: AsyncIterable<CompletionPart>,
  options: RenderOptions & {
    includeUsage: boolean;
    onError?: (error: unknown) => void;
    onEnd?: (end: StreamEnd) => void;
    /** Sees each part with choices as it is sent (the usage record counts the text of a stream left early). */
    onSent?: (part: CompletionPart) => void;
    /** The usage chunk's numbers when no part reported usage; undefined (or none given) says zeros. */
    estimateUsage?: () => Promise<Usage | undefined>;
  },
): AsyncGenerator<string> {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  let id: string | undefined;
  let model = options.model;
  let usage: Usage | undefined;
  let usageEstimated = false;
  let failure: unknown;
  let completed = false;
  // Every chunk of a stream starts alike: its head is encoded once, not per event.
  let head = '';
  let headModel: string | undefined;
  try {
    try {
      for await (const part of parts) {
        id ??= part.id ?? newCompletionId();
        if (part.model) model = part.model;
        if (part.usage) usage = usage ? addUsage(usage, part.usage) : part.usage;
        if (part.choices.length === 0) continue;
        if (headModel !== model) {
          headModel = model;
          head = encodeChunkHead(id, created, model);
        }
        options.onSent?.(part);
        yield `${head}${JSON.stringify(part.choices)}}\n\n`;
      }
    } catch (error) {
      failure = error;
      options.onError?.(error);
      completed = true;
      yield encodeSseData(toGatewayError(error).toOpenAIError());
      return;
    }
    if (options.includeUsage) {
      if (usage === undefined && options.estimateUsage) {
        usage = await options.estimateUsage();
        usageEstimated = usage !== undefined;
      }
      const chunk: CompletionChunk = {
        id: id ?? newCompletionId(),
        object: 'text_completion',
        created,
        model,
        choices: [],
        usage: usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
      };
      yield encodeSseData(chunk);
    }
    completed = true;
    yield SSE_DONE;
  } finally {
    options.onEnd?.({ usage, usageEstimated, error: failure, completed });
  }
}

/**
 * `data: {"id":…,"object":"text_completion","created":…,"model":…,"choices":` — what
 * `encodeSseData(chunk)` writes before the choices of a `CompletionChunk` (same keys, same order),
 * so that a chunk is its head, its choices' JSON and `}\n\n`.
 */
function encodeChunkHead(id: string, created: number, model: string): string {
  return `data: {"id":${JSON.stringify(id)},"object":"text_completion","created":${JSON.stringify(created)},"model":${JSON.stringify(model)},"choices":`;
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
  };
}
