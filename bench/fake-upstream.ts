/**
 * The benchmark's upstream: a loopback server that answers `POST {prefix}/completions` in the
 * OpenAI text-completions wire format, JSON or SSE, as fast as Node can, with knobs for what a
 * real provider adds (a fixed latency, a response size, the pacing of a stream).
 *
 * Shapes follow OpenAI's reference examples (completion object and streamed chunk). A stream asked
 * for with `stream_options: {include_usage: true}` (the gateway always asks) ends as OpenAI's does:
 * every chunk has `usage: null`, and one more chunk, with empty `choices` and the usage, comes
 * before `[DONE]`.
 * @see https://platform.openai.com/docs/api-reference/completions/object
 * @see https://platform.openai.com/docs/api-reference/completions/create (stream: true, stream_options)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUpstreamOptions {
  /** Milliseconds to wait before answering (headers and first byte). Default 0. */
  latencyMs?: number;
  /** Length of the completion text in a JSON answer, in characters. Default 120. */
  responseChars?: number;
  /** Chunks in a streamed answer (each carries one token of text). Default 20. */
  streamChunks?: number;
  /** Milliseconds between streamed chunks. Default 20. */
  chunkIntervalMs?: number;
  /**
   * Whether a stream asked for `include_usage` ends with its usage chunk, as OpenAI's does (default),
   * or not, as a server that ignores the field: the gateway then counts the tokens itself.
   */
  streamUsage?: boolean;
}

export interface BenchUpstream {
  url: string;
  /** Requests answered so far (a cheap check that the gateways really went upstream). */
  readonly answered: number;
  /** performance.now() when the latest request's headers arrived (NaN before the first). */
  readonly lastRequestAt: number;
  close(): Promise<void>;
}

const CREATED = 1589478378;

/** A completion object like OpenAI's example, its text padded to `chars` characters. */
export function completionBody(model: string, chars: number): string {
  const seed = '\n\nThis is indeed a test';
  const text = chars <= seed.length ? seed.slice(0, chars) : seed + ' of the gateway'.repeat(Math.ceil((chars - seed.length) / 15)).slice(0, chars - seed.length);
  return JSON.stringify({
    id: 'cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7',
    object: 'text_completion',
    created: CREATED,
    model,
    system_fingerprint: 'fp_44709d6fcb',
    choices: [{ text, index: 0, logprobs: null, finish_reason: 'length' }],
    usage: { prompt_tokens: 5, completion_tokens: Math.max(1, Math.round(chars / 4)), total_tokens: 5 + Math.max(1, Math.round(chars / 4)) },
  });
}

const STREAM_ID = 'cmpl-7iA7iJjj8V2zOkCGvWF2hAkDWBQZe';

/** One SSE event of a streamed completion; the last one carries the finish reason. */
export function streamEvent(model: string, index: number, last: boolean, includeUsage = false): string {
  const chunk = {
    id: STREAM_ID,
    object: 'text_completion',
    created: CREATED,
    choices: [{ text: index === 0 ? 'This' : ` word${index}`, index: 0, logprobs: null, finish_reason: last ? 'length' : null }],
    model,
    system_fingerprint: 'fp_44709d6fcb',
    ...(includeUsage ? { usage: null } : {}),
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

/** The usage chunk of a stream asked for with `include_usage`: empty choices, one token per text chunk. */
export function streamUsageEvent(model: string, chunks: number): string {
  const usage = { prompt_tokens: 5, completion_tokens: chunks, total_tokens: 5 + chunks };
  return `data: ${JSON.stringify({ id: STREAM_ID, object: 'text_completion', created: CREATED, choices: [], model, system_fingerprint: 'fp_44709d6fcb', usage })}\n\n`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startBenchUpstream(options: FakeUpstreamOptions = {}): Promise<BenchUpstream> {
  const { latencyMs = 0, responseChars = 120, streamChunks = 20, chunkIntervalMs = 20, streamUsage = true } = options;
  // Answers are precomputed per model: the fake must cost as little as possible, it shares the client's core.
  const jsonBodies = new Map<string, string>();
  let answered = 0;
  let lastRequestAt = Number.NaN;

  const server = http.createServer((request, response) => {
    lastRequestAt = performance.now();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body: { model?: unknown; stream?: unknown; stream_options?: { include_usage?: unknown } };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end('{"error":{"message":"body is not JSON","type":"invalid_request_error","param":null,"code":null}}');
        return;
      }
      const model = typeof body.model === 'string' ? body.model : 'gpt-3.5-turbo-instruct';
      answered++;
      const includeUsage = streamUsage && body.stream_options?.include_usage === true;
      const answer = body.stream === true ? answerStream : answerJson;
      if (latencyMs > 0) setTimeout(() => void answer(model, response, includeUsage), latencyMs);
      else void answer(model, response, includeUsage);
    });
  });

  function answerJson(model: string, response: http.ServerResponse): void {
    let text = jsonBodies.get(model);
    if (text === undefined) jsonBodies.set(model, (text = completionBody(model, responseChars)));
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  }

  async function answerStream(model: string, response: http.ServerResponse, includeUsage: boolean): Promise<void> {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (let index = 0; index < streamChunks; index++) {
      if (response.destroyed) return;
      response.write(streamEvent(model, index, index === streamChunks - 1, includeUsage));
      if (index < streamChunks - 1) await sleep(chunkIntervalMs);
    }
    response.end(`${includeUsage ? streamUsageEvent(model, streamChunks) : ''}data: [DONE]\n\n`);
  }

  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get answered() {
      return answered;
    },
    get lastRequestAt() {
      return lastRequestAt;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
