/**
 * Reads provider fixtures (`__fixtures__/*.json` as `{source, body}`, `*.sse.txt` as raw SSE
 * whose first line is a `: source` comment) and plays SSE through the real decoder and a
 * provider's stream transform, in small byte chunks as a network would deliver them.
 */
import { readFileSync } from 'node:fs';
import { decodeSse } from '../../lib/upstream/decode-sse.ts';
import type { CompletionPart, StreamTransform } from '../../lib/providers/provider.ts';

export function readJsonFixture(url: URL): unknown {
  const fixture = JSON.parse(readFileSync(url, 'utf8')) as { source?: string; body: unknown };
  if (!fixture.source) throw new Error(`${url.pathname} does not cite its source`);
  return fixture.body;
}

export function readSseFixture(url: URL): string {
  const text = readFileSync(url, 'utf8');
  if (!text.startsWith(': source ')) throw new Error(`${url.pathname} does not cite its source`);
  return text;
}

async function* inChunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

/** Every part the transform emits for the SSE text, flush included. Throws what the transform throws. */
export async function playSse(transform: StreamTransform, sseText: string, chunkSize = 13): Promise<CompletionPart[]> {
  const parts: CompletionPart[] = [];
  for await (const event of decodeSse(inChunks(sseText, chunkSize))) parts.push(...transform.transform(event));
  parts.push(...transform.flush());
  return parts;
}

/** The text of one choice across parts. */
export function textOf(parts: readonly CompletionPart[], index = 0): string {
  return parts.flatMap((part) => part.choices.filter((choice) => choice.index === index).map((choice) => choice.text)).join('');
}

/** SSE text of `data:` events (optionally named), as a provider writes them. */
export function toSse(events: ReadonlyArray<{ event?: string; data: unknown }>): string {
  return events
    .map(({ event, data }) => `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`)
    .join('');
}
