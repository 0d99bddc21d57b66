/**
 * Vertex AI through the real handler and the openai SDK. One loopback server plays both
 * Google's token endpoint (the service account's `token_uri`) and Vertex: the JWT-bearer
 * exchange once for many calls, the bearer token on each call, the project/region path of
 * Gemini and of Claude (rawPredict, `anthropic_version` in the body, no `model`), streams
 * read with the google and anthropic readers, and project/region checked before any call.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionResponseSchema } from '../../lib/api/completion-response.ts';
import { json, replaySse, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { startGateway, type RunningGateway } from '../support/start-gateway.ts';

interface Fixture {
  upstream: { url: string };
  streamUrl: string;
  request: Record<string, unknown>;
  response: Record<string, unknown>;
}
const load = (path: string) => readFileSync(new URL(`../../lib/providers/${path}`, import.meta.url), 'utf8');
const gemini = JSON.parse(load('vertex-ai/__fixtures__/vertex-ai-gemini.json')) as Fixture;
const claude = JSON.parse(load('vertex-ai/__fixtures__/vertex-ai-anthropic.json')) as Fixture;
const tokenFixture = JSON.parse(load('vertex-ai/__fixtures__/google-token.json')) as { response: { access_token: string; expires_in: number } };
/** The fixture's token ends in an ellipsis (elided); a real one is header-safe ASCII. */
const token = { response: { ...tokenFixture.response, access_token: tokenFixture.response.access_token.replace('…', 'Xy-123') } };
const geminiStream = load('google/__fixtures__/google-text.sse.txt');
const claudeStream = load('anthropic/__fixtures__/anthropic-text.sse.txt');

/** The text a recorded stream carries, read from its events (Gemini parts, Claude text deltas). */
function streamText(sseText: string): string {
  let text = '';
  for (const line of sseText.split('\n')) {
    if (!line.startsWith('data: ')) continue;
    const event = JSON.parse(line.slice(6)) as { candidates?: Array<{ content?: { parts?: Array<{ text?: string }> } }>; delta?: { text?: string } };
    for (const part of event.candidates?.[0]?.content?.parts ?? []) text += part.text ?? '';
    text += event.delta?.text ?? '';
  }
  return text;
}

let upstream: FakeUpstream;
let gateway: RunningGateway;
let serviceAccount: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  gateway = await startGateway();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  serviceAccount = JSON.stringify({
    type: 'service_account',
    project_id: 'my-project',
    private_key_id: 'key-1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    client_email: 'gateway@my-project.iam.gserviceaccount.com',
    token_uri: `${upstream.url}/token`,
  });
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

/** Where each fixture's URL is on the fake: the path below the regional host's `/v1`. */
const path = (url: string) => new URL(url).pathname + new URL(url).search;

function client(region: string, headers: Record<string, string> = {}): OpenAI {
  return new OpenAI({
    apiKey: 'unused',
    baseURL: gateway.baseURL,
    maxRetries: 0,
    defaultHeaders: {
      authorization: null,
      'x-portkey-provider': 'vertex-ai',
      'x-portkey-vertex-project-id': 'my-project',
      'x-portkey-vertex-region': region,
      'x-portkey-vertex-service-account-json': serviceAccount,
      'x-portkey-custom-host': `${upstream.url}/v1`,
      ...headers,
    },
  });
}

