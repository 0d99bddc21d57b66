/**
 * Each provider's own usage source reaches the usage record exactly (never estimated), for a
 * stream whose caller did not ask for include_usage: Anthropic's message events, Gemini's
 * usageMetadata, Cohere's message-end, Mistral's last chunk, an OpenAI-compatible usage chunk
 * (asked for by the gateway), Bedrock's invocation metrics, Converse's camelCase metadata and
 * Bedrock's token-count headers. Expected counts are those written in each recorded fixture.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { replaySse, sse, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { bedrockJson, chunkFrame, converseFrame, eventStream, startFakeBedrock, type FakeBedrock } from '../fakes/fake-bedrock.ts';
import { createCustomHostGuard } from '../../lib/config/custom-host-guard.ts';
import { createFileKeyStore } from '../../lib/keys/file-key-store.ts';
import { createUsageRecorder } from '../../lib/usage/create-usage-recorder.ts';
import { readMetricsSettings } from '../../lib/usage/metrics-settings.ts';
import type { UsageRecord } from '../../lib/usage/usage-record.ts';
import { loadFixture, TOKEN_COUNT_HEADERS } from '../support/bedrock-fixtures.ts';
import { readSseFixture } from '../support/provider-fixtures.ts';
import { startGatewayWith, type RunningGateway } from '../support/start-gateway.ts';

const fixture = (path: string) => new URL(`../../lib/providers/${path}`, import.meta.url);
const AWS_ENV = { AWS_ACCESS_KEY_ID: 'AKIDUSAGETEST0001', AWS_SECRET_ACCESS_KEY: 'usage/Secret+Key', AWS_REGION: 'us-east-1' };

async function waitFor(condition: () => boolean, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!condition() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

describe("each provider's usage source in the usage record", () => {
  let upstream: FakeUpstream;
  let bedrock: FakeBedrock;
  let gateway: RunningGateway;
  let client: OpenAI;
  const records: UsageRecord[] = [];
  const savedEnv: Record<string, string | undefined> = {};

  beforeAll(async () => {
    upstream = await startFakeUpstream();
    bedrock = await startFakeBedrock({ region: 'us-east-1', credentials: [{ accessKeyId: AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: AWS_ENV.AWS_SECRET_ACCESS_KEY }] });
    for (const [name, value] of Object.entries({ ...AWS_ENV, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined })) {
      savedEnv[name] = process.env[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    gateway = await startGatewayWith({
      customHostGuard: createCustomHostGuard('loopback', { defaultAllowed: '' }),
      keyStore: createFileKeyStore({ virtual_keys: {} }),
      onRequestFinished: createUsageRecorder({
        metrics: readMetricsSettings({}),
        write: (line) => records.push(JSON.parse(line) as UsageRecord),
      }),
    });
    client = new OpenAI({ apiKey: 'provider-test-key', baseURL: gateway.baseURL, maxRetries: 0 });
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await gateway?.close();
    await upstream?.close();
    await bedrock?.close();
  });
  beforeEach(() => {
    records.length = 0;
  });

  /** Streams without include_usage, reads it all, and returns the one record written. */
  async function streamRecord(provider: string, model: string, hostPath: string | null): Promise<{ record: UsageRecord; sawUsageChunk: boolean }> {
    const headers: Record<string, string | null> = { 'x-portkey-provider': provider };
    // Bedrock takes no key: its credentials come from the AWS environment, as on Lambda.
    if (hostPath !== null) headers['x-portkey-custom-host'] = `${upstream.url}${hostPath}`;
    else headers.authorization = null;
    const stream = await client.completions.create({ model, prompt: 'What is the capital of France?', max_tokens: 4, stream: true }, { headers });
    let sawUsageChunk = false;
    for await (const chunk of stream) if (chunk.usage) sawUsageChunk = true;
    expect(await waitFor(() => records.length === 1)).toBe(true);
    return { record: records[0]!, sawUsageChunk };
  }

  const cases: Array<{ name: string; provider: string; model: string; hostPath: string; answer: () => void; tokens: [number, number] }> = [
    {
      name: 'Anthropic: message_start input tokens, message_delta output tokens',
      provider: 'anthropic',
      model: 'claude-3-5-haiku-20241022',
      hostPath: '/v1',
      answer: () => upstream.enqueue(replaySse(readSseFixture(fixture('anthropic/__fixtures__/anthropic-text.sse.txt')))),
      tokens: [25, 15],
    },
    {
      name: "Gemini: the last usageMetadata",
      provider: 'google',
      model: 'gemini-2.0-flash',
      hostPath: '/v1beta',
      answer: () => upstream.enqueue(replaySse(readSseFixture(fixture('google/__fixtures__/google-text.sse.txt')), { lineEnding: '\r\n' })),
      tokens: [9, 208],
    },
    {
      name: "Cohere: message-end's usage",
      provider: 'cohere',
      model: 'command-a-03-2025',
      hostPath: '/v2',
      answer: () => upstream.enqueue(replaySse(readSseFixture(fixture('cohere/__fixtures__/cohere-text.sse.txt')))),
      tokens: [507, 10],
    },
    {
      name: "Mistral: the last chunk's usage",
      provider: 'mistral-ai',
      model: 'mistral-small-latest',
      hostPath: '/v1',
      answer: () => upstream.enqueue(replaySse(readSseFixture(fixture('mistral-ai/__fixtures__/mistral-chat.sse.txt')))),
      tokens: [13, 8],
    },
    {
      name: 'OpenAI-compatible (Together): the usage chunk the gateway asked for',
      provider: 'together-ai',
      model: 'meta-llama/Llama-3-8b-hf',
      hostPath: '/v1',
      answer: () =>
        upstream.enqueue(
          sse([
            { id: 'cmpl-1', object: 'text_completion', created: 1, model: 'meta-llama/Llama-3-8b-hf', choices: [{ index: 0, text: 'Paris', finish_reason: 'length' }] },
            { id: 'cmpl-1', object: 'text_completion', created: 1, model: 'meta-llama/Llama-3-8b-hf', choices: [], usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 } },
          ]),
        ),
      tokens: [8, 1],
    },
  ];

  it.each(cases)('$name', async ({ provider, model, hostPath, answer, tokens }) => {
    answer();
    const { record, sawUsageChunk } = await streamRecord(provider, model, hostPath);
    expect(sawUsageChunk).toBe(false);
    expect(record).toMatchObject({ provider, model, status: 200, stream: true, errorCode: null, promptTokens: tokens[0], completionTokens: tokens[1], totalTokens: tokens[0] + tokens[1], tokensEstimated: false });
    if (provider === 'together-ai') expect((upstream.received.at(-1)!.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });
  });

  it("Bedrock InvokeModel: the last chunk's amazon-bedrock-invocationMetrics", async () => {
    const meta = loadFixture('meta');
    bedrock.enqueue(eventStream(meta.chunks!.map(chunkFrame)));
    const { record } = await streamRecord('bedrock', meta.model, null);
    expect(record).toMatchObject({ provider: 'bedrock', model: meta.model, status: 200, promptTokens: 11, completionTokens: 4, tokensEstimated: false });
  });

  it("Bedrock ConverseStream: the metadata event's camelCase usage", async () => {
    const converse = loadFixture('converse');
    bedrock.enqueue(eventStream(converse.events!.map(([type, payload]) => converseFrame(type, payload))));
    const { record } = await streamRecord('bedrock', converse.model, null);
    expect(record).toMatchObject({ provider: 'bedrock', model: converse.model, status: 200, promptTokens: 11, completionTokens: 4, tokensEstimated: false });
  });

  it("Bedrock InvokeModel JSON: the x-amzn-bedrock token-count headers", async () => {
    const mistral = loadFixture('mistral');
    bedrock.enqueue(bedrockJson(mistral.response, TOKEN_COUNT_HEADERS));
    await client.completions.create({ model: mistral.model, prompt: 'What is the capital of France?', max_tokens: 4 }, { headers: { 'x-portkey-provider': 'bedrock', authorization: null } });
    expect(await waitFor(() => records.length === 1)).toBe(true);
    expect(records[0]).toMatchObject({
      provider: 'bedrock',
      stream: false,
      promptTokens: Number(TOKEN_COUNT_HEADERS['x-amzn-bedrock-input-token-count']),
      completionTokens: Number(TOKEN_COUNT_HEADERS['x-amzn-bedrock-output-token-count']),
      tokensEstimated: false,
    });
  });
});
