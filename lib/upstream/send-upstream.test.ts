import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAddressPolicy } from './address-policy.ts';
import { unreachablePort } from '../../test/support/unreachable-port.ts';
import { setLogSink } from '../log.ts';
import { afterNextUpstreamRequest, readBodyText, sendUpstream } from './send-upstream.ts';

let server: http.Server;
let received = 0;
let paths: string[] = [];
let origin: string;
/** Resolved by the test's queued work; `/held` answers once it is, or says "late" after a second. */
let workRan: Promise<void> = Promise.resolve();

beforeAll(async () => {
  server = http.createServer((request, response) => {
    received++;
    paths.push(request.url ?? '');
    if (request.url === '/big') return void response.end('x'.repeat(4096));
    if (request.url === '/held') {
      const late = new Promise<string>((resolve) => setTimeout(resolve, 1000, 'late').unref());
      return void Promise.race([workRan.then(() => 'in time'), late]).then((verdict) => response.end(verdict));
    }
    if (request.url === '/cut') {
      response.writeHead(200, { 'content-length': '100' });
      response.write('{"partial":');
      setTimeout(() => response.socket?.destroy(), 20);
      return;
    }
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const request = (url: string) => ({ url, method: 'POST' as const, headers: {}, body: '{}' });

describe('sendUpstream', () => {
  it.each([
    ['another host', () => 'contoso.openai.azure.com'],
    ['another port', () => '127.0.0.1:1'],
    ['a pattern the host does not match', () => /^[a-z0-9-]+\.openai\.azure\.com$/],
  ])('refuses a URL whose host is not the expected one (%s), sending nothing', async (_name, expected) => {
    const before = received;
    await expect(sendUpstream(request(`${origin}/v1/completions`), { provider: 'openai', expectedHost: expected() })).rejects.toMatchObject({
      statusCode: 400,
      code: 'upstream_host_not_allowed',
    });
    expect(received).toBe(before);
  });

  it('connects when the host is the expected one and its address allowed', async () => {
    const response = await sendUpstream(request(`${origin}/v1/completions`), {
      provider: 'openai',
      expectedHost: new URL(origin).host,
      addressPolicy: createAddressPolicy(['loopback']),
    });
    response.body.resume();
    expect(response.statusCode).toBe(200);
  });

  it.each([
    ['an address literal', () => origin],
    ['a name resolving to loopback', () => origin.replace('127.0.0.1', 'localhost')],
  ])('refuses %s the policy does not list, sending nothing', async (_name, base) => {
    const before = received;
    await expect(sendUpstream(request(`${base()}/v1/completions`), { provider: 'openai', addressPolicy: createAddressPolicy(['*']) })).rejects.toMatchObject({
      statusCode: 400,
      code: 'custom_host_not_allowed',
    });
    expect(received).toBe(before);
  });

  it('sends each request to its own URL, path and query included, also when a URL repeats', async () => {
    paths = [];
    const urls = [`${origin}/v1/completions`, `${origin}/v1/models/m:generate?alt=sse&key=k1`, `${origin}/v1/completions`, `${origin}/v1/models/m:generate?alt=sse&key=k2`];
    for (const url of urls) {
      const response = await sendUpstream(request(url), { provider: 'openai', addressPolicy: createAddressPolicy(['loopback']) });
      response.body.resume();
      expect(response.statusCode).toBe(200);
    }
    expect(paths).toEqual(['/v1/completions', '/v1/models/m:generate?alt=sse&key=k1', '/v1/completions', '/v1/models/m:generate?alt=sse&key=k2']);
  });
});

describe('readBodyText', () => {
  const bodyOf = async (path: string) => (await sendUpstream(request(`${origin}${path}`), { provider: 'openai' })).body;

  it('reads a whole body', async () => {
    await expect(readBodyText(await bodyOf('/v1/completions'), { provider: 'openai', limitBytes: 1024 })).resolves.toBe('{}');
  });

  it('refuses a body over the limit as a 502 naming the provider', async () => {
    const body = await bodyOf('/big');
    await expect(readBodyText(body, { provider: 'openai', limitBytes: 1024 })).rejects.toMatchObject({ statusCode: 502, code: 'upstream_response_too_large', provider: 'openai' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(body.destroyed).toBe(true);
  });

  it('reports a body cut off mid-way, also one already destroyed, as incomplete', async () => {
    await expect(readBodyText(await bodyOf('/cut'), { provider: 'openai', limitBytes: 1024 })).rejects.toMatchObject({
      statusCode: 502,
      code: 'upstream_response_incomplete',
      isConnectionError: true,
    });
    const destroyed = await bodyOf('/v1/completions');
    destroyed.destroy();
    await expect(readBodyText(destroyed, { provider: 'openai', limitBytes: 1024 })).rejects.toMatchObject({ code: 'upstream_response_incomplete' });
  });
});

describe('afterNextUpstreamRequest', () => {
  it('runs its work once the next request is written, while the answer is awaited: not before, not for a request never sent, and once', async () => {
    let runs = 0;
    let signalRun = () => {};
    workRan = new Promise((resolve) => (signalRun = resolve));
    afterNextUpstreamRequest(() => {
      runs++;
      signalRun();
    });

    const refused = sendUpstream(request(`http://127.0.0.1:${await unreachablePort()}/v1/completions`), { provider: 'openai' });
    expect(runs).toBe(0);
    await expect(refused).rejects.toMatchObject({ code: 'upstream_unreachable' });
    expect(runs).toBe(0);

    const held = sendUpstream(request(`${origin}/held`), { provider: 'openai' });
    expect(runs).toBe(0);
    // The upstream answers only once the work has run, or "late" a second after: the work ran with the request in flight.
    expect(await readBodyText((await held).body, { provider: 'openai', limitBytes: 1024 })).toBe('in time');
    expect(runs).toBe(1);

    await readBodyText((await sendUpstream(request(`${origin}/again`), { provider: 'openai' })).body, { provider: 'openai', limitBytes: 1024 });
    expect(runs).toBe(1);
  });

  it('logs a failing work and still runs the rest and answers the request', async () => {
    const lines: string[] = [];
    const restore = setLogSink((line) => lines.push(line));
    vi.stubEnv('LOG_LEVEL', 'error');
    try {
      let ran = false;
      afterNextUpstreamRequest(() => {
        throw new Error('boom');
      });
      afterNextUpstreamRequest(() => (ran = true));
      const response = await sendUpstream(request(`${origin}/v1/completions`), { provider: 'openai' });
      expect(await readBodyText(response.body, { provider: 'openai', limitBytes: 1024 })).toBe('{}');
      expect(ran).toBe(true);
      expect(lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ level: 'error', message: 'work queued after an upstream request failed', errorMessage: 'boom' })]);
    } finally {
      vi.unstubAllEnvs();
      restore();
    }
  });
});
