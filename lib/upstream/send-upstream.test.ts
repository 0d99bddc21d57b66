import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddressPolicy } from './address-policy.ts';
import { sendUpstream } from './send-upstream.ts';

let server: http.Server;
let received = 0;
let paths: string[] = [];
let origin: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    received++;
    paths.push(request.url ?? '');
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
