import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCompletionRequest } from '../api/completion-request.ts';
import { UpstreamError } from '../api/errors.ts';
import { createSseDecoder } from '../upstream/decode-sse.ts';
import type { CompletionPart, ProviderCall } from './provider.ts';
import { createStreamTransform, readUpstreamStream } from './read-upstream-stream.ts';
import { loadProvider } from './provider-lookup.ts';

const openai = (await loadProvider('openai'))!;
const call: ProviderCall = {
  params: parseCompletionRequest({ model: 'm', prompt: 'p', stream: true }),
  target: { provider: 'openai' },
  stream: true,
  forwardedHeaders: {},
  strict: false,
};
const chunk = (text: string, finish: string | null = null) => `data: ${JSON.stringify({ id: 'cmpl-1', choices: [{ index: 0, text, logprobs: null, finish_reason: finish }] })}\n\n`;

/** A real Readable over the given pieces, as node:http hands the engine a body. */
function body(pieces: Array<string | Error>): Readable {
  let position = 0;
  return new Readable({
    read() {
      const piece = pieces[position++];
      if (piece === undefined) this.push(null);
      else if (piece instanceof Error) this.destroy(piece);
      else this.push(Buffer.from(piece));
    },
  });
}

function open(pieces: Array<string | Error>) {
  const readable = body(pieces);
  return { readable, parts: readUpstreamStream(openai, createStreamTransform(openai, call), createSseDecoder(), readable) };
}

async function texts(parts: AsyncIterable<CompletionPart>): Promise<string[]> {
  const seen: string[] = [];
  for await (const part of parts) seen.push(part.choices.map((choice) => choice.text).join(''));
  return seen;
}

describe('readUpstreamStream', () => {
  it('yields every part of events split across chunks, and ends at [DONE]', async () => {
    const text = chunk('Hel') + chunk('lo') + chunk('', 'stop') + 'data: [DONE]\n\n';
    const { parts } = open([text.slice(0, 7), text.slice(7, 50), text.slice(50)]);
    await parts.ready();
    expect(await texts(parts)).toEqual(['Hel', 'lo', '']);
  });

  it('fails with stream_truncated, once for every provider, when the body ends before the provider’s last event', async () => {
    const { parts } = open([chunk('Hel')]);
    await parts.ready();
    await expect(texts(parts)).rejects.toMatchObject({ code: 'stream_truncated', statusCode: 502, message: 'openai ended the stream before [DONE].' });
  });

  it('throws from ready() when the stream fails before its first part (still retryable)', async () => {
    const { parts } = open([`data: ${JSON.stringify({ error: { message: 'overloaded', type: 'server_error', param: null, code: 'overloaded' } })}\n\n`]);
    await expect(parts.ready()).rejects.toMatchObject({ code: 'overloaded' });
  });

  it('delivers the parts read before a broken connection, then fails with stream_interrupted', async () => {
    const { parts } = open([chunk('Hel') + chunk('lo'), new Error('socket hang up')]);
    const seen: string[] = [];
    const failure = await (async () => {
      try {
        for await (const part of parts) seen.push(part.choices[0]!.text);
      } catch (error) {
        return error;
      }
    })();
    expect(seen).toEqual(['Hel', 'lo']);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({ code: 'stream_interrupted', isConnectionError: true });
  });

  it('closes the upstream body when the consumer stops early', async () => {
    const { readable, parts } = open([chunk('a'), chunk('b'), chunk('c'), 'data: [DONE]\n\n']);
    for await (const part of parts) {
      expect(part.choices[0]!.text).toBe('a');
      break;
    }
    expect(readable.destroyed).toBe(true);
    expect(await parts.next()).toEqual({ done: true, value: undefined });
  });

  it('reads no further while its consumer is busy, and delivers everything once it comes back', async () => {
    const pieces = Array.from({ length: 50 }, (_, index) => chunk(`t${index}`));
    const { readable, parts } = open([...pieces, 'data: [DONE]\n\n']);
    await parts.ready();
    // A consumer busy for a while: the body must not be drained into memory meanwhile.
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(readable.isPaused()).toBe(true);
    expect(readable.readableEnded).toBe(false);
    expect(await texts(parts)).toEqual(pieces.map((_, index) => `t${index}`));
  });

  it('fails with stream_interrupted when the body closes without ending', async () => {
    const readable = new Readable({ read() {} });
    const parts = readUpstreamStream(openai, createStreamTransform(openai, call), createSseDecoder(), readable);
    readable.push(Buffer.from(chunk('Hel')));
    await parts.ready();
    expect((await parts.next()).value?.choices[0]?.text).toBe('Hel');
    const pending = parts.next();
    readable.destroy();
    await expect(pending).rejects.toMatchObject({ code: 'stream_interrupted', statusCode: 502 });
  });
});
