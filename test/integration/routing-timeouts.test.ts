/**
 * Timeouts and broken streams through the real handler on loopback: request_timeout bounds
 * the wait for headers (a stream: its first event); after the first byte every failure is an
 * in-band error event, never a silent truncated 200.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, sse, startFakeUpstream, type FakeUpstream, type Responder } from '../fakes/fake-upstream.ts';
import { startGateway, type RunningGateway } from '../support/start-gateway.ts';
import { openAIChunk } from '../fakes/openai-samples.ts';

const IDLE_LIMIT_MS = 800;

const ANSWER = {
  id: 'cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7',
  object: 'text_completion',
  created: 1589478378,
  model: 'gpt-3.5-turbo-instruct',
  choices: [{ text: 'fast enough', index: 0, logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
};

describe('timeouts and broken streams through the local gateway', () => {
  let gateway: RunningGateway;
  let slow: FakeUpstream;
  let backup: FakeUpstream;
  /** Resolved when the gateway closes the connection of a request that was left hanging. */
  let upstreamClosed: Promise<void>;

  /** Never answers: only the gateway giving up ends it. */
  const hang: Responder = (_request, _response, raw) => {
    upstreamClosed = new Promise((resolve) => raw.socket.once('close', () => resolve()));
  };
  /** Sends the headers, then waits before any event. */
  const headersOnly: Responder = (_request, response, raw) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.flushHeaders();
    upstreamClosed = new Promise((resolve) => raw.socket.once('close', () => resolve()));
  };
  /** One event, then the connection is cut without [DONE]. */
  const cutAfterOne: Responder = async (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(`data: ${JSON.stringify(openAIChunk('half an'))}\n\n`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    response.socket?.destroy();
  };
  /** One event, then silence with the connection open. */
  const stallAfterOne: Responder = (_request, response, raw) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(`data: ${JSON.stringify(openAIChunk('then nothing'))}\n\n`);
    upstreamClosed = new Promise((resolve) => raw.socket.once('close', () => resolve()));
  };

  beforeAll(async () => {
    [slow, backup, gateway] = await Promise.all([
      startFakeUpstream(),
      startFakeUpstream(),
      startGateway({ GATEWAY_STREAM_IDLE_TIMEOUT_MS: String(IDLE_LIMIT_MS), GATEWAY_RETRY_BASE_DELAY_MS: '10' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([gateway?.close(), slow?.close(), backup?.close()]);
  });
  beforeEach(() => {
    slow.received.length = 0;
    backup.received.length = 0;
  });

  async function complete(headers: Record<string, string>, body: Record<string, unknown> = {}) {
    const response = await fetch(`${gateway.baseURL}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-caller-key', ...headers },
      body: JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', ...body }),
    });
    return { response, text: await response.text() };
  }
  const config = (value: unknown) => ({ 'x-portkey-config': JSON.stringify(value) });

  it('answers 504 in the OpenAI error shape when headers do not come within request_timeout, and aborts the upstream', async () => {
    slow.enqueue(hang);
    const started = Date.now();
    const { response, text } = await complete(config({ provider: 'openai', custom_host: `${slow.url}/v1`, request_timeout: 300 }));
    const elapsed = Date.now() - started;

    expect(response.status).toBe(504);
    expect(JSON.parse(text)).toEqual({
      error: { message: 'openai did not respond within 300 ms', type: 'timeout_error', param: null, code: 'upstream_timeout', provider: 'openai' },
    });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    // Without the timeout this would hang until the test's own limit.
    expect(elapsed).toBeLessThan(5000);
    await expect(Promise.race([upstreamClosed.then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, 5000, 'open'))])).resolves.toBe('closed');
  });

  it('takes the limit from x-portkey-request-timeout without a config', async () => {
    slow.enqueue(hang);
    const started = Date.now();
    const { response } = await complete({ 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${slow.url}/v1`, 'x-portkey-request-timeout': '250' });
    expect(response.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('counts a stream until its first event: headers alone do not beat the limit', async () => {
    slow.enqueue(headersOnly);
    const { response, text } = await complete(config({ provider: 'openai', custom_host: `${slow.url}/v1`, request_timeout: 300 }), { stream: true });
    expect(response.status).toBe(504);
    expect(JSON.parse(text).error.code).toBe('upstream_timeout');
    await expect(Promise.race([upstreamClosed.then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, 5000, 'open'))])).resolves.toBe('closed');
  });

  it('bounds a stream without request_timeout by the idle limit until its first event', async () => {
    slow.enqueue(headersOnly);
    const started = Date.now();
    const { response, text } = await complete(config({ provider: 'openai', custom_host: `${slow.url}/v1` }), { stream: true });
    expect(response.status).toBe(504);
    expect(JSON.parse(text).error.code).toBe('upstream_timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_LIMIT_MS - 50);
  });

  it('falls back to the next target when the first times out', async () => {
    slow.enqueue(hang);
    backup.enqueue(json(200, ANSWER));
    const { response, text } = await complete(
      config({
        strategy: { mode: 'fallback' },
        // Generous: the backup must answer within it even on a busy machine.
        request_timeout: 1000,
        targets: [
          { provider: 'openai', custom_host: `${slow.url}/v1` },
          { provider: 'openai', custom_host: `${backup.url}/v1` },
        ],
      }),
    );
    expect(response.status).toBe(200);
    expect(JSON.parse(text).choices[0].text).toBe('fast enough');
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config.targets[1]');
  });

  it('ends a stream cut mid-way with an error event and no [DONE]', async () => {
    slow.enqueue(cutAfterOne);
    const { response, text } = await complete(config({ provider: 'openai', custom_host: `${slow.url}/v1` }), { stream: true });
    expect(response.status).toBe(200);
    const events = text.split('\n\n').filter(Boolean);
    expect(JSON.parse(events[0]!.slice('data: '.length)).choices[0].text).toBe('half an');
    const last = JSON.parse(events.at(-1)!.slice('data: '.length));
    expect(last.error).toMatchObject({ provider: 'openai', type: 'api_error' });
    expect(text).not.toContain('[DONE]');
  });

  it('makes the official openai SDK throw on that error event', async () => {
    slow.enqueue(cutAfterOne);
    const client = new OpenAI({
      apiKey: 'sk-caller-key',
      baseURL: gateway.baseURL,
      maxRetries: 0,
      defaultHeaders: config({ provider: 'openai', custom_host: `${slow.url}/v1` }),
    });
    const stream = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', stream: true });
    const texts: string[] = [];
    const consume = async () => {
      for await (const part of stream) texts.push(part.choices[0]!.text);
    };
    await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(texts).toEqual(['half an']);
  });

  it('ends a stream that stays silent past the idle limit with an error event, and aborts the upstream', async () => {
    slow.enqueue(stallAfterOne);
    const started = Date.now();
    const { response, text } = await complete(config({ provider: 'openai', custom_host: `${slow.url}/v1` }), { stream: true });
    expect(response.status).toBe(200);
    expect(text).toContain('"text":"then nothing"');
    const last = JSON.parse(text.trim().split('\n\n').at(-1)!.slice('data: '.length));
    expect(last.error).toMatchObject({ code: 'stream_idle_timeout', type: 'timeout_error', provider: 'openai' });
    expect(text).not.toContain('[DONE]');
    expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_LIMIT_MS - 50);
    await expect(Promise.race([upstreamClosed.then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, 5000, 'open'))])).resolves.toBe('closed');
  });

  it('never cuts a healthy stream whose total length exceeds the idle limit and the request timeout', async () => {
    slow.enqueue(sse([openAIChunk('one'), openAIChunk(' two'), openAIChunk(' three'), openAIChunk(' four'), openAIChunk('', 'stop')], { delayMs: IDLE_LIMIT_MS / 4 }));
    const { response, text } = await complete(config({ provider: 'openai', custom_host: `${slow.url}/v1`, request_timeout: 700 }), { stream: true });
    expect(response.status).toBe(200);
    expect(text).not.toContain('"error"');
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });
});
