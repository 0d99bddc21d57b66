/**
 * Issue #11, the engine's host items, through the local server: fields that form URLs (1), the
 * connect-time address check of callers' hosts (12), connection errors that name the provider and
 * not a stored host (13), Bedrock's own credentials only to AWS or operators' hosts (6) and only in
 * the allowed regions (17). The first block runs with the Lambda's defaults: the guard built by
 * functions/completions/dependencies-from-env.ts from an environment without
 * GATEWAY_ALLOWED_CUSTOM_HOSTS, as on Lambda.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dependenciesFromEnv } from '../../functions/completions/dependencies-from-env.ts';
import { createCustomHostGuard } from '../../lib/config/custom-host-guard.ts';
import { createFileKeyStore } from '../../lib/keys/file-key-store.ts';
import { json, startFakeUpstream, type FakeUpstream } from '../fakes/fake-upstream.ts';
import { OPENAI_COMPLETION } from '../fakes/openai-samples.ts';
import { startGatewayWith, type RunningGateway } from '../support/start-gateway.ts';
import { unreachablePort } from '../support/unreachable-port.ts';

const AMBIENT = { accessKeyId: 'AKIDAMBIENTROLE0001', secretAccessKey: 'ambient-secret-0000000000000000000000' };
const OWN = { accessKeyId: 'AKIDCALLEROWN000001', secretAccessKey: 'caller-secret-00000000000000000000000' };
const LAMBDA_ENV = { AWS_LAMBDA_FUNCTION_NAME: 'llm-gateway', AWS_REGION: 'us-east-1' };

let upstream: FakeUpstream;
/** A loopback port with nothing listening. */
let closedPort: number;

