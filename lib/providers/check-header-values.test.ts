import { describe, expect, it } from 'vitest';
import { parseCompletionRequest } from '../api/completion-request.ts';
import { InvalidRequestError } from '../api/errors.ts';
import type { ProviderTarget } from '../config/target.ts';
import { buildUpstreamRequest } from './build-upstream-request.ts';
import { checkHeaderValues } from './check-header-values.ts';
import type { Provider, ProviderCall } from './provider.ts';
import { loadAllProviders } from './provider-lookup.ts';

const providers = await loadAllProviders();

function call(target: ProviderTarget, model = 'm-1'): ProviderCall {
  return { params: parseCompletionRequest({ model, prompt: 'Hello', max_tokens: 3 }), target, stream: false, forwardedHeaders: {}, strict: false };
}

/** Whatever the builder does (throws, or returns a rejected promise), the error it ends in. */
async function buildError(provider: Provider, target: ProviderTarget): Promise<unknown> {
  try {
    await buildUpstreamRequest(provider, call(target), {});
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('an upstream header value node cannot send', () => {
  const secret = 'sk-line\nbreak';

  it('is a 400 naming the credential field, for every provider, never echoing the value', async () => {
    // Fields every provider needs to get as far as its headers (hosts, regions, accounts).
    const reach: Partial<ProviderTarget> = {
      custom_host: 'https://upstream.example.com/v1',
      aws_region: 'us-east-1',
      azure_resource_name: 'res',
      azure_deployment_id: 'dep',
      azure_api_version: '2024-10-21',
      vertex_project_id: 'my-project',
      vertex_region: 'us-central1',
      workers_ai_account_id: '0123456789abcdef0123456789abcdef',
      sagemaker_endpoint_name: 'endpoint-1',
    };
    const names = Object.keys(providers);
    expect(names.length).toBeGreaterThan(30);
    for (const name of names) {
      const error = await buildError(providers[name]!, { ...reach, provider: name, api_key: secret });
      expect(error, name).toBeInstanceOf(InvalidRequestError);
      const { error: body } = (error as InvalidRequestError).toOpenAIError();
      expect(body.param, name).toBe('x-portkey-api-key');
      expect(body.message, name).not.toContain('line');
    }
  });

  it('is a 400 naming the field a provider put in a header, where no field rule caught it first', async () => {
    const account = 'acct\u2028id';
    const provider: Provider = {
      ...providers.openai!,
      name: 'header-test',
      buildRequest: (providerCall) => ({ path: '/completions', headers: { 'x-account': `acct=${providerCall.target.workers_ai_account_id}` }, body: {} }),
    };
    const error = await buildError(provider, { provider: 'header-test', workers_ai_account_id: account });
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).statusCode).toBe(400);
    const { error: body } = (error as InvalidRequestError).toOpenAIError();
    expect(body).toMatchObject({ param: 'x-portkey-workers-ai-account-id', code: 'invalid_provider_field' });
    expect(body.message).not.toContain('acct');
  });

  it('checks what a signer added, too', async () => {
    const provider: Provider = {
      ...providers.openai!,
      name: 'signer-test',
      signRequest: async (request) => ({ ...request, headers: { ...request.headers, authorization: 'Bearer tok\r\nen' } }),
    };
    const error = await buildError(provider, { provider: 'signer-test' });
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).toOpenAIError().error).toMatchObject({ param: 'authorization', code: 'invalid_header_value' });
  });

  it('lets Latin-1, tabs and inner spaces through, as node does', () => {
    expect(() => checkHeaderValues({ 'x-a': 'caf\u00e9 \tok' }, { provider: 'openai' })).not.toThrow();
    expect(() => checkHeaderValues({ 'x-a': 'caf\u0100' }, { provider: 'openai' })).toThrow(InvalidRequestError);
  });
});
