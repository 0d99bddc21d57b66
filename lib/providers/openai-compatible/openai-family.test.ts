import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCompletionRequest } from '../../api/completion-request.ts';
import { InvalidRequestError, UpstreamError } from '../../api/errors.ts';
import type { ProviderTarget } from '../../config/target.ts';
import type { Provider, ProviderCall } from '../provider.ts';
import { loadAllProviders } from '../provider-lookup.ts';
import { buildProviderRequest } from '../complete-with-provider.ts';
import { createStreamTransform } from '../read-upstream-stream.ts';

const call = (provider: string, target: Partial<ProviderTarget> = {}, body: Record<string, unknown> = {}, stream = false): ProviderCall => ({
  params: parseCompletionRequest({ model: 'm', prompt: 'p', ...body, ...(stream ? { stream: true } : {}) }),
  target: { provider, api_key: 'key-1', ...target },
  stream,
  forwardedHeaders: {},
  strict: false,
});
const providers = await loadAllProviders();
const provider = (name: string): Provider => providers[name]!;
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../${name}/__fixtures__/${name}-completion.json`, import.meta.url), 'utf8')) as { response: unknown; stream?: unknown[] };

describe('the OpenAI family’s real endpoints', () => {
  it.each([
    ['openai', 'https://api.openai.com/v1/completions', { authorization: 'Bearer key-1' }],
    ['together-ai', 'https://api.together.xyz/v1/completions', { authorization: 'Bearer key-1' }],
    ['fireworks-ai', 'https://api.fireworks.ai/inference/v1/completions', { authorization: 'Bearer key-1' }],
    ['deepinfra', 'https://api.deepinfra.com/v1/openai/completions', { authorization: 'Bearer key-1' }],
    ['openrouter', 'https://openrouter.ai/api/v1/completions', { authorization: 'Bearer key-1' }],
    ['ollama', 'http://localhost:11434/v1/completions', { authorization: 'Bearer key-1' }],
  ])('%s posts to %s', async (name, url, headers) => {
    const { request } = await buildProviderRequest(provider(name), call(name));
    expect(request.url).toBe(url);
    expect(request.method).toBe('POST');
    expect(request.headers).toMatchObject({ 'content-type': 'application/json', ...headers });
  });

  it('azure-openai builds the resource host, deployment path and api-version, with the api-key header', async () => {
    const { request } = await buildProviderRequest(provider('azure-openai'), 
      call('azure-openai', { azure_resource_name: 'contoso', azure_deployment_id: 'instruct', azure_api_version: '2024-06-01' }),
    );
    expect(request.url).toBe('https://contoso.openai.azure.com/openai/deployments/instruct/completions?api-version=2024-06-01');
    expect(request.headers['api-key']).toBe('key-1');
    expect(request.headers.authorization).toBeUndefined();
  });

  it('azure-openai without a resource name and vllm without a host are 400s', async () => {
    await expect(buildProviderRequest(provider('azure-openai'), call('azure-openai', { azure_deployment_id: 'd' }))).rejects.toThrow(InvalidRequestError);
    await expect(buildProviderRequest(provider('vllm'), call('vllm'))).rejects.toThrow(/custom-host/);
  });

  it('ollama sends no authorization without a key', async () => {
    const { request } = await buildProviderRequest(provider('ollama'), call('ollama', { api_key: undefined }));
    expect(request.headers.authorization).toBeUndefined();
  });
});

describe('the OpenAI family’s documented responses', () => {
  it.each(['azure-openai', 'together-ai', 'fireworks-ai', 'deepinfra', 'openrouter', 'ollama', 'vllm'])('%s: the docs’ response parses into complete choices', (name) => {
    const part = provider(name).parseResponse(fixture(name).response, call(name));
    expect(part.choices.length).toBeGreaterThan(0);
    for (const [position, choice] of part.choices.entries()) {
      expect(choice.index).toBe(position);
      expect(typeof choice.text).toBe('string');
      expect(['stop', 'length', 'content_filter']).toContain(choice.finish_reason);
    }
    // Usage where the docs' response has it; none (not zeros) where it has none (Azure's example).
    const documented = (fixture(name).response as { usage?: unknown }).usage;
    if (documented) expect(part.usage).toBeDefined();
    else expect(part.usage).toBeUndefined();
  });

  it('together-ai: choices without index and the "eos" finish reason', () => {
    const part = provider('together-ai').parseResponse(fixture('together-ai').response, call('together-ai'));
    expect(part.choices).toEqual([{ index: 0, text: ' Paris', logprobs: null, finish_reason: 'length' }]);
    expect(part.usage).toEqual({ prompt_tokens: 7, completion_tokens: 1, total_tokens: 8 });
  });

  it.each(['together-ai', 'ollama'])('%s: the docs’ stream chunks become parts, and a stream without [DONE] is an error', (name) => {
    const transform = createStreamTransform(provider(name), call(name, {}, {}, true));
    const parts = fixture(name).stream!.flatMap((chunk) => transform.transform({ kind: 'sse', event: undefined, data: JSON.stringify(chunk) }));
    const choices = parts.flatMap((part) => part.choices);
    expect(choices.map((choice) => choice.text).join('')).toBe(name === 'ollama' ? 'This is a test.' : ' Paris.');
    expect(choices.map((choice) => choice.finish_reason)).toEqual([null, 'stop']);
    expect(() => transform.flush()).toThrow(UpstreamError);
  });
});
