/**
 * Issue #11 items 3, 8 and 11, through the local server: a request asks for at most
 * GATEWAY_MAX_FAN_OUT completions (400 before any upstream call); a non-streaming upstream body
 * over GATEWAY_MAX_UPSTREAM_BODY_BYTES or cut mid-way, and a stream event over
 * GATEWAY_MAX_STREAM_EVENT_BYTES, are a 502 (before the first byte) or an in-band error (after
 * it), never a 500; an upstream 1xx or 3xx is a 502 without its Location.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCustomHostGuard } from '../../lib/config/custom-host-guard.ts';
import { createFileKeyStore } from '../../lib/keys/file-key-store.ts';
import { json, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { OPENAI_COMPLETION, openAIChunk } from '../fakes/openai-samples.ts';
import { startGatewayWith, type RunningGateway } from '../support/start-gateway.ts';

const MAX_FAN_OUT = 12;
const MAX_BODY = 8 * 1024;
const MAX_EVENT = 4 * 1024;

let upstream: FakeUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  // Read once per container, as on Lambda: set before the engine's first import (below).
  process.env.GATEWAY_MAX_FAN_OUT = String(MAX_FAN_OUT);
  process.env.GATEWAY_MAX_UPSTREAM_BODY_BYTES = String(MAX_BODY);
  process.env.GATEWAY_MAX_STREAM_EVENT_BYTES = String(MAX_EVENT);
  upstream = await startFakeUpstream(json(200, { ...OPENAI_COMPLETION, choices: [{ text: 'ok', index: 0, logprobs: null, finish_reason: 'stop' }] }));
  gateway = await startGatewayWith({ customHostGuard: createCustomHostGuard('loopback', { defaultAllowed: '' }), keyStore: createFileKeyStore({ virtual_keys: {} }) });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});
beforeEach(() => {
  upstream.received.length = 0;
});

async function post(body: Record<string, unknown>, options: { provider?: string; host?: string } = {}) {
  const response = await fetch(`${gateway.url}/v1/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer k',
      'x-portkey-provider': options.provider ?? 'openai',
      'x-portkey-custom-host': options.host ?? `${upstream.url}/v1`,
    },
    body: JSON.stringify({ model: 'm', prompt: 'hi', ...body }),
  });
  const text = await response.text();
  let error: Record<string, string> | undefined;
  try {
    error = (JSON.parse(text) as { error?: Record<string, string> }).error;
  } catch {
    // A stream.
  }
  return { status: response.status, text, error, headers: response.headers };
}

describe('the fan-out cap (GATEWAY_MAX_FAN_OUT)', () => {
  it.each([
    ['ollama (emulated prompts and n)', 'ollama', { prompt: Array.from({ length: 4 }, (_, index) => `p${index}`), n: 4 }, 'prompt'],
    ['ollama, n alone', 'ollama', { n: MAX_FAN_OUT + 1 }, 'n'],
    ['openai (native), prompts × n', 'openai', { prompt: Array.from({ length: 7 }, (_, index) => `p${index}`), n: 2 }, 'prompt'],
    ['openai, best_of', 'openai', { n: 1, best_of: MAX_FAN_OUT + 1 }, 'best_of'],
    ['openai, token prompts × n', 'openai', { prompt: [[1, 2], [3], [4], [5]], n: 4 }, 'prompt'],
  ])('refuses %s with a 400 before any upstream call', async (_name, provider, body, param) => {
    const { status, error } = await post(body, { provider });
    expect(status).toBe(400);
    expect(error).toMatchObject({ type: 'invalid_request_error', code: 'too_many_completions', param });
    expect(upstream.received).toHaveLength(0);
  });

  it('refuses a large request quickly and without planning (the 29 KB example, 100 prompts × 128)', async () => {
    const { status, error } = await post({ prompt: Array.from({ length: 2_000 }, () => 'a'), n: 128 }, { provider: 'ollama' });
    expect(status).toBe(400);
    expect(error?.message).toContain('256000 completions');
    expect(upstream.received).toHaveLength(0);
  });

  it('runs a fan-out at the cap: prompts × n calls, each answered', async () => {
    upstream.fallback = json(200, { ...OPENAI_COMPLETION, choices: [{ text: 'ok', index: 0, logprobs: null, finish_reason: 'stop' }] });
    const { status, text } = await post({ prompt: ['a', 'b', 'c'], n: 4 }, { provider: 'ollama' });
    expect(status).toBe(200);
    expect((JSON.parse(text) as { choices: unknown[] }).choices).toHaveLength(MAX_FAN_OUT);
    expect(upstream.received).toHaveLength(MAX_FAN_OUT);
  });
});

describe('upstream bodies (GATEWAY_MAX_UPSTREAM_BODY_BYTES)', () => {
  it.each([
    ['with a content-length', true],
    ['chunked', false],
  ])('answers 502 for a body over the limit (%s)', async (_name, withLength) => {
    const body = JSON.stringify({ ...OPENAI_COMPLETION, choices: [{ text: 'x'.repeat(MAX_BODY * 2), index: 0, logprobs: null, finish_reason: 'stop' }] });
    upstream.enqueue((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', ...(withLength ? { 'content-length': String(Buffer.byteLength(body)) } : {}) });
      response.end(body);
    });
    const { status, error } = await post({});
    expect(status).toBe(502);
    expect(error).toMatchObject({ code: 'upstream_response_too_large', provider: 'openai' });
  });

  it.each([
    ['a content-length it does not reach', true],
    ['a chunked body that stops', false],
  ])('answers 502, not 500, for a body cut mid-way (%s)', async (_name, withLength) => {
    upstream.enqueue((_request, response, raw) => {
      response.writeHead(200, { 'content-type': 'application/json', ...(withLength ? { 'content-length': '4000' } : {}) });
      response.write('{"id":"cmpl-1","choices":[{"text":"hal');
      setTimeout(() => raw.socket.destroy(), 20);
    });
    const { status, error } = await post({});
    expect(status).toBe(502);
    expect(error).toMatchObject({ code: 'upstream_response_incomplete', provider: 'openai' });
  });
});

describe('upstream streams (GATEWAY_MAX_STREAM_EVENT_BYTES)', () => {
  it.each([
    ['one line without a newline', (response: http.ServerResponse) => response.write(`data: ${'x'.repeat(MAX_EVENT * 4)}`)],
    ['many data lines of one event', (response: http.ServerResponse) => {
      for (let line = 0; line < 64; line++) response.write(`data: ${'y'.repeat(256)}\n`);
    }],
  ])('answers 502 before the first byte for an oversized first event (%s)', async (_name, write) => {
    upstream.enqueue((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      write(response);
      // The upstream keeps the connection open: the cap, not the end, must decide.
    });
    const { status, error } = await post({ stream: true });
    expect(status).toBe(502);
    expect(error).toMatchObject({ code: 'upstream_event_too_large', provider: 'openai' });
  });

  it('ends a started stream with an in-band error for an oversized later event', async () => {
    upstream.enqueue((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${JSON.stringify(openAIChunk('Hello'))}\n\n`);
      setTimeout(() => response.write(`data: ${'z'.repeat(MAX_EVENT * 4)}`), 20);
    });
    const { status, text } = await post({ stream: true });
    expect(status).toBe(200);
    expect(text).toContain('Hello');
    expect(text).toContain('"code":"upstream_event_too_large"');
    expect(text).not.toContain('[DONE]');
  });

  it('keeps a stream whose events are each under the limit, however many', async () => {
    upstream.enqueue((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let index = 0; index < 50; index++) response.write(`: keep-alive\n\ndata: ${JSON.stringify(openAIChunk('a'.repeat(200)))}\n\n`);
      response.end(`data: ${JSON.stringify(openAIChunk('', 'stop'))}\n\ndata: [DONE]\n\n`);
    });
    const { status, text } = await post({ stream: true });
    expect(status).toBe(200);
    expect(text).toContain('[DONE]');
    expect(text).not.toContain('"error"');
  });
});

describe('upstream statuses that are not answers', () => {
  it.each([301, 302, 307, 308, 304])('answers %i as a 502 without its Location', async (code) => {
    upstream.enqueue((_request, response) => {
      response.writeHead(code, { location: 'http://169.254.169.254/latest/meta-data/', 'content-type': 'text/plain' });
      response.end();
    });
    const { status, error, headers } = await post({});
    expect(status).toBe(502);
    expect(error).toMatchObject({ code: 'unexpected_upstream_status', provider: 'openai' });
    expect(headers.get('location')).toBeNull();
  });

  it.each([
    ['a 1xx and then nothing', 'HTTP/1.1 103 Early Hints\r\nlink: </x>\r\n\r\n'],
    ['an unknown 1xx and then nothing', 'HTTP/1.1 199 Weird\r\n\r\n'],
    ['a status past 599', 'HTTP/1.1 799 Odd\r\ncontent-length: 2\r\n\r\n{}'],
  ])('answers 502 for %s', async (_name, raw) => {
    const server = net.createServer((socket) => {
      socket.once('data', () => {
        socket.write(raw);
        setTimeout(() => socket.destroy(), 20);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { status, error } = await post({}, { host: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` });
      expect(status).toBe(502);
      expect(error?.provider).toBe('openai');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
