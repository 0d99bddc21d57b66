/**
 * Issue #11 item 2, through the local server: an upstream that echoes the credential it was sent
 * (whole, masked, truncated; in a JSON error, a text body, a stream's error event) never gets it
 * to the caller's answer or to a log line; a 401/403 on a virtual key's credential names the key.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCustomHostGuard } from '../../lib/config/custom-host-guard.ts';
import { createFileKeyStore } from '../../lib/keys/file-key-store.ts';
import { setLogSink } from '../../lib/log.ts';
import { json, sse, type FakeUpstream, startFakeUpstream } from '../fakes/fake-upstream.ts';
import { openAIChunk } from '../fakes/openai-samples.ts';
import { startGatewayWith, type RunningGateway } from '../support/start-gateway.ts';

const CALLER_KEY = 'sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78';
const STORED_KEY = 'sk-stored-Zy98Xw76Vu54Ts32Rq10Po98Nm76Lk54';

/** What the upstream says, given the key it received. */
const ECHOES: Array<[string, (key: string) => string]> = [
  ['the whole key', (key) => `Incorrect API key provided: ${key}.`],
  ['OpenAI’s masked form', (key) => `Incorrect API key provided: ${key.slice(0, 8)}${'*'.repeat(24)}${key.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`],
  ['a prefix and ellipsis', (key) => `Invalid key ${key.slice(0, 10)}... for this organisation`],
  ['the last four characters', (key) => `API key ending in ${key.slice(-4)} is disabled`],
  ['a bullet mask', (key) => `key ••••••${key.slice(-6)} revoked`],
  ['a truncated key', (key) => `unknown key '${key.slice(0, 20)}'`],
];

/** Every form of `key` an answer or log line must not hold. */
function leaks(text: string, key: string): string[] {
  return [key, key.slice(0, 10), key.slice(-6), key.slice(8, 20)].filter((form) => text.includes(form));
}

let upstream: FakeUpstream;
let gateway: RunningGateway;
let restoreLog: (() => void) | undefined;
const logLines: string[] = [];

beforeAll(async () => {
  process.env.LOG_LEVEL = 'info';
  restoreLog = setLogSink((line) => logLines.push(line));
  upstream = await startFakeUpstream();
  gateway = await startGatewayWith({
    customHostGuard: createCustomHostGuard('loopback', { defaultAllowed: '' }),
    keyStore: createFileKeyStore({
      virtual_keys: { 'openai-prod': { provider: 'openai', api_key: STORED_KEY, custom_host: `${upstream.url}/v1` } },
    }),
  });
});
afterAll(async () => {
  restoreLog?.();
  await gateway?.close();
  await upstream?.close();
});
beforeEach(() => {
  logLines.length = 0;
  upstream.received.length = 0;
});

function client(headers: Record<string, string>, apiKey = CALLER_KEY): OpenAI {
  return new OpenAI({ apiKey, baseURL: gateway.baseURL, maxRetries: 0, defaultHeaders: headers });
}
const direct = () => client({ 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` });

async function failure(request: Promise<unknown>): Promise<{ status: number; body: string }> {
  try {
    await request;
  } catch (error) {
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    return { status: apiError.status ?? 0, body: JSON.stringify(apiError.error ?? apiError.message) };
  }
  throw new Error('the request succeeded');
}

describe('an upstream echoing the key', () => {
  it.each(ECHOES)('scrubs %s from a 401 JSON error and its log line', async (_form, echo) => {
    upstream.enqueue(json(401, { error: { message: echo(CALLER_KEY), type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }));
    const { status, body } = await failure(direct().completions.create({ model: 'm', prompt: 'x' }));
    expect(status).toBe(401);
    expect(body).toContain('[redacted]');
    expect(leaks(body, CALLER_KEY)).toEqual([]);
    expect(logLines.length).toBeGreaterThan(0);
    expect(leaks(logLines.join('\n'), CALLER_KEY)).toEqual([]);
  });

  it.each(ECHOES)('scrubs %s from a 403 text body', async (_form, echo) => {
    upstream.enqueue((_request, response) => {
      response.writeHead(403, { 'content-type': 'text/plain' });
      response.end(echo(CALLER_KEY));
    });
    const { status, body } = await failure(direct().completions.create({ model: 'm', prompt: 'x' }));
    expect(status).toBe(403);
    expect(leaks(body, CALLER_KEY)).toEqual([]);
    expect(leaks(logLines.join('\n'), CALLER_KEY)).toEqual([]);
  });

  it('scrubs the key from the param and code an upstream fills with it', async () => {
    upstream.enqueue(json(400, { error: { message: 'bad', type: 'invalid_request_error', param: CALLER_KEY, code: `key_${CALLER_KEY.slice(0, 12)}***` } }));
    const { status, body } = await failure(direct().completions.create({ model: 'm', prompt: 'x' }));
    expect(status).toBe(400);
    expect(leaks(body, CALLER_KEY)).toEqual([]);
  });

  it.each(ECHOES)('scrubs %s from a stream’s in-band error event', async (_form, echo) => {
    upstream.enqueue(sse([openAIChunk('Hello'), { error: { message: echo(CALLER_KEY), type: 'server_error' } }], { done: false }));
    const response = await fetch(`${gateway.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CALLER_KEY}`, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` },
      body: JSON.stringify({ model: 'm', prompt: 'x', stream: true }),
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).toContain('Hello');
    expect(text).toMatch(/"error":/);
    expect(leaks(text, CALLER_KEY)).toEqual([]);
    expect(leaks(logLines.join('\n'), CALLER_KEY)).toEqual([]);
  });

  it.each(ECHOES.slice(0, 3))('scrubs %s of a virtual key’s stored credential and names the virtual key', async (_form, echo) => {
    upstream.enqueue(json(401, { error: { message: echo(STORED_KEY), type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }));
    const { status, body } = await failure(client({ 'x-portkey-virtual-key': 'openai-prod' }, 'unused').completions.create({ model: 'm', prompt: 'x' }));
    expect(status).toBe(401);
    expect(body).toContain('virtual key \\"openai-prod\\"');
    expect(leaks(body, STORED_KEY)).toEqual([]);
    expect(leaks(logLines.join('\n'), STORED_KEY)).toEqual([]);
    expect(upstream.received[0]!.headers.authorization).toBe(`Bearer ${STORED_KEY}`);
  });

  it('names the virtual key on a 403 too, and leaves other statuses’ messages as the upstream wrote them', async () => {
    upstream.enqueue(json(403, { error: { message: 'Project does not have access to model m', type: 'invalid_request_error' } }));
    const denied = await failure(client({ 'x-portkey-virtual-key': 'openai-prod' }, 'unused').completions.create({ model: 'm', prompt: 'x' }));
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('virtual key \\"openai-prod\\"');
    expect(denied.body).toContain('Project does not have access to model m');

    upstream.enqueue(json(404, { error: { message: 'The model m does not exist', type: 'invalid_request_error' } }));
    const missing = await failure(client({ 'x-portkey-virtual-key': 'openai-prod' }, 'unused').completions.create({ model: 'm', prompt: 'x' }));
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ message: 'The model m does not exist' });
  });
});
