/**
 * The Secrets Manager reader against loopback servers speaking the service's JSON 1.1 protocol:
 * the project's fake Secrets Manager (signatures re-checked with `@smithy/signature-v4`) and plain
 * servers answering each documented error. Reached through `AWS_ENDPOINT_URL_SECRETS_MANAGER` and
 * the Lambda-like environment, so the SDK's client must never load (a counting wrapper of the real
 * module sees any import); a profile-like setting takes the SDK's resolution instead, which loads it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifySigV4 } from '../../test/fakes/fake-bedrock.ts';
import { fakeAwsEnv, startFakeSecretsManager, type FakeSecretsManager } from '../../test/fakes/fake-secrets-manager.ts';
import { json, startFakeUpstream, type FakeUpstream, type Responder } from '../../test/fakes/fake-upstream.ts';
import { SecretReadError } from './key-errors.ts';
import { createSecretsManagerReader } from './read-secrets-manager-secret.ts';
import { unreachablePort } from '../../test/support/unreachable-port.ts';

const sdk = vi.hoisted(() => ({ loads: 0 }));
vi.mock('@aws-sdk/client-secrets-manager', async (importOriginal) => {
  sdk.loads += 1;
  return await importOriginal();
});

const CREDENTIALS = { accessKeyId: 'ASIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE' };
const SECRET = { provider: 'openai', api_key: 'sk-stored-0123456789' };

/** What Lambda sets (the role's credentials, the region), with the endpoint on loopback. */
function lambdaEnv(endpoint: string): NodeJS.ProcessEnv {
  return {
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: CREDENTIALS.sessionToken,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  };
}

async function readError(read: (name: string) => Promise<unknown>, name: string): Promise<SecretReadError> {
  const error = await read(name).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(SecretReadError);
  return error as SecretReadError;
}

