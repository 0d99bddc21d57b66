import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAIErrorSchema } from '../../lib/api/completion-response.ts';
import { startGateway, type RunningGateway } from '../support/start-gateway.ts';

// Every error answer must be the OpenAI shape, whatever layer produced it.
const errorOf = async (response: Response) => openAIErrorSchema.parse(await response.json()).error;

describe('the local server', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(() => gateway.close());

  const post = (body: string | Uint8Array, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${gateway.url}/v1/completions`, { method: 'POST', headers: { 'x-portkey-provider': 'openai', ...headers }, body });

  it('answers /health', async () => {
    const response = await fetch(`${gateway.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers unknown routes with a 404 in the OpenAI error shape', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect((await errorOf(response)).type).toBe('invalid_request_error');
  });

  it.each([
    ['malformed JSON', '{"model":', { 'content-type': 'application/json' }, 400, 'invalid_json'],
    ['a non-JSON content type', 'model=m', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type'],
    ['an empty body', '', { 'content-type': 'application/json' }, 400, 'empty_body'],
    ['a JSON array', '[]', { 'content-type': 'application/json' }, 400, 'invalid_body'],
  ])('answers %s with a clear 4xx', async (_name, body, headers, status, code) => {
    const response = await post(body, headers);
    expect(response.status).toBe(status);
    expect(response.headers.get('x-portkey-trace-id')).toBeTruthy();
    expect(await errorOf(response)).toMatchObject({ type: 'invalid_request_error', code });
  });

  it('answers an oversized body (> 6 MB) with 413', async () => {
    const body = JSON.stringify({ model: 'm', prompt: 'x'.repeat(6 * 1024 * 1024 + 10) });
    const response = await post(body);
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('request_too_large');
  });

  it('answers a bad parameter with a 400 naming it', async () => {
    const response = await post(JSON.stringify({ model: 'm', prompt: 'p', logprobs: 9 }));
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ param: 'logprobs', type: 'invalid_request_error' });
  });
});