describe('vertex-ai', () => {
  it('exchanges the service account for a token once, and calls Gemini with it', async () => {
    upstream.enqueue(json(200, token.response), json(200, gemini.response), json(200, gemini.response));
    const before = upstream.received.length;
    const data = await client('us-central1').completions.create({ model: 'gemini-2.0-flash', prompt: 'The capital of France is', max_tokens: 3 });
    await client('us-central1').completions.create({ model: 'google.gemini-2.0-flash', prompt: 'The capital of France is', max_tokens: 3 });

    const [exchange, first, second] = upstream.received.slice(before);
    expect(exchange!.path).toBe('/token');
    expect(exchange!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(exchange!.rawBody);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const claims = JSON.parse(Buffer.from(form.get('assertion')!.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: 'gateway@my-project.iam.gserviceaccount.com', aud: `${upstream.url}/token`, scope: 'https://www.googleapis.com/auth/cloud-platform' });

    for (const call of [first!, second!]) {
      expect(call.path).toBe(path(gemini.upstream.url));
      expect(call.headers.authorization).toBe(`Bearer ${token.response.access_token}`);
      expect(call.headers['x-goog-api-key']).toBeUndefined();
      expect(call.body).toEqual(gemini.request);
    }
    expect(completionResponseSchema.parse(data).choices).toEqual([{ index: 0, text: 'Paris.', logprobs: null, finish_reason: 'stop' }]);
    expect(data.usage).toEqual({ prompt_tokens: 6, completion_tokens: 2, total_tokens: 8 });
  });

  it('streams Gemini from streamGenerateContent?alt=sse', async () => {
    upstream.enqueue(replaySse(geminiStream));
    const stream = await client('us-central1').completions.create({ model: 'gemini-2.0-flash', prompt: 'The capital of France is', max_tokens: 3, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices.map((choice) => choice.text).join('');
    expect(upstream.received.at(-1)!.path).toBe(path(gemini.streamUrl));
    expect(text).toBe(streamText(geminiStream));
  });

  it('calls Claude through rawPredict with the Vertex anthropic_version and no model in the body', async () => {
    upstream.enqueue(json(200, claude.response));
    const data = await client('us-east5').completions.create({ model: 'anthropic.claude-3-5-haiku@20241022', prompt: 'The capital of France is', max_tokens: 3 });
    const sent = upstream.received.at(-1)!;
    expect(sent.path).toBe(path(claude.upstream.url));
    expect(sent.headers.authorization).toBe(`Bearer ${token.response.access_token}`);
    expect(sent.headers['anthropic-version']).toBeUndefined();
    expect(sent.body).toEqual(claude.request);
    expect(data.choices[0]).toMatchObject({ text: 'Paris.', finish_reason: 'stop' });
    expect(data.usage).toEqual({ prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 });
  });

  it('streams Claude from streamRawPredict', async () => {
    upstream.enqueue(replaySse(claudeStream));
    const stream = await client('us-east5').completions.create({ model: 'claude-3-5-haiku@20241022', prompt: 'The capital of France is', max_tokens: 3, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices.map((choice) => choice.text).join('');
    const sent = upstream.received.at(-1)!;
    expect(sent.path).toBe(path(claude.streamUrl));
    expect(sent.body).toEqual({ ...claude.request, stream: true });
    expect(text).toBe(streamText(claudeStream));
  });

  it('builds the regional host and the global one when no custom host is given', async () => {
    const { previewUpstreamRequest } = await import('../../lib/providers/preview-upstream-request.ts');
    const { loadProvider } = await import('../../lib/providers/provider-lookup.ts');
    const vertexAI = (await loadProvider('vertex-ai'))!;
    const { parseCompletionRequest } = await import('../../lib/api/completion-request.ts');
    const preview = (model: string, region: string) =>
      previewUpstreamRequest(vertexAI, {
        params: parseCompletionRequest({ model, prompt: 'The capital of France is', max_tokens: 3 }),
        target: { provider: 'vertex-ai', vertex_project_id: 'my-project', vertex_region: region, api_key: 'ya29.token' },
        stream: false,
        forwardedHeaders: {},
        strict: false,
      });
    expect((await preview('gemini-2.0-flash', 'us-central1')).url).toBe(gemini.upstream.url);
    expect((await preview('claude-3-5-haiku@20241022', 'us-east5')).url).toBe(claude.upstream.url);
    expect((await preview('gemini-2.0-flash', 'global')).url).toBe('https://aiplatform.googleapis.com/v1/projects/my-project/locations/global/publishers/google/models/gemini-2.0-flash:generateContent');
    // An access token given as the key is sent as the bearer token (added when the request is signed; a preview is unsigned).
    const { buildUpstreamRequest } = await import('../../lib/providers/build-upstream-request.ts');
    const signed = await buildUpstreamRequest(vertexAI, {
      params: parseCompletionRequest({ model: 'gemini-2.0-flash', prompt: 'The capital of France is', max_tokens: 3 }),
      target: { provider: 'vertex-ai', vertex_project_id: 'my-project', vertex_region: 'us-central1', api_key: 'ya29.token' },
      stream: false,
      forwardedHeaders: {},
      strict: false,
    }, {});
    expect((await preview('gemini-2.0-flash', 'us-central1')).headers.authorization).toBeUndefined();
    expect(signed.headers.authorization).toBe('Bearer ya29.token');
  });

  it('refuses a project, region or model that would change the URL, before any call', async () => {
    const before = upstream.received.length;
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ 'x-portkey-vertex-project-id': 'evil.com/x' }, 'gemini-2.0-flash', 'x-portkey-vertex-project-id'],
      [{ 'x-portkey-vertex-region': 'evil.com#' }, 'gemini-2.0-flash', 'x-portkey-vertex-region'],
      [{}, '../../other/models/x', 'model'],
      [{}, 'meta.llama-3.1-405b', 'model'],
    ];
    for (const [headers, model, param] of cases) {
      const error = (await client('us-central1', headers).completions.create({ model, prompt: 'p' }).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
      expect(error, param).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.error, param).toMatchObject({ param });
    }
    expect(upstream.received.length).toBe(before);
  });

  it('answers 401 when the token endpoint refuses the service account', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = JSON.stringify({ ...JSON.parse(serviceAccount), client_email: 'other@my-project.iam.gserviceaccount.com', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) });
    upstream.enqueue(json(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }));
    const error = (await client('us-central1', { 'x-portkey-vertex-service-account-json': other })
      .completions.create({ model: 'gemini-2.0-flash', prompt: 'p' })
      .catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(401);
    expect(JSON.stringify(error.error)).not.toContain('PRIVATE KEY');
  });
});
