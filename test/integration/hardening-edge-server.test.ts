/**
 * Issue #11, the edge: `npm start` itself (functions/completions/local.ts in a child process, its
 * log lines read from stdout) against callers that misbehave, bodies that stall, wrong methods,
 * names that must not be echoed, and inputs whose error answers must not grow with them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, sse, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { openAIChunk, OPENAI_COMPLETION } from '../fakes/openai-samples.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BODY_TIMEOUT_MS = 400;
const PASTED_KEY = 'sk-proj-Zq7vXo0wR4nT9bLm2Yc8HsK1dPaE6fGuJi3';

describe('npm start at the edge', () => {
  let upstream: FakeUpstream;
  let child: ChildProcess;
  let port: number;
  let stdout = '';

  beforeAll(async () => {
    upstream = await startFakeUpstream(json(200, OPENAI_COMPLETION));
    const directory = mkdtempSync(join(tmpdir(), 'gateway-edge-'));
    writeFileSync(join(directory, 'gateway.keys.json'), JSON.stringify({ virtual_keys: { known: { provider: 'openai', api_key: 'sk-stored', custom_host: `${upstream.url}/v1` } } }));
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', LOG_LEVEL: 'info', GATEWAY_LOCAL_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS) };
    for (const name of ['GATEWAY_KEY_SOURCE', 'GATEWAY_KEYS_FILE', 'GATEWAY_ALLOWED_CUSTOM_HOSTS']) delete env[name];
    child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'functions/completions/local.ts')], { cwd: directory, env, stdio: ['ignore', 'pipe', 'pipe'] });
    port = await new Promise<number>((resolvePort, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /"url":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(stdout);
        if (match) resolvePort(Number(match[1]));
      });
      child.stderr!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${stdout}`)));
    });
  }, 30_000);

  afterAll(async () => {
    child?.kill('SIGTERM');
    await upstream?.close();
  });

  const url = (path = '/v1/completions') => `http://127.0.0.1:${port}${path}`;
  const headers = (extra: Record<string, string> = {}) => ({
    'content-type': 'application/json',
    'x-portkey-provider': 'openai',
    authorization: 'Bearer sk-caller',
    'x-portkey-custom-host': `${upstream.url}/v1`,
    ...extra,
  });
  const post = (body: unknown, extra: Record<string, string> = {}) =>
    fetch(url(), { method: 'POST', headers: headers(extra), body: typeof body === 'string' ? body : JSON.stringify(body) });

  /** Raw HTTP over one socket: what it received by the time the server closed it (or `waitMs` passed). */
  function rawExchange(write: (socket: net.Socket) => void, options: { waitMs: number; reset?: boolean }): Promise<{ received: string; closedByServer: boolean }> {
    return new Promise((resolveExchange) => {
      const socket = net.connect(port, '127.0.0.1');
      let received = '';
      let closedByServer = false;
      socket.on('error', () => {});
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.on('end', () => (closedByServer = true));
      socket.once('connect', () => write(socket));
      setTimeout(() => {
        if (options.reset) socket.resetAndDestroy();
        else socket.destroy();
        resolveExchange({ received, closedByServer });
      }, options.waitMs);
    });
  }

  const requestHead = (length: number, extra = '') =>
    `POST /v1/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-portkey-provider: openai\r\nauthorization: Bearer sk-caller\r\n` +
    `x-portkey-custom-host: ${upstream.url}/v1\r\ncontent-length: ${length}\r\n${extra}\r\n`;

  async function expectStillServing(): Promise<void> {
    expect((await fetch(url('/health'))).status).toBe(200);
    upstream.fallback = json(200, OPENAI_COMPLETION);
    const response = await post({ model: 'm', prompt: 'x' });
    expect(response.status).toBe(200);
    expect(child.exitCode).toBeNull();
  }

  describe('survives every client behaviour', () => {
    const body = JSON.stringify({ model: 'm', prompt: 'x', stream: true });
    const slowStream = () => sse([openAIChunk('a'), openAIChunk('b'), openAIChunk('c', 'stop')], { delayMs: 40 });
    const slowJson = () => async (_request: unknown, response: import('node:http').ServerResponse) => {
      await new Promise((wait) => setTimeout(wait, 150));
      if (!response.destroyed) json(200, OPENAI_COMPLETION)(_request as never, response, undefined as never);
    };

    it.each([
      ['leaves in the middle of its body', (socket: net.Socket) => socket.write(requestHead(body.length) + body.slice(0, 7)), {}, undefined],
      ['leaves after its headers', (socket: net.Socket) => socket.write(requestHead(body.length)), {}, undefined],
      ['leaves before the answer starts', (socket: net.Socket) => socket.write(requestHead(body.length) + body.replace('true', 'false')), {}, slowJson],
      ['leaves in the middle of a stream', (socket: net.Socket) => socket.write(requestHead(body.length) + body), {}, slowStream],
      ['resets the connection in the middle of a stream', (socket: net.Socket) => socket.write(requestHead(body.length) + body), { reset: true }, slowStream],
      ['half-closes right after its request', (socket: net.Socket) => socket.end(requestHead(body.length) + body), {}, slowStream],
      ['pipelines two requests and leaves', (socket: net.Socket) => socket.write(requestHead(body.length) + body + requestHead(body.length) + body), {}, slowStream],
      ['sends a chunked body and leaves mid-chunk', (socket: net.Socket) => socket.write('POST /v1/completions HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\ncontent-type: application/json\r\n\r\n5\r\n{"mod'), {}, undefined],
      ['sends malformed HTTP', (socket: net.Socket) => socket.write('GARBAGE / NOTHTTP\r\n\0\0\r\n\r\n'), {}, undefined],
      ['sends both content-length and transfer-encoding', (socket: net.Socket) => socket.write(requestHead(body.length, 'transfer-encoding: chunked\r\n') + body), {}, undefined],
    ] as const)('a caller that %s', async (_name, write, options, answer) => {
      // The fallback, not the queue: a caller that leaves early may never reach the upstream.
      if (answer) upstream.fallback = answer();
      // Three times each, leaving at different moments.
      for (const waitMs of [5, 60, 120]) await rawExchange(write, { waitMs, ...options });
      await expectStillServing();
      expect(stdout).not.toContain('"message":"local server failed"');
    });
  });

  describe('a body that stalls, and the method', () => {
    it.each([
      ['only headers', () => requestHead(40)],
      ['half a body', () => `${requestHead(40)}{"model":"m",`],
      ['a chunked body without its last chunk', () => 'POST /v1/completions HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\ncontent-type: application/json\r\n\r\n2\r\n{"\r\n'],
    ])('answers 408 and closes the connection when it sends %s and stalls', async (_name, text) => {
      const { received, closedByServer } = await rawExchange((socket) => socket.write(text()), { waitMs: BODY_TIMEOUT_MS * 5 });
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
      expect(received).toContain('"code":"request_timeout"');
      expect(closedByServer).toBe(true);
    });

    it.each(['GET', 'PUT', 'DELETE', 'PATCH'])('answers %s /v1/completions with 405 before looking at any body', async (method) => {
      const response = await fetch(url(), { method, headers: { 'content-type': 'text/plain' }, ...(method === 'GET' ? {} : { body: 'not json at all' }) });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(((await response.json()) as { error: unknown }).error).toMatchObject({ type: 'invalid_request_error', code: 'method_not_allowed' });
    });

    it('answers 405 to a GET whose body never comes', async () => {
      const { received } = await rawExchange((socket) => socket.write('GET /v1/completions HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n'), { waitMs: 200 });
      expect(received).toMatch(/^HTTP\/1\.1 405 /);
    });
  });

  describe('names that never resolved', () => {
    it.each([
      ['a pasted provider key', PASTED_KEY],
      ['a long name', `team-${'x'.repeat(150)}`],
      ['a name outside the secret alphabet', `${PASTED_KEY}!$`],
    ])('does not echo or log %s used as a virtual key', async (_name, virtualKey) => {
      const before = stdout.length;
      const response = await post({ model: 'm', prompt: 'x' }, { 'x-portkey-virtual-key': virtualKey });
      expect(response.status).toBe(404);
      const error = ((await response.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('virtual_key_not_found');
      expect(error.message).toMatch(/^Unknown virtual key "[^"]{4}… \(sha256 [0-9a-f]{8}\)"\.$/);
      await new Promise((wait) => setTimeout(wait, 50));
      const logged = stdout.slice(before);
      expect(logged).toContain('"statusCode":404');
      expect(logged).not.toContain(virtualKey.slice(0, 12));
    });

    it('does not echo or log a pasted key used as a stored config id', async () => {
      const before = stdout.length;
      const response = await post({ model: 'm', prompt: 'x' }, { 'x-portkey-config': PASTED_KEY });
      expect(response.status).toBe(404);
      expect(JSON.stringify(await response.json())).not.toContain(PASTED_KEY.slice(0, 12));
      await new Promise((wait) => setTimeout(wait, 50));
      expect(stdout.slice(before)).not.toContain(PASTED_KEY.slice(0, 12));
    });

    it('still names a virtual key that resolved', async () => {
      upstream.enqueue(json(200, OPENAI_COMPLETION));
      const before = stdout.length;
      expect((await post({ model: 'm', prompt: 'x' }, { 'x-portkey-virtual-key': 'known' })).status).toBe(200);
      await new Promise((wait) => setTimeout(wait, 50));
      expect(stdout.slice(before)).toContain('"virtualKey":"known"');
    });
  });

  describe('error answers and log lines do not grow with the input', () => {
    const MAX_ANSWER_BYTES = 4096;
    it.each([
      ['a million-character bad value', { model: 'm', prompt: 'x', user: 7, suffix: 'y'.repeat(1_000_000), logprobs: 'z'.repeat(1_000_000) }],
      ['100,000 unknown arguments', { model: 'm', prompt: 'x', ...Object.fromEntries(Array.from({ length: 100_000 }, (_, index) => [`unknown_${index}`, 1])) }],
      ['one unknown argument with a 1 MB name', { model: 'm', prompt: 'x', ['k'.repeat(1_000_000)]: 1 }],
      ['300,000 bad prompt tokens', { model: 'm', prompt: Array.from({ length: 300_000 }, () => -1) }],
      ['300,000 logit_bias entries', { model: 'm', prompt: 'x', logit_bias: Object.fromEntries(Array.from({ length: 300_000 }, (_, index) => [String(index), 1])) }],
      ['a stop list of 100,000 long strings', { model: 'm', prompt: 'x', stop: Array.from({ length: 100_000 }, () => 's'.repeat(20)) }],
    ])('answers %s with a 400 of at most 4 KB and a short log line', async (_name, body) => {
      const before = stdout.length;
      const response = await post(body);
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
      expect(JSON.parse(text).error.type).toBe('invalid_request_error');
      await new Promise((wait) => setTimeout(wait, 50));
      for (const line of stdout.slice(before).split('\n').filter(Boolean)) expect(line.length).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
    });

    it('answers a config with thousands of bad targets with a short 400', async () => {
      const config = JSON.stringify({ strategy: { mode: 'fallback' }, targets: Array.from({ length: 600 }, (_, index) => ({ provider: `nope-${index}`, colour: 'x' })) });
      const response = await post({ model: 'm', prompt: 'x' }, { 'x-portkey-config': config });
      expect(response.status).toBe(400);
      expect(Buffer.byteLength(await response.text())).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
    });
  });
});
