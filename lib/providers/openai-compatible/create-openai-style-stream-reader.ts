import { parseUpstreamJson } from '../parse-upstream-json.ts';
import type { CompletionPart, StreamReader } from '../provider.ts';
import { readOpenAIStreamError } from './read-openai-stream-error.ts';

/**
 * The frame of an OpenAI-style SSE stream, shared by the completions and the chat family: JSON
 * events, an error event as data, and `[DONE]` as the only clean end (a stream that stops
 * before it is truncated). A family supplies only how one chunk becomes parts.
 * @see https://platform.openai.com/docs/api-reference/completions/create#completions-create-stream
 */
export function createOpenAIStyleStreamReader(provider: string, readChunk: (json: unknown) => CompletionPart[]): StreamReader {
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
    end: () => (done ? [] : undefined),
  };
}
