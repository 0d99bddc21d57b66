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

/** What `renderStream` is told besides the parts. */
export interface RenderStreamOptions extends RenderOptions {
  includeUsage: boolean;
  onError?: (error: unknown) => void;
  onEnd?: (end: StreamEnd) => void;
  /** Sees each part with choices as it is sent (the usage record counts the text of a stream left early). */
  onSent?: (part: CompletionPart) => void;
  /** The usage chunk's numbers when no part reported usage; undefined (or none given) says zeros. */
  estimateUsage?: () => Promise<Usage | undefined>;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * Writes parts as SSE. With `includeUsage`, a final chunk with empty `choices` carries the usage
 * (summed over every part that reported one), as OpenAI does; when none did, `estimateUsage`'s
 * count, awaited only then, so that only this last chunk waits for it. An error after the first byte
 * becomes `data: {"error": ...}` and the stream ends without `[DONE]`: a caller must never
 * mistake a broken answer for a finished one. `onError` sees that error (for logging); `onEnd`
 * runs once however the stream ends (done, error, or the caller gone).
 *
 * It behaves as the async generator it was (one `next()` at a time; a `return()` during a
 * `next()` waits for it; `return()` before the first `next()` runs nothing, not even `onEnd`),
 * written as a plain iterator because a generator's suspension and resumption cost several
 * promise hops per event, on the path of every streamed chunk.
 */
export function renderStream(parts: AsyncIterable<CompletionPart>, options: RenderStreamOptions): AsyncIterableIterator<string> {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const upstream = parts[Symbol.asyncIterator]();
  let id: string | undefined;
  let model = options.model;
  let usage: Usage | undefined;
  let usageEstimated = false;
  let failure: unknown;
  let completed = false;
  // Every chunk of a stream starts alike: its head is encoded once, not per event.
  let head = '';
  let headModel: string | undefined;
  /**
   * Where the stream stands between two `next()`s: not started; reading parts (a text chunk was
   * the last out); the usage chunk was out, `[DONE]` comes next; the last event (`[DONE]` or the
   * error) was out, the end comes next; ended (`onEnd` has run).
   */
  let phase: 'start' | 'parts' | 'done' | 'last' | 'ended' = 'start';
  let pending: Promise<unknown> | undefined;

  function end(): IteratorReturnResult<undefined> {
    phase = 'ended';
    options.onEnd?.({ usage, usageEstimated, error: failure, completed });
    return DONE;
  }

  /** Ends the stream on an exception of the renderer's own (a generator's `finally`), and passes it on. */
  function endAndThrow(error: unknown): never {
    if (phase !== 'ended') end();
    throw error;
  }

  function onFailure(error: unknown): IteratorResult<string> {
    try {
      failure = error;
      options.onError?.(error);
      completed = true;
      phase = 'last';
      return { done: false, value: encodeSseData(toGatewayError(error).toOpenAIError()) };
    } catch (thrown) {
      return endAndThrow(thrown);
    }
  }

  function onPart(next: IteratorResult<CompletionPart>): IteratorResult<string> | Promise<IteratorResult<string>> {
    if (next.done) return afterParts();
    const part = next.value;
    try {
      id ??= part.id ?? newCompletionId();
      if (part.model) model = part.model;
      if (part.usage) usage = usage ? addUsage(usage, part.usage) : part.usage;
      if (part.choices.length === 0) return upstream.next().then(onPart, onFailure);
      if (headModel !== model) {
        headModel = model;
        head = encodeChunkHead(id, created, model);
      }
      options.onSent?.(part);
      return { done: false, value: `${head}${JSON.stringify(part.choices)}}\n\n` };
    } catch (error) {
      // Leaving the loop over the parts closes them, as `for await` does.
      upstream.return?.()?.catch(() => {});
      return onFailure(error);
    }
  }

  function afterParts(): IteratorResult<string> | Promise<IteratorResult<string>> {
    try {
      if (!options.includeUsage) return lastEvent();
      if (usage === undefined && options.estimateUsage) {
        return options.estimateUsage().then((estimate) => {
          usage = estimate;
          usageEstimated = estimate !== undefined;
          return usageEvent();
        }, endAndThrow);
      }
      return usageEvent();
    } catch (error) {
      return endAndThrow(error);
    }
  }

  function usageEvent(): IteratorResult<string> {
    phase = 'done';
    const chunk: CompletionChunk = {
      id: id ?? newCompletionId(),
      object: 'text_completion',
      created,
      model,
      choices: [],
      usage: usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    };
    return { done: false, value: encodeSseData(chunk) };
  }

  function lastEvent(): IteratorResult<string> {
    completed = true;
    phase = 'last';
    return { done: false, value: SSE_DONE };
  }

  function step(): IteratorResult<string> | Promise<IteratorResult<string>> {
    switch (phase) {
      case 'start':
      case 'parts':
        phase = 'parts';
        return upstream.next().then(onPart, onFailure);
      case 'done':
        return lastEvent();
      case 'last':
        return end();
      case 'ended':
        return DONE;
    }
  }

  /** As a generator's `return()` where it stands: at a chunk inside the loop the parts are closed first; then `onEnd`. */
  function close(): Promise<IteratorResult<string>> {
    switch (phase) {
      case 'start':
      case 'ended':
        phase = 'ended';
        return Promise.resolve(DONE);
      case 'parts':
        return Promise.resolve(upstream.return?.()).then(end, endAndThrow);
      default:
        return Promise.resolve(end());
    }
  }

  const iterator: AsyncIterableIterator<string> = {
    next() {
      let result: IteratorResult<string> | Promise<IteratorResult<string>>;
      try {
        result = step();
      } catch (error) {
        return Promise.reject(error);
      }
      const promise = result instanceof Promise ? result : Promise.resolve(result);
      pending = promise;
      return promise;
    },
    return() {
      const waiting = pending;
      pending = undefined;
      return waiting ? waiting.then(close, close) : close();
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
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