async function post(gateway: RunningGateway, headers: Record<string, string>, body: Record<string, unknown> = {}) {
  const response = await fetch(`${gateway.url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi', max_tokens: 5, ...body }),
  });
  const text = await response.text();
  return { status: response.status, text, error: (JSON.parse(text) as { error?: Record<string, string> }).error, headers: response.headers };
}

function port(): string {
  return new URL(upstream.url).port;
}

beforeAll(async () => {
  upstream = await startFakeUpstream(json(200, OPENAI_COMPLETION));
  closedPort = await unreachablePort();
  process.env.AWS_ACCESS_KEY_ID = AMBIENT.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = AMBIENT.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
  delete process.env.AWS_ENDPOINT_URL;
});
afterAll(async () => {
  await upstream?.close();
});
beforeEach(() => {
  upstream.received.length = 0;
});

describe('with the Lambda defaults (no custom host allowed)', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    const fromEnv = dependenciesFromEnv(LAMBDA_ENV);
    gateway = await startGatewayWith({
      ...fromEnv,
      keyStore: createFileKeyStore({
        virtual_keys: {
          'azure-prod': { provider: 'azure-openai', api_key: 'azure-stored-key-0001', azure_resource_name: 'contoso', azure_deployment_id: 'gpt35' },
          'vllm-down': { provider: 'openai', api_key: 'sk-stored-0000000000001', custom_host: `http://127.0.0.1:${closedPort}/v1` },
        },
      }),
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it.each([
    ['a host, port and path', () => `127.0.0.1:${port()}/x?`],
    ['a fragment', () => `127.0.0.1:${port()}#`],
    ['userinfo', () => `user@127.0.0.1:${port()}`],
    ['a host and port', () => `127.0.0.1:${port()}`],
    ['a dotted name', () => 'contoso.openai.azure.com.attacker.example'],
    ['an encoded slash', () => `x%2F@127.0.0.1:${port()}`],
  ])('refuses an azure_resource_name with %s (header) before connecting', async (_name, value) => {
    const { status, error, text } = await post(gateway, {
      'x-portkey-provider': 'azure-openai',
      authorization: 'Bearer azure-key',
      'x-portkey-azure-resource-name': value(),
      'x-portkey-azure-deployment-id': 'd',
    });
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: 'invalid_provider_field', param: 'x-portkey-azure-resource-name' });
    expect(text).not.toContain(port());
    expect(upstream.received).toHaveLength(0);
  });

  it.each([
    ['azure_resource_name', { azure_resource_name: '127.0.0.1:1/x?', azure_deployment_id: 'd' }],
    ['azure_deployment_id', { azure_resource_name: 'contoso', azure_deployment_id: '../../x' }],
    ['azure_api_version', { azure_resource_name: 'contoso', azure_deployment_id: 'd', azure_api_version: '2024-10-21&api-key=x#' }],
    ['anthropic_version', { provider: 'anthropic', anthropic_version: '2023-06-01\r\nx-injected: 1' }],
    ['api_key', { provider: 'openai', api_key: 'sk-line\nbreak' }],
  ])('refuses a config target whose %s cannot form a URL or header', async (field, fields) => {
    const config = { provider: 'azure-openai', api_key: 'k', ...fields };
    const { status, error, text } = await post(gateway, { 'x-portkey-config': JSON.stringify(config) });
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: 'invalid_provider_field', param: `x-portkey-${field.replaceAll('_', '-')}` });
    expect(text).not.toContain('line\\nbreak');
    expect(upstream.received).toHaveLength(0);
  });

  it.each([
    ['bedrock', 'us-east-1.127.0.0.1.nip.io#'],
    ['bedrock', '127.0.0.1:22/'],
  ])('refuses an aws_region that is no region (%s, %s)', async (provider, region) => {
    const { status, error } = await post(gateway, { 'x-portkey-provider': provider, 'x-portkey-aws-region': region }, { model: 'meta.llama3-8b-instruct-v1:0' });
    expect(status).toBe(400);
    expect(error?.param).toBe('x-portkey-aws-region');
  });

  it.each([
    ['google', 'models/../../v1beta/files'],
    ['google', 'models/./gemini-pro'],
    ['bedrock', '..'],
  ])('refuses a %s model id that would climb out of its path (%s)', async (provider, model) => {
    const { status, error } = await post(gateway, { 'x-portkey-provider': provider, authorization: 'Bearer k', 'x-portkey-aws-region': 'us-east-1' }, { model });
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: 'invalid_model', param: 'model' });
  });

  it.each([
    () => `http://127.0.0.1:${port()}/v1`,
    () => `http://[::1]:${port()}/v1`,
    () => 'http://169.254.169.254/latest/meta-data',
    () => `http://localhost:${port()}/v1`,
  ])('refuses every custom host of a caller (%#)', async (host) => {
    const { status, error } = await post(gateway, { 'x-portkey-provider': 'openai', authorization: 'Bearer k', 'x-portkey-custom-host': host() });
    expect(status).toBe(400);
    expect(error?.code).toBe('custom_host_not_allowed');
    expect(upstream.received).toHaveLength(0);
  });

  it('names the provider, not the stored host or port, when a virtual key’s host refuses connections', async () => {
    const { status, error, text } = await post(gateway, { 'x-portkey-virtual-key': 'vllm-down' });
    expect(status).toBe(502);
    expect(error).toMatchObject({ provider: 'openai', type: 'api_error', code: 'upstream_unreachable' });
    expect(error?.message).toMatch(/^Could not reach openai/);
    expect(text).not.toContain(`:${closedPort}/`);
    expect(text).not.toContain('127.0.0.1');
  });

  it('refuses a Bedrock call signed with the function’s role in a region GATEWAY_BEDROCK_REGIONS does not list', async () => {
    process.env.GATEWAY_BEDROCK_REGIONS = 'us-east-1,eu-west-1';
    try {
      const { status, error } = await post(gateway, { 'x-portkey-provider': 'bedrock', 'x-portkey-aws-region': 'ap-south-1' }, { model: 'meta.llama3-8b-instruct-v1:0' });
      expect(status).toBe(400);
      expect(error).toMatchObject({ type: 'invalid_request_error', param: 'aws_region', code: 'aws_region_not_allowed' });
    } finally {
      delete process.env.GATEWAY_BEDROCK_REGIONS;
    }
  });
});

