/**
 * A stored whole part → stream parts in OpenAI's shape, for a caller who asked to stream:
 * one chunk per choice (its whole text, logprobs and finish reason, in index order), then one
 * usage part. `renderStream` turns them into SSE and writes the usage chunk only when the caller
 * sent `stream_options.include_usage`, exactly as for a live stream.
 */
import type { CompletionPart } from '../providers/provider.ts';

/** @example for await (const chunk of renderStream(replayParts(stored), { model, includeUsage })) write(chunk); */
export function replayParts(stored: CompletionPart): AsyncIterable<CompletionPart> {
  const parts = replayPartList(stored);
  // A plain iterator over a list: a hit should cost no more promises than it must.
  return {
    [Symbol.asyncIterator]() {
      let position = 0;
      return {
        next: () => Promise.resolve(position < parts.length ? { done: false, value: parts[position++]! } : { done: true, value: undefined }),
        return: (value?: unknown) => {
          position = parts.length;
          return Promise.resolve({ done: true, value: value as CompletionPart });
        },
      };
    },
  };
}

export function replayPartList(stored: CompletionPart): CompletionPart[] {
  const header: Omit<CompletionPart, 'choices' | 'usage'> = {};
  if (stored.id !== undefined) header.id = stored.id;
  if (stored.model !== undefined) header.model = stored.model;
  if (stored.system_fingerprint) header.system_fingerprint = stored.system_fingerprint;
  const parts: CompletionPart[] = [...stored.choices].sort((a, b) => a.index - b.index).map((choice) => ({ ...header, choices: [{ ...choice }] }));
  if (stored.usage) parts.push({ ...header, choices: [], usage: stored.usage });
  return parts;
}
