import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { json, startFakeUpstream, type FakeUpstream } from '../../test/fakes/fake-upstream.ts';

/** Captures what the handler writes to the Lambda response stream, chunk by chunk. */
class CapturingStream extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void) {
    this.chunks.push(Buffer.from(chunk));
    callback();
  }
}

// The runtime's framing: `from` writes the JSON prelude and 8 NUL bytes before the body.
const fromCalls: unknown[] = [];
vi.stubGlobal('awslambda', {
  streamifyResponse: (handler: unknown) => handler,
  HttpResponseStream: {
    from(stream: Writable, prelude: unknown) {
      fromCalls.push(prelude);
      stream.write(Buffer.concat([Buffer.from(JSON.stringify(prelude)), Buffer.alloc(8)]));
      return stream;
    },
  },
});

// Read at import, like Lambda's cold start.
process.env.GATEWAY_ALLOWED_CUSTOM_HOSTS = 'loopback';
const { handler, createCompletionsHandler } = await import('./handler.ts');
const { createCustomHostGuard } = await import('../../lib/config/custom-host-guard.ts');
const { createFileKeyStore } = await import('../../lib/keys/file-key-store.ts');
type Invoke = (event: unknown, stream: Writable, context: unknown) => Promise<void>;

function event(body: unknown, headers: Record<string, string> = {}) {
  return {
    httpMethod: 'POST',
    path: '/v1/completions',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { identity: { userArn: 'arn:aws:iam::123456789012:role/caller', accountId: '123456789012' } },
  };
}

async function invoke(input: unknown) {
  const stream = new CapturingStream();
  await (handler as unknown as Invoke)(input, stream, { getRemainingTimeInMillis: () => 900_000 });
  const all = Buffer.concat(stream.chunks);
  const split = all.indexOf(Buffer.alloc(8));
  return { first: stream.chunks[0]!, prelude: JSON.parse(all.subarray(0, split).toString()), body: all.subarray(split + 8).toString() };
}

describe('the Lambda handler in streaming mode', () => {
  let upstream: FakeUpstream;
  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterAll(() => upstream.close());

  it('writes the prelude as the first chunk, then the JSON body', async () => {
    upstream.enqueue(json(200, { id: 'cmpl-1', choices: [{ text: 'ok', index: 0, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }));
    const result = await invoke(event({ model: 'm', prompt: 'p' }, { 'X-Portkey-Provider': 'openai', 'X-Portkey-Custom-Host': `${upstream.url}/v1` }));
    expect(result.first.subarray(-8)).toEqual(Buffer.alloc(8));
    expect(result.prelude).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json', 'x-portkey-provider': 'openai' } });
    expect(JSON.parse(result.body)).toMatchObject({ id: 'cmpl-1', object: 'text_completion', choices: [{ text: 'ok' }] });
  });

  it('answers a validation failure in the OpenAI error shape with the trace id', async () => {
    const result = await invoke(event({ model: 'm', prompt: 'p', n: 0 }, { 'x-portkey-provider': 'openai', 'x-portkey-trace-id': 'abc-123' }));
    // Every answer says whether the cache served it; a request refused before routing never reached it.
    expect(result.prelude).toEqual({ statusCode: 400, headers: { 'content-type': 'application/json', 'x-portkey-trace-id': 'abc-123', 'x-portkey-cache-status': 'DISABLED' } });
    expect(JSON.parse(result.body)).toEqual({ error: { message: expect.stringContaining('n'), type: 'invalid_request_error', param: 'n', code: null } });
  });

  it('does not echo a trace id that could inject text into headers', async () => {
    const result = await invoke(event({ model: 'm', prompt: 'p', n: 0 }, { 'x-portkey-trace-id': 'bad value\r\nx: y' }));
    expect(result.prelude.headers['x-portkey-trace-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a custom host outside the allow list with a 400 that says why', async () => {
    const result = await invoke(event({ model: 'm', prompt: 'p' }, { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': 'http://169.254.169.254/latest' }));
    expect(result.prelude.statusCode).toBe(400);
    expect(JSON.parse(result.body).error).toMatchObject({ code: 'custom_host_not_allowed', param: 'x-portkey-custom-host' });
    expect(upstream.received.some((request) => request.path.includes('latest'))).toBe(false);
  });

  it('answers 405 for methods other than POST', async () => {
    const result = await invoke({ ...event({ model: 'm', prompt: 'p' }), httpMethod: 'PUT' });
    expect(result.prelude.statusCode).toBe(405);
  });

  it('answers a missing or unknown provider with a 400 naming the header', async () => {
    const missing = await invoke(event({ model: 'm', prompt: 'p' }));
    expect(JSON.parse(missing.body).error).toMatchObject({ param: 'x-portkey-provider', code: 'missing_provider' });
    const unknown = await invoke(event({ model: 'm', prompt: 'p' }, { 'x-portkey-provider': 'nope' }));
    expect(JSON.parse(unknown.body).error).toMatchObject({ param: 'x-portkey-provider', code: 'unknown_provider' });
  });

  it('answers a malformed upstream body with a 502 that names the provider, not the parse details', async () => {
    upstream.enqueue((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"choices": "not an array"}');
    });
    const result = await invoke(event({ model: 'm', prompt: 'p' }, { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` }));
    expect(result.prelude.statusCode).toBe(502);
    expect(JSON.parse(result.body).error).toEqual({ message: 'openai sent a response of an unexpected shape.', type: 'api_error', param: null, code: 'malformed_upstream_response', provider: 'openai' });
  });

  it('builds a handler from explicit dependencies, with no environment read', async () => {
    const finished: Array<{ statusCode: number }> = [];
    const built = createCompletionsHandler({
      customHostGuard: createCustomHostGuard('', { defaultAllowed: '' }),
      keyStore: createFileKeyStore({}),
      onRequestFinished: (request) => finished.push(request),
    }) as unknown as Invoke;
    const stream = new CapturingStream();
    // The environment allows loopback hosts; this handler's own guard allows none.
    await built(event({ model: 'm', prompt: 'p' }, { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` }), stream, { getRemainingTimeInMillis: () => 900_000 });
    expect(JSON.parse(Buffer.concat(stream.chunks).toString().split('\0').filter(Boolean).pop()!).error.code).toBe('custom_host_not_allowed');
    expect(finished).toMatchObject([{ statusCode: 400 }]);
  });

  it('aborts the upstream call when the Lambda response stream closes before the answer', async () => {
    let upstreamClosed = false;
    upstream.enqueue((_request, _response, raw) => {
      raw.socket.once('close', () => (upstreamClosed = true));
    });
    const received = upstream.received.length;
    const stream = new CapturingStream();
    const pending = (handler as unknown as Invoke)(
      event({ model: 'm', prompt: 'p' }, { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` }),
      stream,
      { getRemainingTimeInMillis: () => 900_000 },
    ).catch(() => undefined);
    for (let wait = 0; wait < 500 && upstream.received.length === received; wait++) await new Promise((resolve) => setTimeout(resolve, 10));
    stream.destroy(new Error('client gone'));
    await pending;
    for (let wait = 0; wait < 500 && !upstreamClosed; wait++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(upstreamClosed).toBe(true);
  });
});
