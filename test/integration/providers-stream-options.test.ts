/**
 * Upstreams that reject `stream_options`: an Azure OpenAI api-version older than 2024-10-21, and
 * any target whose `send_stream_options` is false (an older vLLM build, say). The gateway does
 * not send the field to them, and the usage record counts such a stream's tokens with the
 * tokenizer (tokensEstimated: true); every other stream is still asked for its usage.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { sse } from '../fakes/fake-upstream.ts';
import { completionStream, useUsageRecordingGateway, waitFor } from '../support/usage-recording-gateway.ts';

const MODEL = 'gpt-35-turbo-instruct';
const TEXT_CHUNKS = ['The capital', ' of France', ' is Paris.'];
const USAGE = { prompt_tokens: 7, completion_tokens: 6, total_tokens: 13 };

describe('upstreams that reject stream_options', () => {
  const setup = useUsageRecordingGateway();

  const azureHeaders = (apiVersion?: string): Record<string, string> => ({
    'x-portkey-provider': 'azure-openai',
    'x-portkey-custom-host': `${setup.upstream.url}/openai`,
    'x-portkey-azure-deployment-id': 'instruct',
    ...(apiVersion ? { 'x-portkey-azure-api-version': apiVersion } : {}),
  });

  /** Streams one request, reads it all, and returns the text, the body sent upstream and the one usage record. */
  async function streamOnce(headers: Record<string, string>, includeUsage = false) {
    const stream = await setup.client.completions.create(
      { model: MODEL, prompt: 'What is the capital of France?', max_tokens: 16, stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) },
      { headers },
    );
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(await waitFor(() => setup.records.length === 1)).toBe(true);
    return { text, sent: setup.upstream.received.at(-1)!.body as Record<string, unknown>, record: setup.records[0]! };
  }

  it('sends no stream_options to an Azure api-version before 2024-10-21, and the record counts the stream with the tokenizer', async () => {
    setup.upstream.enqueue(completionStream(MODEL, TEXT_CHUNKS));
    const { text, sent, record } = await streamOnce(azureHeaders('2024-06-01'), true);
    expect(setup.upstream.received.at(-1)!.path).toBe('/openai/deployments/instruct/completions?api-version=2024-06-01');
    expect(sent.stream).toBe(true);
    expect(sent).not.toHaveProperty('stream_options');
    expect(text).toBe(TEXT_CHUNKS.join(''));
    expect(record).toMatchObject({ provider: 'azure-openai', model: MODEL, status: 200, stream: true, errorCode: null, tokensEstimated: true });
    expect(record.promptTokens).toBeGreaterThan(0);
    expect(record.completionTokens).toBeGreaterThan(0);
    expect(record.totalTokens).toBe(record.promptTokens! + record.completionTokens!);
  });

  it('still asks the default Azure api-version for usage, and records it exactly', async () => {
    setup.upstream.enqueue(completionStream(MODEL, TEXT_CHUNKS, USAGE));
    const { sent, record } = await streamOnce(azureHeaders());
    expect(setup.upstream.received.at(-1)!.path).toBe('/openai/deployments/instruct/completions?api-version=2024-10-21');
    expect(sent.stream_options).toEqual({ include_usage: true });
    expect(record).toMatchObject({ promptTokens: 7, completionTokens: 6, totalTokens: 13, tokensEstimated: false });
  });

  it("lets a target's send_stream_options override the provider: false for a vLLM build, true for an Azure version", async () => {
    const vllm = { provider: 'vllm', custom_host: `${setup.upstream.url}/v1`, send_stream_options: false };
    setup.upstream.enqueue(completionStream(MODEL, TEXT_CHUNKS));
    const old = await streamOnce({ 'x-portkey-config': JSON.stringify(vllm) });
    expect(setup.upstream.received.at(-1)!.path).toBe('/v1/completions');
    expect(old.sent).not.toHaveProperty('stream_options');
    expect(old.record).toMatchObject({ provider: 'vllm', tokensEstimated: true });

    setup.records.length = 0;
    const azure = { provider: 'azure-openai', custom_host: `${setup.upstream.url}/openai`, azure_deployment_id: 'instruct', azure_api_version: '2024-06-01', sendStreamOptions: true };
    setup.upstream.enqueue(completionStream(MODEL, TEXT_CHUNKS, USAGE));
    const forced = await streamOnce({ 'x-portkey-config': JSON.stringify(azure) });
    expect(forced.sent.stream_options).toEqual({ include_usage: true });
    expect(forced.record).toMatchObject({ provider: 'azure-openai', promptTokens: 7, completionTokens: 6, tokensEstimated: false });
  });

  it("keeps a caller's include_usage from a chat-family upstream whose target says it rejects stream_options", async () => {
    const groq = { provider: 'groq', custom_host: `${setup.upstream.url}/openai/v1`, send_stream_options: false };
    setup.upstream.enqueue(
      sse([
        { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'llama-3.1-8b-instant', choices: [{ index: 0, delta: { role: 'assistant', content: 'Paris' }, finish_reason: null }] },
        { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'llama-3.1-8b-instant', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      ]),
    );
    const { text, sent, record } = await streamOnce({ 'x-portkey-config': JSON.stringify(groq) }, true);
    expect(setup.upstream.received.at(-1)!.path).toBe('/openai/v1/chat/completions');
    expect(text).toBe('Paris');
    expect(sent).not.toHaveProperty('stream_options');
    expect(record).toMatchObject({ provider: 'groq', tokensEstimated: true });
  });

  it('refuses a send_stream_options that is not a boolean', async () => {
    const config = { provider: 'vllm', custom_host: `${setup.upstream.url}/v1`, send_stream_options: 'no' };
    const before = setup.upstream.received.length;
    const error = await setup.client.completions.create({ model: MODEL, prompt: 'p', stream: true }, { headers: { 'x-portkey-config': JSON.stringify(config) } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(setup.upstream.received.length).toBe(before);
  });
});
