import { parseUpstreamJson } from '../parse-upstream-json.ts';
import type { CompletionPart, StreamReader } from '../provider.ts';
import { readOpenAIStreamError } from './read-openai-stream-error.ts';

/**
 * The frame of an OpenAI-style SSE stream, shared by the completions and the chat family and by
 * Workers AI: JSON events, an error event as data, and `[DONE]` as the only clean end (a stream
 * that stops before it is truncated). A format supplies how one chunk becomes parts and, when its
 * events carry no finish reason (Workers AI decides it from the whole stream's usage), the parts
 * it still owes after `[DONE]`; `end` is never called for a truncated stream.
 * @see https://platform.openai.com/docs/api-reference/completions/create#completions-create-stream
 */
export function createOpenAIStyleStreamReader(provider: string, readChunk: (json: unknown) => CompletionPart[], end?: () => CompletionPart[]): StreamReader {
  let done = false;
  return {
    read(event) {
      if (event.kind !== 'sse') return [];
      if (event.data === '[DONE]') {
        done = true;
        return [];
      }
      const json = parseUpstreamJson(event.data, provider);
      if (typeof json === 'object' && json !== null && 'error' in json) throw readOpenAIStreamError(json, provider);
      return readChunk(json);
    },
    end() {
      if (!done) return undefined;
      return end ? end() : [];
    },
  };
}