describe('a caller’s Bedrock custom host (guard allows loopback)', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGatewayWith({
      customHostGuard: createCustomHostGuard('loopback', { defaultAllowed: '' }),
      keyStore: createFileKeyStore({
        virtual_keys: { 'bedrock-proxy': { provider: 'bedrock', custom_host: `${upstream.url}`, aws_region: 'us-east-1' } },
      }),
    });
  });
  afterAll(async () => {
    await gateway?.close();
    delete process.env.GATEWAY_BEDROCK_REGIONS;
  });
  beforeEach(() => {
    delete process.env.GATEWAY_BEDROCK_REGIONS;
  });
  const model = { model: 'mistral.mistral-7b-instruct-v0:2' };
  const answer = () => upstream.enqueue(json(200, { outputs: [{ text: 'ok', stop_reason: 'stop' }] }));

  it.each([['us-east-1'], ['eu-west-1']])('is never signed with the ambient credentials (region %s)', async (region) => {
    const { status, error } = await post(gateway, { 'x-portkey-provider': 'bedrock', 'x-portkey-aws-region': region, 'x-portkey-custom-host': upstream.url }, model);
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: 'custom_host_needs_aws_credentials', param: 'x-portkey-custom-host' });
    expect(upstream.received).toHaveLength(0);
  });

  it('is signed with the caller’s own keys, in any region', async () => {
    process.env.GATEWAY_BEDROCK_REGIONS = 'eu-west-1';
    answer();
    const { status } = await post(
      gateway,
      {
        'x-portkey-provider': 'bedrock',
        'x-portkey-aws-region': 'us-east-1',
        'x-portkey-custom-host': upstream.url,
        'x-portkey-aws-access-key-id': OWN.accessKeyId,
        'x-portkey-aws-secret-access-key': OWN.secretAccessKey,
      },
      model,
    );
    expect(status).toBe(200);
    expect(upstream.received).toHaveLength(1);
    expect(String(upstream.received[0]!.headers.authorization)).toContain(`Credential=${OWN.accessKeyId}/`);
    expect(JSON.stringify(upstream.received[0]!.headers)).not.toContain(AMBIENT.accessKeyId);
  });

  it('is signed with the ambient credentials when the host comes from a virtual key’s secret, in an allowed region', async () => {
    process.env.GATEWAY_BEDROCK_REGIONS = 'us-east-1';
    answer();
    const { status } = await post(gateway, { 'x-portkey-virtual-key': 'bedrock-proxy' }, model);
    expect(status).toBe(200);
    expect(String(upstream.received[0]!.headers.authorization)).toContain(`Credential=${AMBIENT.accessKeyId}/`);
  });

  it('refuses the stored host’s ambient signing in a region outside GATEWAY_BEDROCK_REGIONS', async () => {
    process.env.GATEWAY_BEDROCK_REGIONS = 'eu-west-1';
    const { status, error } = await post(gateway, { 'x-portkey-virtual-key': 'bedrock-proxy' }, model);
    expect(status).toBe(400);
    expect(error).toMatchObject({ param: 'aws_region', code: 'aws_region_not_allowed' });
    expect(upstream.received).toHaveLength(0);
  });
});

describe('the connect-time address check of allow-listed hosts', () => {
  const gateways = new Map<string, RunningGateway>();
  async function gatewayFor(list: string): Promise<RunningGateway> {
    let gateway = gateways.get(list);
    if (!gateway) {
      gateway = await startGatewayWith({ customHostGuard: createCustomHostGuard(list, { defaultAllowed: '' }), keyStore: createFileKeyStore({ virtual_keys: {} }) });
      gateways.set(list, gateway);
    }
    return gateway;
  }
  afterAll(async () => {
    for (const gateway of gateways.values()) await gateway.close();
  });
  const call = async (list: string, host: string) =>
    post(await gatewayFor(list), { 'x-portkey-provider': 'openai', authorization: 'Bearer k', 'x-portkey-custom-host': host });

  it.each([
    ['localhost', () => `http://localhost:${port()}/v1`],
    ['*', () => `http://127.0.0.1:${port()}/v1`],
    ['*', () => `http://[::ffff:127.0.0.1]:${port()}/v1`],
    ['*', () => `http://0x7f.1:${port()}/v1`],
    ['*', () => `http://localhost:${port()}/v1`],
    ['*', () => 'http://169.254.169.254/latest/meta-data'],
    ['*', () => 'http://0.0.0.0:1/v1'],
  ])('refuses a name or literal allowed by "%s" that is a loopback, private or metadata address (%#)', async (list, host) => {
    const { status, error } = await call(list, host());
    expect(status).toBe(400);
    expect(error?.code).toBe('custom_host_not_allowed');
    expect(upstream.received).toHaveLength(0);
  });

  it.each([
    ['localhost,loopback', () => `http://localhost:${port()}/v1`],
    ['*,127.0.0.0/8', () => `http://127.0.0.1:${port()}/v1`],
    ['127.0.0.0/8', () => `http://127.0.0.1:${port()}/v1`],
    ['127.0.0.1:PORT', () => `http://127.0.0.1:${port()}/v1`],
  ])('reaches the address when "%s" lists it as an address', async (list, host) => {
    const { status } = await call(list.replace('PORT', port()), host());
    expect(status).toBe(200);
    expect(upstream.received).toHaveLength(1);
  });
});