describe('reading a secret through the JSON 1.1 protocol', () => {
  let fake: FakeSecretsManager;

  beforeAll(async () => {
    fake = await startFakeSecretsManager();
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(() => {
    fake.outage = null;
    fake.delayMs = 0;
    fake.calls.clear();
  });

  it('sends one signed GetSecretValue POST and parses the SecretString, without loading the SDK', async () => {
    fake.put('llm-gateway/openai-prod', SECRET);
    const read = createSecretsManagerReader({ env: lambdaEnv(fake.url) });
    expect(await read('llm-gateway/openai-prod')).toEqual(SECRET);
    const request = fake.received.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', path: '/', body: { SecretId: 'llm-gateway/openai-prod' } });
    expect(request.headers).toMatchObject({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue', 'x-amz-security-token': CREDENTIALS.sessionToken });
    const signature = await verifySigV4(request, { region: 'eu-west-1', service: 'secretsmanager', credentials: [CREDENTIALS] });
    expect(signature).toMatchObject({ valid: true, accessKeyId: CREDENTIALS.accessKeyId });
    expect(signature.scope).toMatch(/^\d{8}\/eu-west-1\/secretsmanager\/aws4_request$/);
    expect(sdk.loads).toBe(0);
  });

  it('sorts the documented answers into not_found, denied and invalid', async () => {
    fake.put('llm-gateway/forbidden', SECRET);
    fake.deny('llm-gateway/forbidden');
    fake.put('llm-gateway/text', 'sk-plain-text-key-0000');
    const read = createSecretsManagerReader({ env: lambdaEnv(fake.url) });
    expect(await readError(read, 'llm-gateway/missing')).toMatchObject({ kind: 'not_found', secretName: 'llm-gateway/missing', cause: { name: 'ResourceNotFoundException', statusCode: 400 } });
    expect(await readError(read, 'llm-gateway/forbidden')).toMatchObject({ kind: 'denied', cause: { name: 'AccessDeniedException' } });
    const invalid = await readError(read, 'llm-gateway/text');
    expect(invalid).toMatchObject({ kind: 'invalid', message: 'The secret llm-gateway/text is not JSON; store a JSON object.' });
    expect(invalid.message).not.toContain('sk-plain-text-key-0000');
  });

  for (const [outage, type] of [
    ['throttling', 'ThrottlingException'],
    ['internal', 'InternalServiceError'],
    ['unavailable', 'ServiceUnavailable'],
  ] as const) {
    it(`retries ${type} within its attempts, then reports the secret unavailable`, async () => {
      fake.put('llm-gateway/outage', SECRET);
      fake.outage = outage;
      const twice = await readError(createSecretsManagerReader({ env: lambdaEnv(fake.url), retryBaseDelayMs: 1 }), 'llm-gateway/outage');
      expect(twice).toMatchObject({ kind: 'unavailable', cause: { name: type } });
      expect(fake.calls.get('llm-gateway/outage')).toBe(2);
      await readError(createSecretsManagerReader({ env: lambdaEnv(fake.url), retryBaseDelayMs: 1, maxAttempts: 4 }), 'llm-gateway/outage');
      expect(fake.calls.get('llm-gateway/outage')).toBe(6);
    });
  }

  it('recovers when a retry is answered', async () => {
    fake.put('llm-gateway/flaky', SECRET);
    fake.outage = 'throttling';
    const read = createSecretsManagerReader({ env: lambdaEnv(fake.url), retryBaseDelayMs: 200 });
    const reading = read('llm-gateway/flaky');
    await vi.waitFor(() => expect(fake.calls.get('llm-gateway/flaky')).toBe(1), { timeout: 5_000, interval: 5 });
    fake.outage = null;
    expect(await reading).toEqual(SECRET);
    expect(fake.calls.get('llm-gateway/flaky')).toBe(2);
  });

  it('does not send again a read that was sent and dropped, or not answered in time', async () => {
    fake.put('llm-gateway/slow', SECRET);
    fake.outage = 'drop';
    expect(await readError(createSecretsManagerReader({ env: lambdaEnv(fake.url) }), 'llm-gateway/slow')).toMatchObject({ kind: 'unavailable' });
    expect(fake.calls.get('llm-gateway/slow')).toBe(1);
    fake.outage = null;
    fake.delayMs = 1_000;
    const late = await readError(createSecretsManagerReader({ env: lambdaEnv(fake.url), requestTimeoutMs: 100 }), 'llm-gateway/slow');
    expect(late).toMatchObject({ kind: 'unavailable', cause: { name: 'TimeoutError', message: 'Secrets Manager GetSecretValue took over 100 ms.' } });
    expect(fake.calls.get('llm-gateway/slow')).toBe(2);
  });
});

describe('answers only a plain server gives', () => {
  let upstream: FakeUpstream;
  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterAll(async () => {
    await upstream?.close();
  });

  const awsJson = (status: number, body: unknown, headers: Record<string, string> = {}): Responder => json(status, body, { 'content-type': 'application/x-amz-json-1.1', ...headers });

  it.each([
    ['a namespaced __type', awsJson(400, { __type: 'com.amazonaws.secretsmanager#ResourceNotFoundException', Message: 'nope' }), 'not_found', 'ResourceNotFoundException'],
    ['InvalidRequestException (scheduled for deletion)', awsJson(400, { __type: 'InvalidRequestException', message: 'marked for deletion' }), 'not_found', 'InvalidRequestException'],
    ['the x-amzn-errortype header over the body', awsJson(400, { __type: 'Other' }, { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/coral/' }), 'denied', 'AccessDeniedException'],
    ['UnrecognizedClientException', awsJson(400, { __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }), 'denied', 'UnrecognizedClientException'],
    ['a bare 403', ((_request, response) => void response.writeHead(403).end()) as Responder, 'denied', 'Http403'],
    ['DecryptionFailure (KMS)', awsJson(400, { __type: 'DecryptionFailure', message: 'KMS' }), 'unavailable', 'DecryptionFailure'],
    ['a 200 that is not JSON', ((_request, response) => void response.writeHead(200).end('<html>')) as Responder, 'unavailable', 'SerializationException'],
  ] as const)('sorts %s', async (_label, responder, kind, name) => {
    upstream.enqueue(responder);
    const read = createSecretsManagerReader({ endpoint: upstream.url, region: 'eu-west-1', credentials: CREDENTIALS, maxAttempts: 1 });
    expect(await readError(read, 'llm-gateway/x')).toMatchObject({ kind, cause: { name } });
  });

  it('keeps one connection for consecutive reads', async () => {
    const server = http.createServer((_request, response) => void response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ SecretString: '{}' })));
    let connections = 0;
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const read = createSecretsManagerReader({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: 'eu-west-1', credentials: CREDENTIALS });
      for (let index = 0; index < 3; index++) expect(await read(`llm-gateway/${index}`)).toEqual({});
      expect(connections).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reports a secret stored as binary as invalid, naming it', async () => {
    upstream.enqueue(awsJson(200, { Name: 'llm-gateway/binary', SecretBinary: 'AAEC' }));
    const read = createSecretsManagerReader({ endpoint: upstream.url, region: 'eu-west-1', credentials: CREDENTIALS });
    expect(await readError(read, 'llm-gateway/binary')).toMatchObject({ kind: 'invalid', message: 'The secret llm-gateway/binary has no SecretString; store a JSON object as text.' });
  });
});

describe('a connection that cannot be made', () => {
  let closedPort: number;
  beforeAll(async () => {
    closedPort = await unreachablePort();
  });
  afterEach(() => vi.restoreAllMocks());

  it('is tried again (Secrets Manager never saw it), within the attempts', async () => {
    const requests = vi.spyOn(http, 'request');
    const read = createSecretsManagerReader({ endpoint: `http://127.0.0.1:${closedPort}`, region: 'eu-west-1', credentials: CREDENTIALS, maxAttempts: 3, retryBaseDelayMs: 1 });
    expect(await readError(read, 'llm-gateway/x')).toMatchObject({ kind: 'unavailable', cause: { retryable: true, cause: { code: 'ECONNREFUSED' } } });
    expect(requests).toHaveBeenCalledTimes(3);
  });
});

describe('where reads go', () => {
  let fake: FakeSecretsManager;
  const saved = { ...process.env };
  beforeAll(async () => {
    fake = await startFakeSecretsManager();
    fake.put('llm-gateway/k', SECRET);
  });
  afterAll(async () => {
    process.env = saved;
    await fake?.close();
  });

  it('takes the SDK\'s resolution (loading it) when the environment sets what the fast path does not model', async () => {
    const loadsBefore = sdk.loads;
    process.env = { ...saved, ...fakeAwsEnv(fake), AWS_USE_DUALSTACK_ENDPOINT: 'false', AWS_CONFIG_FILE: '/nonexistent/aws-config' };
    delete process.env.AWS_PROFILE;
    const read = createSecretsManagerReader({ env: process.env });
    expect(await read('llm-gateway/k')).toEqual(SECRET);
    expect(sdk.loads).toBe(loadsBefore + 1);
    const signature = await verifySigV4(fake.received.at(-1)!, { region: 'us-east-1', service: 'secretsmanager', credentials: [fakeAwsEnvCredentials(fake)] });
    expect(signature.valid).toBe(true);
  });

  it('fails as unavailable when nothing says where to go, and resolves afresh on the next read', async () => {
    const env: NodeJS.ProcessEnv = { AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'B', AWS_CONFIG_FILE: '/nonexistent/aws-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials' };
    process.env = { PATH: saved.PATH, ...env };
    const read = createSecretsManagerReader({ env });
    expect(await readError(read, 'llm-gateway/k')).toMatchObject({ kind: 'unavailable' });
    Object.assign(env, fakeAwsEnv(fake));
    expect(await read('llm-gateway/k')).toEqual(SECRET);
  });
});

function fakeAwsEnvCredentials(fake: FakeSecretsManager) {
  const env = fakeAwsEnv(fake);
  return { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! };
}
