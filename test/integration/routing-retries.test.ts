/** Retries through the real handler on loopback: Retry-After, backoff, and the retry count header. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { json, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { startGateway, type RunningGateway } from '../support/start-gateway.ts';
import { OPENAI_COMPLETION } from '../fakes/openai-samples.ts';

// https://platform.openai.com/docs/guides/error-codes (429: rate limit reached for requests)
const RATE_LIMITED = { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } };

describe('retries through the local gateway', () => {
  let gateway: RunningGateway;
  let upstream: FakeUpstream;
  const arrivals: number[] = [];

  beforeAll(async () => {
    [upstream, gateway] = await Promise.all([startFakeUpstream(), startGateway({ GATEWAY_RETRY_BASE_DELAY_MS: '20' })]);
  });
  afterAll(async () => {
    await Promise.all([gateway?.close(), upstream?.close()]);
  });
  beforeEach(() => {
    upstream.received.length = 0;
    arrivals.length = 0;
  });

  const timed = (responder: ReturnType<typeof json>): ReturnType<typeof json> => (request, response, raw) => {
    arrivals.push(Date.now());
    return responder(request, response, raw);
  };

  async function complete(config: unknown) {
    const response = await fetch(`${gateway.baseURL}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-caller-key', 'x-portkey-config': JSON.stringify(config) },
      body: JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test' }),
    });
    return { response, body: (await response.json()) as Record<string, any> };
  }
  const target = (retry: unknown) => ({ provider: 'openai', custom_host: `${upstream.url}/v1`, retry });

  it('waits as long as Retry-After says when use_retry_after_header is set, then succeeds', async () => {
    upstream.enqueue(timed(json(429, RATE_LIMITED, { 'retry-after': '1' })), timed(json(200, OPENAI_COMPLETION)));
    const { response, body } = await complete(target({ attempts: 3, use_retry_after_header: true }));

    expect(response.status).toBe(200);
    expect(body.choices[0].text).toBe('\n\nThis is indeed a test');
    expect(response.headers.get('x-portkey-retry-attempt-count')).toBe('1');
    expect(upstream.received).toHaveLength(2);
    // Backoff alone would have waited at most 20 ms; Retry-After asked for a second.
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(900);
  });

  it('honours retry-after-ms too', async () => {
    upstream.enqueue(timed(json(429, RATE_LIMITED, { 'retry-after-ms': '300' })), timed(json(200, OPENAI_COMPLETION)));
    const { response } = await complete(target({ attempts: 1, useRetryAfterHeader: true }));
    expect(response.status).toBe(200);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(250);
  });

  it('counts each retry made before success', async () => {
    upstream.enqueue(json(503, { error: { message: 'overloaded' } }), json(502, { error: { message: 'bad gateway' } }), json(200, OPENAI_COMPLETION));
    const { response } = await complete(target({ attempts: 3 }));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-portkey-retry-attempt-count')).toBe('2');
    expect(upstream.received).toHaveLength(3);
  });

  it('gives up after the configured attempts, answering the last error with the count', async () => {
    upstream.enqueue(...Array.from({ length: 3 }, () => json(429, RATE_LIMITED)));
    const { response, body } = await complete(target({ attempts: 2 }));
    expect(response.status).toBe(429);
    expect(body.error).toMatchObject({ code: 'rate_limit_exceeded', provider: 'openai' });
    expect(response.headers.get('x-portkey-retry-attempt-count')).toBe('2');
    expect(response.headers.get('x-portkey-last-used-option-index')).toBe('config');
    expect(upstream.received).toHaveLength(3);
  });

  it('does not retry statuses outside on_status_codes, nor a provider 400', async () => {
    upstream.enqueue(json(500, { error: { message: 'boom' } }));
    const listed = await complete(target({ attempts: 3, on_status_codes: [429] }));
    expect(listed.response.status).toBe(500);
    expect(upstream.received).toHaveLength(1);

    upstream.received.length = 0;
    upstream.enqueue(json(400, { error: { message: 'bad prompt', type: 'invalid_request_error' } }));
    const client = await complete(target({ attempts: 3 }));
    expect(client.response.status).toBe(400);
    expect(upstream.received).toHaveLength(1);
  });

  it('does not wait for a Retry-After beyond the cap: the 429 is answered at once', async () => {
    upstream.enqueue(json(429, RATE_LIMITED, { 'retry-after': '3600' }));
    const started = Date.now();
    const { response } = await complete(target({ attempts: 3, use_retry_after_header: true }));
    expect(response.status).toBe(429);
    expect(response.headers.get('x-portkey-retry-attempt-count')).toBe('0');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(upstream.received).toHaveLength(1);
  });
});
